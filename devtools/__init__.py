"""Tools for people working on Brygga, never part of the product: the benchmarks (`manage.py
benchmark`, `./brygga bench`), the chaos runs the tests and the `chaos` benchmark drive, the client of
the sandbox's control API, and the demo's Fortnox side (`manage.py fortnox_demo_employees`).

Installed only in development: with DEBUG or with the Fortnox sandbox on (`./brygga run`, `./brygga
test`, `./brygga bench` all turn one on; see config/settings.py). Devtools may import the product
and talk to the sandbox over HTTP; the product never imports devtools, and devtools never imports
the sandbox's code."""
