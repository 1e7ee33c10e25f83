"""A text field stored encrypted with Fernet (`settings.FIELD_ENCRYPTION_KEY`).

OAuth tokens are keys to a customer's accounting: a database dump, a backup or a stray SQL
console must not reveal them. Values are encrypted on the way in and decrypted on the way out;
lookups by value are therefore impossible (and never needed).
"""

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key)


def encrypt(plaintext: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        # A changed key would otherwise surface as a confusing auth failure much later.
        raise ImproperlyConfigured(
            "An encrypted field cannot be decrypted: FIELD_ENCRYPTION_KEY differs from the key it was written with."
        ) from exc


class EncryptedTextField(models.TextField):
    """Empty stays empty (so "no token" is visible without decrypting); anything else is a
    Fernet token in the database."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value


class EncryptedJSONField(models.TextField):
    """A JSON value stored as a Fernet token (null stays null): for copies of personal data a job
    or a person still needs in full for a while, such as both sides' values of a Fortnox conflict."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(decrypt(value))

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        return None if value is None else encrypt(json.dumps(value, ensure_ascii=False))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)
