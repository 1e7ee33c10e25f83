"""The generic record store: one JSON document per (company, resource, key)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Company, Record


class DuplicateKey(Exception):
    pass


class Store:
    def __init__(self, company: Company, resource: str):
        self.company, self.resource = company, resource

    def records(self):
        return Record.objects.filter(company=self.company, resource=self.resource)

    def get(self, key: str) -> Record | None:
        return self.records().filter(key=key).first()

    def create(self, key: str, document: dict) -> Record:
        try:
            with transaction.atomic():
                return Record.objects.create(company=self.company, resource=self.resource, key=key, document=document)
        except IntegrityError as exc:
            raise DuplicateKey(key) from exc

    def update(self, record: Record, document: dict) -> Record:
        record.document, record.modified = document, timezone.now()
        record.save(update_fields=["document", "modified"])
        return record

    def put(self, key: str, document: dict) -> Record:
        """Create or replace (PUT semantics of custom warehouse documents, schedule days)."""
        record, _ = Record.objects.update_or_create(
            company=self.company, resource=self.resource, key=key,
            defaults={"document": document, "modified": timezone.now()},
        )
        return record

    def delete(self, record: Record):
        record.delete()
