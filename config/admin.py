"""Brygga's admin site: Django's, with one guard every model admin gets."""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, ValidationError


class AddressInitialIsParsed:
    """The admin's add page takes initial values from the address (?field=value). A date or time
    that does not parse reached the widget as text and crashed it (a 500), as did a related row's
    id that is not an id (`?user=[]` crashed the autocomplete widget's lookup); values are now
    parsed as the field (or the related row's key) would, and one that does not parse is left
    out, as if it had not been given."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not field.concrete:
                continue
            try:
                if not field.is_relation and isinstance(value, str):
                    initial[name] = field.to_python(value)
                elif field.is_relation:
                    for key in value if isinstance(value, list) else [value]:
                        field.target_field.to_python(key)
            except ValidationError:
                del initial[name]
        return initial


class BryggaAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        # Every registration gets the guard, whichever app registers (Brygga's own, allauth, django-q),
        # once: an admin re-registered with more mixins (organizations.admin_tenancy) has it already.
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AddressInitialIsParsed):
            admin_class = type(admin_class.__name__, (AddressInitialIsParsed, admin_class), {"__module__": admin_class.__module__})
        return super().register(model_or_iterable, admin_class, **options)
