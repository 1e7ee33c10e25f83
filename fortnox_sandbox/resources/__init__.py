"""One module per Fortnox resource family. Every module in this package is imported when the
sandbox's URLs load, which registers its routes (see `api.Family.route`) and seeders (see
`seeding.seeder`): adding a family is adding a file."""

import importlib
import pkgutil
from functools import cache


@cache
def load() -> list:
    return [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
