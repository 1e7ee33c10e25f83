from django import forms
from django.core.validators import URLValidator

from .models import Company, OAuthClient, SandboxUser, may_send_browser_to

SWITCHES = [
    "api_licence", "salary_licence", "warehouse_licence", "purchase_orders_licence", "back_orders_allowed",
    "negative_stock_allowed", "stock_points_enabled", "locked_salary_until",
]
LIMITS = ["access_token_seconds", "refresh_token_seconds", "rate_limit_requests", "rate_limit_window_seconds",
          "missing_scope_status"]
FAULTS = ["fault_error_rate", "fault_error_status", "fault_429_burst", "fault_latency_ms", "fault_timeout_seconds",
          "fault_drop_rate", "fault_drop_burst", "fault_seed"]
STREAM_FAULTS = ["fault_stream_duplicate_rate", "fault_stream_drop_after", "fault_stream_drop_rate",
                 "fault_stream_delay_ms", "fault_stream_stale_read_seconds"]
# Added after scripts and saved forms were written: left out (an older form, a script), they are off.
OPTIONAL_FAULTS = [*STREAM_FAULTS, "fault_drop_burst"]


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = ["name", "database_number", "organisation_number", "address", "zip_code", "city",
                  *SWITCHES, *LIMITS, *FAULTS, *STREAM_FAULTS]
        widgets = {"locked_salary_until": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in OPTIONAL_FAULTS:
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        for name in OPTIONAL_FAULTS:
            if data.get(name) is None and name in self.fields:
                data[name] = 0
        if data.get("fault_stream_drop_after") == 1:
            self.add_error("fault_stream_drop_after", "0 (never) or at least 2: a client resuming from its last "
                                                      "offset gets that event again, so 1 would never get further.")
        for share in ("fault_error_rate", "fault_drop_rate", "fault_stream_duplicate_rate", "fault_stream_drop_rate"):
            if data.get(share) is not None and not 0 <= data[share] <= 1:
                self.add_error(share, "A share between 0 and 1.")
        if data.get("fault_error_status") not in (None, 500, 502, 503, 504):
            self.add_error("fault_error_status", "One of 500, 502, 503, 504.")
        if data.get("missing_scope_status") not in (None, 400, 403):
            self.add_error("missing_scope_status", "400 or 403.")
        if (data.get("fault_stream_stale_read_seconds") or 0) < 0:
            self.add_error("fault_stream_stale_read_seconds", "Zero or a positive number of seconds.")
        if data.get("rate_limit_window_seconds") is not None and data["rate_limit_window_seconds"] <= 0:
            self.add_error("rate_limit_window_seconds", "A positive number of seconds.")
        return data


class SandboxUserForm(forms.ModelForm):
    password = forms.CharField(min_length=6, widget=forms.PasswordInput(render_value=False))

    class Meta:
        model = SandboxUser
        fields = ["username", "name", "password", "is_system_admin"]

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user


class SandboxUserRoleForm(forms.ModelForm):
    """Marking a user as the company's system administrator (who alone approves service accounts)."""

    class Meta:
        model = SandboxUser
        fields = ["name", "is_system_admin"]


WEBHOOK_SCHEMES = ["http", "https"]


class OAuthClientSettingsForm(forms.ModelForm):
    """The developer portal's settings of an app that exists: service accounts and the consent
    webhook URL (only people with the control key or panel access reach this form)."""

    webhook_url = forms.URLField(required=False, assume_scheme="https", max_length=500,
                                 validators=[URLValidator(schemes=WEBHOOK_SCHEMES)])

    class Meta:
        model = OAuthClient
        fields = ["service_accounts_allowed", "webhook_url"]


class OAuthClientForm(forms.ModelForm):
    secret = forms.CharField(min_length=8)
    landing_page = forms.URLField(required=False, assume_scheme="https")
    webhook_url = OAuthClientSettingsForm.base_fields["webhook_url"]

    class Meta:
        model = OAuthClient
        fields = ["client_id", "name", "secret", "redirect_uris", "landing_page", "service_accounts_allowed",
                  "webhook_url"]

    def clean_redirect_uris(self):
        return self._on_own_host(self.cleaned_data["redirect_uris"])

    def clean_landing_page(self):
        return self._on_own_host(self.cleaned_data["landing_page"])

    @staticmethod
    def _on_own_host(value: str) -> str:
        elsewhere = [url for url in value.split() if not may_send_browser_to(url)]
        if elsewhere:
            raise forms.ValidationError(f"Outside DEBUG the sandbox redirects only to Brygga's own address "
                                        f"(SITE_URL), not to {', '.join(elsewhere)}.")
        return value

    def save(self, commit=True):
        client = super().save(commit=False)
        client.set_secret(self.cleaned_data["secret"])
        if commit:
            client.save()
        return client
