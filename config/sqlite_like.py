"""SQLite's LIKE ignores case for ASCII letters only, so a search for "öberg" missed "Öberg" on
the default database while PostgreSQL found it. Django's contains/icontains/startswith lookups
on SQLite are all LIKE; this gives each new SQLite connection a LIKE that folds case the way
Python does, for every letter. The rest of LIKE is kept: % and _ as wildcards, and Django's
escape character."""

import re
from functools import lru_cache

from django.db.backends.signals import connection_created
from django.dispatch import receiver


@lru_cache(maxsize=512)
def _pattern(like: str, escape: str | None) -> re.Pattern:
    parts, characters = [], iter(like)
    for character in characters:
        if character == escape:
            parts.append(re.escape(next(characters, "")))
        elif character == "%":
            parts.append(".*")
        elif character == "_":
            parts.append(".")
        else:
            parts.append(re.escape(character))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def unicode_like(like, value, escape=None) -> bool | None:
    if like is None or value is None:
        return None  # SQL: NULL LIKE anything is NULL
    return _pattern(like, escape).fullmatch(str(value)) is not None


@receiver(connection_created, dispatch_uid="config.sqlite_like")
def use_unicode_like(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("like", 2, unicode_like, deterministic=True)
        connection.connection.create_function("like", 3, unicode_like, deterministic=True)
