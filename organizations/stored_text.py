"""Texts Brygga stores for people to read later — run logs, run errors, error-log entries,
notifications, history — rendered in the language of whoever reads them, when they read them.

A text written by a job or for someone else must not keep the language of its writer (an English
admin then reads "Skapade i Brygga"). So a stored text is kept as one of:

- a message id with parameters: `StoredText(gettext_noop("Read %(count)s employees."), count=12)`,
  translated when read; parameters may be numbers (shown in the reader's number format),
  datetimes and dates (the organization's time zone, the reader's format), other stored texts,
  or words quoted as they are (a name, Fortnox's own message);
- every language at once: `StoredText.each_language(lambda: error.user_message)` calls the
  function once per language in `settings.LANGUAGES`, for texts put together by code that already
  translates (Fortnox errors, templates). A function that gives the same words in every language
  (a person's name) is stored as those words;
- words as they are: `StoredText.verbatim(text)`, and every row written before this module, which
  holds plain text (shown as written).

`str()` renders in the active language, so a stored text goes into templates, f-strings inside an
`each_language` function, and `in`/`==`/`len` like the string it reads as. `StoredTextField`
stores one in a text column, `StoredLogField` a log of timed lines."""

import json
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext

__all__ = ["StoredText", "StoredLog", "StoredTextField", "StoredCharField", "StoredLogField", "gettext_noop"]

from django.utils.translation import gettext_noop  # noqa: E402 (re-exported: writers mark message ids with it)


class _ReadsAsText:
    """What a rendered text does: behave like the string it renders to, in the active language."""

    def render(self) -> str:
        raise NotImplementedError

    def __str__(self):
        return self.render()

    def __contains__(self, part):
        return part in self.render()

    def __len__(self):
        return len(self.render())

    def __bool__(self):
        return bool(self.render())

    def __getitem__(self, index):
        return self.render()[index]

    def __add__(self, other):
        return self.render() + str(other)

    def __radd__(self, other):
        return str(other) + self.render()

    def __eq__(self, other):
        if isinstance(other, _ReadsAsText):
            return self.dump() == other.dump()
        if isinstance(other, str):
            return self.render() == other
        return NotImplemented

    def __hash__(self):
        return hash(self.dump())

    def __getattr__(self, name):
        # startswith, split, strip, …: the rendered string's methods (not for private names, so
        # copying and pickling do not find methods that are not there).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.render(), name)

    def __repr__(self):
        return f"<{type(self).__name__} {self.dump()!r}>"


class StoredText(_ReadsAsText):
    def __init__(self, message: str = "", /, **params):
        self.message, self.params, self.languages, self.words = message, params, None, None

    # --- the other two forms ---------------------------------------------------------------------

    @classmethod
    def verbatim(cls, words) -> "StoredText":
        """Words shown as they are in every language: someone's name, Fortnox's own message."""
        text = cls()
        text.message, text.words = None, "" if words is None else str(words)
        return text

    @classmethod
    def each_language(cls, render, *args) -> "StoredText":
        """`render(*args)` called in each of Brygga's languages; the reader gets theirs."""
        renderings = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                renderings[code] = str(render(*args))
        if len(set(renderings.values())) == 1:
            return cls.verbatim(next(iter(renderings.values())))
        text = cls()
        text.languages = renderings
        return text

    @classmethod
    def of(cls, value) -> "StoredText":
        """`value` as a stored text: one already is, None is empty, anything else (an old row's
        plain text, a name) is shown as written."""
        if isinstance(value, StoredText):
            return value
        if value is None:
            return cls.verbatim("")
        return cls.load(value) if isinstance(value, str) else cls.verbatim(value)

    # --- reading -----------------------------------------------------------------------------------

    @property
    def is_verbatim(self) -> bool:
        return self.message is None and self.languages is None

    def render(self) -> str:
        if self.languages is not None:
            language = translation.get_language() or settings.LANGUAGE_CODE
            for code in (language, language.split("-")[0], settings.LANGUAGE_CODE):
                if code in self.languages:
                    return self.languages[code]
            return next(iter(self.languages.values()))
        if self.message is None:
            return self.words
        if not self.message:  # gettext("") is the catalogue's header
            return ""
        if not self.params:
            return gettext(self.message)
        return gettext(self.message) % {name: _shown(value) for name, value in self.params.items()}

    # --- storing -----------------------------------------------------------------------------------

    def to_data(self):
        """JSON-ready: a plain string for words as they are, else a small dict."""
        if self.languages is not None:
            return {"l": self.languages}
        if self.message is None:
            return {"v": self.words} if _looks_stored(self.words) else self.words
        data = {"m": self.message}
        if self.params:
            data["p"] = {name: _param_data(value) for name, value in self.params.items()}
        return data

    def dump(self) -> str:
        data = self.to_data()
        return data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_data(cls, data) -> "StoredText":
        if isinstance(data, str):
            return cls.load(data)
        if not isinstance(data, dict):
            return cls.verbatim("" if data is None else data)
        if "l" in data:
            text = cls()
            text.languages = dict(data["l"])
            return text
        if "v" in data:
            return cls.verbatim(data["v"])
        if "m" in data:
            return cls(data["m"], **{name: _param_from(value) for name, value in (data.get("p") or {}).items()})
        return cls.verbatim(json.dumps(data, ensure_ascii=False))

    @classmethod
    def load(cls, raw: str) -> "StoredText":
        """From the database: a dump, or the plain text of a row written before stored texts."""
        if _looks_stored(raw):
            try:
                return cls.from_data(json.loads(raw))
            except ValueError:
                pass
        return cls.verbatim(raw)


def _looks_stored(raw) -> bool:
    return isinstance(raw, str) and raw.startswith(("{\"l\"", "{\"m\"", "{\"p\"", "{\"v\""))


# Parameters: kept as JSON, shown in the reader's formats. Datetimes in the active time zone (the
# organization's: Brygga's TIME_ZONE), with the reader's short date-time format.
def _param_data(value):
    if isinstance(value, StoredText):
        data = value.to_data()
        return {"t": data}
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value
    return str(value)


def _param_from(data):
    if isinstance(data, dict):
        if "t" in data:
            return StoredText.from_data(data["t"])
        if "dt" in data:
            return parse_datetime(data["dt"])
        if "d" in data:
            return parse_date(data["d"])
    return data


def _shown(value) -> str:
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, (int, float)):
        return formats.number_format(value, use_l10n=True, force_grouping=False)
    return "" if value is None else str(value)


class StoredLog(_ReadsAsText):
    """A run's log: lines with the moment they were written, each a stored text. Rendered as
    "HH:MM:SS text" lines in the active time zone and language. Lines written before stored
    texts (plain "HH:MM:SS text") are shown as written."""

    def __init__(self, lines=()):
        self.lines = list(lines)  # (aware datetime or None, StoredText)

    def append(self, text, at=None) -> None:
        self.lines.append((at or timezone.now(), StoredText.of(text)))

    def render(self) -> str:
        return "".join(f"{line}\n" for line in self.rendered_lines())

    def rendered_lines(self) -> list[str]:
        return [f"{timezone.localtime(at):%H:%M:%S} {text}" if at else str(text) for at, text in self.lines]

    def dump(self) -> str:
        return "".join(
            (json.dumps({"at": at.isoformat(), "text": text.to_data()}, ensure_ascii=False) if at else text.dump()) + "\n"
            for at, text in self.lines
        )

    @classmethod
    def load(cls, raw) -> "StoredLog":
        if isinstance(raw, StoredLog):
            return raw
        lines = []
        for line in (raw or "").splitlines():
            if line.startswith("{\"at\""):
                try:
                    data = json.loads(line)
                    lines.append((parse_datetime(data["at"]), StoredText.from_data(data["text"])))
                    continue
                except (ValueError, KeyError, TypeError):
                    pass
            lines.append((None, StoredText.verbatim(line)))
        return cls(lines)


class _StoredField:
    """Converts in Python only: the column stays the text column it was (so rows written before
    keep loading, and the field deconstructs as its plain Django parent: no migration)."""

    stored_class = None

    def from_db_value(self, value, expression, connection):
        return self.stored_class.load(value) if value is not None else value

    def to_python(self, value):
        if value is None or isinstance(value, self.stored_class):
            return value
        return self.stored_class.load(value) if isinstance(value, str) else self.stored_class.load(str(value))

    def get_prep_value(self, value):
        # Not the parent's: TextField's runs `to_python`, which would make the dump a text again.
        if isinstance(value, _ReadsAsText):
            return value.dump()
        return None if value is None else str(value)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return value.dump() if isinstance(value, _ReadsAsText) else value

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        parent = next(base for base in type(self).__mro__ if base.__module__ == "django.db.models.fields")
        return name, f"django.db.models.{parent.__name__}", args, kwargs


class StoredTextField(_StoredField, models.TextField):
    stored_class = StoredText


class StoredCharField(_StoredField, models.CharField):
    """For a bounded column: a text whose languages do not fit together is kept in the language
    it is written in (cut to fit), as before stored texts."""

    stored_class = StoredText

    def get_prep_value(self, value):
        if isinstance(value, StoredText) and self.max_length and len(value.dump()) > self.max_length:
            value = StoredText.verbatim(value.render()[: self.max_length])
        return super().get_prep_value(value)


class StoredLogField(_StoredField, models.TextField):
    stored_class = StoredLog
