from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .shipping import ShippingSettings, TermsOfDelivery, Transporter, TransporterRule, TransporterService, WayOfDelivery


class TransporterForm(forms.ModelForm):
    class Meta:
        model = Transporter
        fields = ["name"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Transporter.objects.for_organization(self.instance.organization).filter(name__iexact=name).exists():
            raise ValidationError(_("There is already a transporter called %(name)s."), params={"name": name})
        return name


class ServiceForm(forms.ModelForm):
    class Meta:
        model = TransporterService
        fields = ["transporter", "name", "code"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        self.fields["transporter"].queryset = Transporter.objects.for_organization(organization).filter(active=True)

    def clean(self):
        cleaned = super().clean()
        transporter, name = cleaned.get("transporter"), (cleaned.get("name") or "").strip()
        if transporter and transporter.services.filter(name__iexact=name).exists():
            raise ValidationError(_("%(transporter)s already has a service called %(name)s."),
                                  params={"transporter": transporter, "name": name})
        return cleaned


def code_choices(model, organization, current: str) -> list:
    """The register's codes (from Fortnox), "any" first; a code no longer there stays choosable."""
    codes = [(c.code, str(c)) for c in model.objects.for_organization(organization)]
    if current and current not in dict(codes):
        codes.append((current, current))
    return [("", _("Any"))] + codes


class RuleForm(forms.ModelForm):
    class Meta:
        model = TransporterRule
        fields = ["service", "way_of_delivery", "terms_of_delivery", "order_kind", "delivery_country",
                  "min_weight_kg", "max_weight_kg"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        service = self.fields["service"]
        service.queryset = TransporterService.objects.for_organization(organization).filter(
            active=True, transporter__active=True).select_related("transporter")
        service.required, service.help_text = True, ""
        for name, model in (("way_of_delivery", WayOfDelivery), ("terms_of_delivery", TermsOfDelivery)):
            if model.objects.for_organization(organization).exists():
                label = self.fields[name].label
                self.fields[name] = forms.ChoiceField(
                    label=label, required=False,
                    choices=code_choices(model, organization, getattr(self.instance, name)))
            else:
                self.fields[name].help_text = _("Fortnox's code; the list appears after the next synchronisation.")
        self.fields["order_kind"].choices = [("", _("Any"))] + list(self.fields["order_kind"].choices)[1:]
        for name in ("min_weight_kg", "max_weight_kg"):
            self.fields[name].widget.attrs.update(inputmode="decimal", min="0")

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_weight_kg"), cleaned.get("max_weight_kg")
        if any(value is not None and value < 0 for value in (low, high)):
            raise ValidationError(_("A weight cannot be negative."))
        if low is not None and high is not None and low > high:
            raise ValidationError(_("“From weight” is more than “up to weight”."))
        return cleaned


class OverrideServiceForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=TransporterService.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=300,
                             help_text=_("Why this order leaves with another service than the rules give."))

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = TransporterService.objects.for_organization(organization).filter(
            active=True, transporter__active=True).select_related("transporter")


class ShippingSettingsForm(forms.ModelForm):
    class Meta:
        model = ShippingSettings
        fields = ["notify_by_email", "notify_by_sms", "notify_b2b", "notify_b2c", "sender"]
        widgets = {"sender": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, instance=ShippingSettings.get_or_create_for(organization), **kwargs)


FOLLOW_SETTINGS = ""


def notify_choice(label):
    return forms.TypedChoiceField(
        label=label, required=False, empty_value=None, coerce=lambda value: value == "yes",
        choices=[(FOLLOW_SETTINGS, _("As the shipping settings say")), ("yes", _("Yes")), ("no", _("No"))])


class OrderNoticeForm(forms.Form):
    """This order's own choice of customer notices, or the settings' (None)."""

    notify_by_email = notify_choice(_("Email the customer when sent"))
    notify_by_sms = notify_choice(_("Text the customer when sent"))

    def __init__(self, *args, order, **kwargs):
        initial = {name: {None: FOLLOW_SETTINGS, True: "yes", False: "no"}[getattr(order, name)]
                   for name in ("notify_by_email", "notify_by_sms")}
        super().__init__(*args, initial=initial, **kwargs)
