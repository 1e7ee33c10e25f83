from django import forms
from django.utils.translation import gettext_lazy as _

from .edit_conflicts import ConcurrentEditForm
from .models import Invitation, Membership, Organization, User
from .permissions import Role


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "role"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(organization=self.organization, user__email__iexact=email).exists():
            raise forms.ValidationError(_("%(email)s is already a member of this organization."), params={"email": email})
        return email


class MembershipRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]

    def clean_role(self):
        role = self.cleaned_data["role"]
        membership = self.instance
        if membership.role == Role.ORG_ADMIN and role != Role.ORG_ADMIN and not membership.organization.memberships.filter(
            role=Role.ORG_ADMIN
        ).exclude(pk=membership.pk).exists():
            raise forms.ValidationError(_("An organization needs at least one organization admin."))
        return role


class AcceptInvitationForm(forms.ModelForm):
    """For an invited person without an account: name and a password, the email is the invitation's."""

    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    class Meta:
        model = User
        fields = ["first_name", "last_name"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif cleaned.get("password1"):
            from django.contrib.auth.password_validation import validate_password

            try:
                validate_password(cleaned["password1"], self.instance)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class OrganizationSettingsForm(ConcurrentEditForm):
    class Meta:
        model = Organization
        fields = ["name", "organisation_number", "language", "require_mfa_for_admins"]


class UserLanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=[("", _("Organization default"))] + [
        (code, name) for code, name in User._meta.get_field("language").choices
    ], required=False)
