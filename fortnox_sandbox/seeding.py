"""Demo data hooks. A resource module registers `@seeder(order)` functions taking
(company, rng, size); `sandbox_seed` and the control API run them in `order` (employees 10,
absences 20, ...; warehouse families pick their own numbers), each with its own seeded
random generator so one family's data does not shift when another changes."""

import random
from dataclasses import dataclass

from .models import Company

SEEDERS: list = []


@dataclass(frozen=True)
class Seeder:
    order: int
    function: object


def seeder(order: int):
    def register(function):
        SEEDERS.append(Seeder(order, function))
        return function

    return register


def generator_key(function) -> str:
    """Each family's generator is keyed by the module path the families had when the sandbox lived
    in `integrations/sandbox/`: keeping that spelling keeps every seeded company (the demo's, the
    tests', the benchmarks') the same people and documents after the move to `fortnox_sandbox/`."""
    return f"integrations.sandbox.resources.{function.__module__.rsplit('.', 1)[1]}"


def seed(company: Company, size: int = 300, seed_value: int = 1) -> list[str]:
    """Runs every seeder; returns their names (for the command's report)."""
    from . import resources

    resources.load()
    done = []
    for entry in sorted(SEEDERS, key=lambda s: (s.order, s.function.__module__)):
        entry.function(company, random.Random(f"{seed_value}:{generator_key(entry.function)}"), size)
        done.append(f"{entry.function.__module__}.{entry.function.__name__}")
    return done
