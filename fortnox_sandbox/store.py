"""The generic record store: one JSON document per (company, resource, key).

Every change of a record goes through here, so this is where the event stream learns of it
(`events.changed`): the REST API, the control panel, the control API and the seed all write
through a `Store`."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import events
from .models import Company, Record


class DuplicateKey(Exception):
    pass


class Store:
    def __init__(self, company: Company, resource: str, reading: bool = False):
        """`reading`: a REST GET, which the stale-read fault may answer with an older version."""
        self.company, self.resource, self.reading = company, resource, reading

    def records(self):
        return Record.objects.filter(company=self.company, resource=self.resource)

    def get(self, key: str) -> Record | None:
        if self.reading and self.company.fault_stream_stale_read_seconds > 0:
            stale, document = events.stale_document(self.company, self.resource, key)
            if stale:
                record = self.records().filter(key=key).first()
                if document is None:
                    return None
                return Record(pk=record.pk if record else None, company=self.company, resource=self.resource, key=key,
                              document=document, created=record.created if record else None,
                              modified=record.modified if record else timezone.now())
        return self.records().filter(key=key).first()

    def create(self, key: str, document: dict) -> Record:
        try:
            with transaction.atomic():
                record = Record.objects.create(company=self.company, resource=self.resource, key=key, document=document)
        except IntegrityError as exc:
            raise DuplicateKey(key) from exc
        events.changed(self.company, self.resource, key, None, document)
        return record

    def update(self, record: Record, document: dict) -> Record:
        old = record.document
        record.document, record.modified = document, timezone.now()
        record.save(update_fields=["document", "modified"])
        events.changed(self.company, self.resource, record.key, old, document)
        return record

    def put(self, key: str, document: dict) -> Record:
        """Create or replace (PUT semantics of custom warehouse documents, schedule days)."""
        before = self.records().filter(key=key).values_list("document", flat=True).first()
        record, _ = Record.objects.update_or_create(
            company=self.company, resource=self.resource, key=key,
            defaults={"document": document, "modified": timezone.now()},
        )
        events.changed(self.company, self.resource, key, before, document)
        return record

    def delete(self, record: Record):
        old = record.document
        record.delete()
        events.changed(self.company, self.resource, record.key, old, None)
