"""Rows of every model in the Django admin, made generically from the models' fields, and the
POST a browser would send for an admin form. The admin walk (tests/organizations/
test_admin_tenancy.py) uses them so that a model registered later is covered without a builder
of its own."""

from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from itertools import count

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from organizations.models import Membership, Organization, User

_serial = count(1)


class World:
    """One row of each asked-for model (and of whatever it needs) in `organization` (the user and
    their membership are `user`'s), every required text carrying `marker`, nullable foreign keys filled too so that list filters, labels and choices
    have something of this organization to show."""

    def __init__(self, organization: Organization, user: User, marker: str):
        self.organization, self.user, self.marker = organization, user, marker
        self.rows = {Organization: organization, User: user, Membership: user.memberships.get(organization=organization)}
        self.making = set()  # models whose row is being made: a nullable key back to one stays empty

    def row(self, model):
        model = model._meta.concrete_model
        if model not in self.rows:
            self.rows[model] = self._make(model)
        return self.rows[model]

    def pks(self, model) -> set:
        made = self.rows.get(model._meta.concrete_model)
        return set() if made is None else {made.pk}

    def _make(self, model):
        self.making.add(model)
        try:
            return self._make_row(model)
        finally:
            self.making.discard(model)

    def _make_row(self, model):
        values = {}
        for field in model._meta.concrete_fields:
            if isinstance(field, models.AutoField) or (field.has_default() and not field.is_relation):
                continue
            if field.is_relation:
                if field.related_model is ContentType:
                    values[field.name] = ContentType.objects.get_for_model(model)
                elif field.related_model is Permission or field.related_model is model:
                    continue
                elif field.null and field.related_model._meta.concrete_model in self.making:
                    continue  # a cycle of keys (an outbox event's failure, the failure's event)
                else:
                    values[field.name] = self.row(field.related_model)
            elif not field.blank:
                values[field.name] = self._value(field)
        return model._default_manager.create(**values)

    def _value(self, field):
        n = next(_serial)
        if field.choices:
            return field.choices[0][0]
        if isinstance(field, models.EmailField):
            return f"{self.marker}{n}@{self.marker}.test"
        if isinstance(field, models.CharField | models.TextField):
            text = f"{self.marker}{n}"
            return text[-field.max_length:] if field.max_length else text
        if isinstance(field, models.DateTimeField):
            return timezone.now()
        if isinstance(field, models.DateField):
            return date.today()
        if isinstance(field, models.DecimalField):
            return Decimal(1)
        if isinstance(field, models.BooleanField):
            return False
        if isinstance(field, models.IntegerField):
            return n
        if isinstance(field, models.JSONField) or field.get_internal_type() == "TextField":  # also pickled values
            return {"note": self.marker}
        raise NotImplementedError(f"World cannot fill {field!r}: teach it that kind of field")


class _FormFields(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        if not self.inside or "disabled" in attributes:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.fields.append((name, attributes.get("value", "on")))
            elif kind not in ("submit", "button", "image", "file", "reset"):
                self.fields.append((name, attributes.get("value", "")))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attributes, "options": [], "chosen": []}
        elif tag == "option" and self.select is not None:
            self.select["options"].append(attributes.get("value", ""))
            if "selected" in attributes:
                self.select["chosen"].append(attributes.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"] or ([] if self.select["multiple"] else self.select["options"][:1])
            self.fields += [(self.select["name"], value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # The parser keeps the newline HTML drops after <textarea>.
            self.fields.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None


def submitted(html: str, form_id: str) -> dict[str, list[str]]:
    """What a browser sends when the form `form_id` is submitted as rendered."""
    parser = _FormFields(form_id)
    parser.feed(html)
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data
