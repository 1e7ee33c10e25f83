"""The Django admin, organization-tight for staff who are not superusers.

Staff see, choose and change only rows of the organizations they are a member of. Everything the
admin lists or offers goes through `scoped`: each admin's queryset, every foreign-key and
many-to-many choice (select, raw id and the label it shows, autocomplete), every list filter's
choices and every inline. Admins of models that belong to no organization (auth groups, allauth's
email addresses and authenticators, django-q2's queue) are for superusers only:
`close_global_admins` makes every registered admin that is not organization-scoped superuser-only
at start-up, so an admin added later is closed until someone scopes it, never open.
"""

from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.utils import get_fields_from_path, lookup_spawns_duplicates
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from .models import Organization

# Shared reference data, the same for every organization: choosing among it reveals nothing.
REFERENCE_MODELS = (ContentType, Permission)
# Followed at most this far through required foreign keys to find a model's organization.
MAX_HOPS = 3


def admin_organizations(user):
    return Organization.objects.filter(memberships__user=user)


def organization_path(model, hops: int = MAX_HOPS) -> str | None:
    """The lookup from `model` to the organization its rows belong to, or None for a model that
    belongs to none. Followed through required foreign keys (a sales-order row belongs to its
    order's organization), never through a user: a user belongs to each organization they are a
    member of, so what hangs off a user (email addresses, authenticators) is superusers' only."""
    User = get_user_model()
    if model is Organization:
        return "pk"
    if model is User:
        return "memberships__organization"
    foreign_keys = [field for field in model._meta.concrete_fields if field.many_to_one or field.one_to_one]
    for field in foreign_keys:
        if field.related_model is Organization and not field.null:
            return field.name
    if hops == 0:
        return None
    for field in foreign_keys:
        if field.null or field.related_model in (User, model) or issubclass(field.related_model, REFERENCE_MODELS):
            continue
        further = organization_path(field.related_model, hops - 1)
        if further is not None:
            return f"{field.name}__{further}"
    return None


def scoped(queryset, user, path: str | None = None):
    """`queryset` limited to what `user` may see in the admin: everything for a superuser, rows of
    their organizations for staff, nothing of a model that belongs to no organization."""
    model = queryset.model
    if user.is_superuser or issubclass(model, REFERENCE_MODELS):
        return queryset
    path = path or organization_path(model)
    if path is None:
        return queryset.none()
    lookup = {f"{path}__in": admin_organizations(user)}
    if lookup_spawns_duplicates(model._meta, path):
        # A user in two of the staff member's organizations is one row, not two.
        return queryset.filter(pk__in=model._default_manager.filter(**lookup).values("pk"))
    return queryset.filter(**lookup)


class ScopedForeignKeyRawIdWidget(widgets.ForeignKeyRawIdWidget):
    """Shows the label of the chosen row only when it is one of the field's choices: a typed-in
    id of another organization's row is refused by the form and must not be named beside it."""

    def __init__(self, rel, admin_site, queryset, **kwargs):
        self.queryset = queryset
        super().__init__(rel, admin_site, **kwargs)

    def label_and_url_for_value(self, value):
        try:
            chosen = self.queryset.filter(**{self.rel.get_related_field().name: value}).exists()
        except (ValueError, TypeError, ValidationError):
            chosen = False
        return super().label_and_url_for_value(value) if chosen else ("", "")


class ScopedAllValuesFieldListFilter(admin.AllValuesFieldListFilter):
    """Django offers the values of a related model's field from all of its rows; these are the
    values of the rows this admin shows."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request).order_by(field_path).values_list(field_path, flat=True).distinct()
        )


def scoped_list_filter(model, spec):
    """A `list_filter` entry whose choices come only from rows the admin shows."""
    path, filter_class = (spec, None) if isinstance(spec, str) else spec if isinstance(spec, tuple) else (None, spec)
    if path is None or filter_class not in (None, admin.RelatedFieldListFilter, admin.AllValuesFieldListFilter):
        return spec  # a filter of the admin's own making decides its own choices
    field = get_fields_from_path(model, path)[-1]
    if field.is_relation:
        return path, admin.RelatedOnlyFieldListFilter
    if "__" in path and not (field.choices or isinstance(field, (models.BooleanField, models.DateField))):
        return path, ScopedAllValuesFieldListFilter
    return spec


class OrganizationConsistentForm:
    """The rows a relation names belong to the organization of the row itself (a mapping of one
    organization's absence type kept under another would break that organization's wizard). A
    relation is checked when it or the row's organization changes, so an old row stays saveable."""

    def clean(self):
        cleaned = super().clean()
        path = organization_path(self._meta.model)
        if path is None or lookup_spawns_duplicates(self._meta.model._meta, path) or path == "pk":
            return cleaned  # a user belongs to several organizations, an organization to itself
        organization = self._organization_of_row(cleaned, path)
        if organization is None:
            return cleaned
        moved = path.split("__")[0] in self.changed_data
        for name, value in list(cleaned.items()):  # add_error takes the field out of cleaned
            field = next((f for f in self._meta.model._meta.get_fields() if f.name == name and f.is_relation), None)
            if field is None or field.related_model is Organization or not (moved or name in self.changed_data):
                continue
            rows = {row.pk for row in (value.all() if hasattr(value, "all") else [value] if value else [])}
            related_path = organization_path(field.related_model)
            if not rows or related_path is None:
                continue
            belonging = field.related_model._default_manager.filter(pk__in=rows, **{related_path: organization})
            if belonging.values("pk").distinct().count() != len(rows):
                self.add_error(name, _("This belongs to another organization than %(organization)s.") % {
                    "organization": organization})
        return cleaned

    def _organization_of_row(self, cleaned, path):
        first, *rest = path.split("__")
        try:
            row = cleaned[first] if first in cleaned else getattr(self.instance, first, None)
            for name in rest:
                row = getattr(row, name, None) if row is not None else None
        except ObjectDoesNotExist:
            return None
        return row if isinstance(row, Organization) else None


def organization_consistent(form_class):
    return type(form_class.__name__, (OrganizationConsistentForm, form_class), {})


class OrganizationScopedMixin:
    """For ModelAdmins and inlines alike. `organization_path` overrides the derived lookup from
    the model to its organization."""

    organization_path = None

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user, self.organization_path)

    def related_choices(self, db, db_field, request, queryset=None):
        if queryset is None:
            queryset = self.get_field_queryset(db, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db)
        return scoped(queryset, request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        db = kwargs.get("using")
        kwargs["queryset"] = self.related_choices(db, db_field, request, kwargs.get("queryset"))
        if db_field.name in self.raw_id_fields and "widget" not in kwargs:
            kwargs["widget"] = ScopedForeignKeyRawIdWidget(
                db_field.remote_field, self.admin_site, kwargs["queryset"], using=db,
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = self.related_choices(kwargs.get("using"), db_field, request, kwargs.get("queryset"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        """A generic relation's id is a bare number that can name any row of any organization:
        only superusers set one."""
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            for relation in self.model._meta.private_fields:
                if isinstance(relation, GenericForeignKey):
                    readonly += [name for name in (relation.ct_field, relation.fk_field) if name not in readonly]
        return readonly

    def get_form(self, request, obj=None, **kwargs):
        return organization_consistent(super().get_form(request, obj, **kwargs))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = organization_consistent(formset.form)
        return formset

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [scoped_list_filter(self.model, spec) for spec in filters]


class OrganizationScopedAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    pass


class OrganizationScopedTabularInline(OrganizationScopedMixin, admin.TabularInline):
    pass


class ReadOnlyAdmin(OrganizationScopedAdmin):
    """Rows only the product writes (an edit here would break what they keep in step): read
    them here, act on them through the product's pages."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserOnlyMixin:
    """An admin of rows that belong to no organization: superusers only."""

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


def close_global_admins(site) -> None:
    """Every registered admin that is not organization-scoped becomes superuser-only."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, (OrganizationScopedMixin, SuperuserOnlyMixin)):
            continue
        admin_class = type(model_admin)
        site.unregister(model)
        site.register(model, type(
            f"SuperuserOnly{admin_class.__name__}", (SuperuserOnlyMixin, admin_class), {"__module__": admin_class.__module__},
        ))
