import json
from collections import Counter

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy as _

from organizations.admin import OrganizationScopedAdmin
from organizations.admin_tenancy import ReadOnlyAdmin
from organizations.stored_text import StoredText, gettext_noop

from . import hooks, outbox
from .models import ExternalLink, IntegrationError, OutboxEvent, SyncRun
from .personal_data import masked


def folded(name: str, label):
    """A read-only JSON field shown folded (a plan can be tens of kilobytes) and masked (the last
    synced values of a link hold a full bank account)."""

    @admin.display(description=label)
    def show(obj):
        text = json.dumps(masked(getattr(obj, name)), indent=2, ensure_ascii=False, sort_keys=True)
        return format_html("<details><summary>{}</summary><pre>{}</pre></details>",
                           Truncator(" ".join(text.split())).chars(80), text)

    show.__name__ = f"{name}_folded"
    return show


@admin.register(ExternalLink)
class ExternalLinkAdmin(ReadOnlyAdmin):
    """A deleted or edited link makes the next push create the Fortnox record again."""

    list_display = ["kind", "object_id", "external_id", "synced_at", "organization"]
    list_filter = ["kind"]
    search_fields = ["external_id"]
    list_select_related = ["organization"]
    exclude = ["last_synced_values"]
    readonly_fields = [folded("last_synced_values", _("last synced values"))]


@admin.register(SyncRun)
class SyncRunAdmin(OrganizationScopedAdmin):
    """A run is the job's own record: a changed status let a second run start beside it, so runs
    are cancelled by the action (which keeps the guard against overlaps until the job stopped).
    Finished runs may be deleted."""

    list_display = ["kind", "trigger", "status", "progress_done", "progress_total", "api_calls", "created_at", "organization"]
    list_filter = ["kind", "status", "trigger"]
    list_select_related = ["organization"]
    exclude = ["data", "counts"]
    readonly_fields = [folded("data", _("data")), folded("counts", _("counts"))]
    actions = ["cancel"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_finished)

    def has_cancel_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    @admin.action(description=_("Cancel the selected runs safely"), permissions=["cancel"])
    def cancel(self, request, queryset):
        message = StoredText(gettext_noop("Cancelled in the Django admin by %(user)s."), user=str(request.user))
        outcomes = Counter(run.do_cancel(message=message) for run in queryset.filter(kind__in=hooks.cancellable_run_kinds))
        others = queryset.exclude(kind__in=hooks.cancellable_run_kinds).count()
        if others:
            self.message_user(request, gettext(
                "%(count)s run(s) only show an absence's transfer: it is not cancelled here but follows the absence "
                "(change or delete the absence instead).",
            ) % {"count": others}, messages.WARNING)
        if outcomes["cancelled"]:
            self.message_user(request, gettext("%(count)s run(s) cancelled.") % {"count": outcomes["cancelled"]}, messages.SUCCESS)
        if outcomes["stopping"]:
            self.message_user(request, gettext(
                "%(count)s run(s) are stopping: each ends at its job's next step, and no new run starts until then.",
            ) % {"count": outcomes["stopping"]}, messages.SUCCESS)
        if outcomes["finished"]:
            self.message_user(request, gettext("%(count)s run(s) had already finished or were being cancelled: left as they are.")
                              % {"count": outcomes["finished"]}, messages.WARNING)


class RetryMixin:
    """Retrying writes through the product's own retry, so the model's change permission allows
    it even where the rows themselves are read-only here."""

    def has_retry_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def _retried(self, request, done: int, total: int):
        self.message_user(request, _("%(done)s of %(total)s retried: Brygga is trying again.") % {"done": done, "total": total},
                          messages.SUCCESS if done else messages.WARNING)


@admin.register(OutboxEvent)
class OutboxEventAdmin(RetryMixin, ReadOnlyAdmin):
    list_display = ["kind", "object_id", "status", "attempts", "next_attempt_at", "created_at", "organization"]
    list_filter = ["kind", "status"]
    list_select_related = ["organization"]
    exclude = ["payload"]
    readonly_fields = [folded("payload", _("payload"))]
    actions = ["retry"]

    @admin.action(description=_("Retry the selected failed events"), permissions=["retry"])
    def retry(self, request, queryset):
        events = list(queryset)
        self._retried(request, sum(outbox.do_retry_event(event, acting_user=request.user) for event in events), len(events))


@admin.register(IntegrationError)
class IntegrationErrorAdmin(RetryMixin, OrganizationScopedAdmin):
    list_display = ["kind", "subject", "fortnox_code", "status", "created_at", "organization"]
    list_filter = ["kind", "status"]
    list_select_related = ["organization"]
    exclude = ["sent"]
    readonly_fields = [folded("sent", _("what was sent"))]
    actions = ["retry"]

    @admin.action(description=_("Retry the selected open entries"), permissions=["retry"])
    def retry(self, request, queryset):
        errors = [error for error in queryset if error.can_retry]
        for error in errors:
            outbox.do_retry_error(error, acting_user=request.user)
        self._retried(request, len(errors), queryset.count())
