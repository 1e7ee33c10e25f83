"""What can go wrong talking to Fortnox, one type per thing a caller handles differently.

Each error carries `user_message`: what happened and what to do, in words an organization
admin understands (translated at the moment it is read, in the reader's language).
"""

from django.utils.translation import gettext_lazy as _

MISSING_SCOPE_CODE = 2000663
NO_MODULE_LICENCE_CODE = 2001101
NO_API_LICENCE_CODE = 2001103


class FortnoxError(Exception):
    """Base of every Fortnox failure. `status` is the HTTP status when there was a response."""

    default_message = _("Fortnox answered with an error.")

    def __init__(self, detail: str = "", *, status: int | None = None, code=None, message: str = ""):
        self.status = status
        self.code = code
        self.message = message  # Fortnox's own message, kept as sent
        super().__init__(detail or message or str(self.default_message))

    @property
    def user_message(self) -> str:
        return str(self.default_message)


class FortnoxAuthError(FortnoxError):
    """The tokens no longer work: an admin must connect Fortnox again."""

    default_message = _(
        "Fortnox no longer accepts Brygga's authorization (it was revoked, expired or used elsewhere). "
        "An organization admin must re-connect Fortnox under Integrations → Fortnox."
    )


class FortnoxNotConnected(FortnoxAuthError):
    """No authorization at all: Fortnox was never connected, or an admin disconnected it on purpose
    (not a grant Fortnox stopped accepting, which is what FortnoxAuthError's words say)."""

    default_message = _(
        "Fortnox is not connected (an organization admin disconnected it, or it was never connected). An organization "
        "admin can connect it under Integrations → Fortnox; changes made meanwhile are kept and sent then."
    )


class FortnoxConsentRevoked(FortnoxNotConnected):
    """The customer revoked the service account's consent in Fortnox: nothing works until a
    system administrator of the company approves it again."""

    default_message = _(
        "The Fortnox company revoked Brygga's service account, so Brygga no longer reaches Fortnox. An organization "
        "admin can re-connect under Integrations → Fortnox (a system administrator of the Fortnox company must "
        "approve); changes made meanwhile are kept and sent then."
    )


class FortnoxServiceAccountRefused(FortnoxAuthError):
    """Fortnox gave an authorization code, but no client-credentials token for the company: the
    approval was not a service account's."""

    default_message = _(
        "Fortnox did not create a service account for Brygga, so nothing was connected. Start the connection again "
        "and let a system administrator of the Fortnox company (Systemadministratör) log in and approve."
    )


class FortnoxCompanyTaken(FortnoxError):
    """The Fortnox company is already connected to another Brygga organization. One company, one
    organization: two would each pull every order and push every absence, so all would be done twice."""

    def __init__(self, *, company: str, tenant_id: str, holder: str):
        self.company, self.tenant_id, self.holder = company, tenant_id, holder
        super().__init__(f"Fortnox company {tenant_id} is connected to {holder}")

    @property
    def user_message(self) -> str:
        return str(_(
            "The Fortnox company %(company)s is already connected to the organization %(holder)s in Brygga. One "
            "Fortnox company can be connected to one organization only (otherwise every order and absence would be "
            "handled twice). Nothing was changed and Brygga gave the new permission back to Fortnox. Disconnect "
            "Fortnox in %(holder)s first, or choose another Fortnox company."
        ) % {"company": self.company or self.tenant_id, "holder": self.holder})


class FortnoxMissingScope(FortnoxError):
    default_message = _("Brygga lacks a permission in Fortnox.")

    def __init__(self, detail="", *, scope: str = "", **kwargs):
        self.scope = scope
        super().__init__(detail, **kwargs)

    @property
    def user_message(self) -> str:
        return str(_(
            "Brygga is not allowed to use \"%(scope)s\" in Fortnox. An organization admin must re-connect "
            "Fortnox under Integrations → Fortnox and approve the new permission."
        ) % {"scope": self.scope or "?"})


class FortnoxNoLicence(FortnoxError):
    @property
    def user_message(self) -> str:
        if self.code == NO_API_LICENCE_CODE:
            return str(_(
                "The Fortnox company has no licence for integrations (API). Ask Fortnox or your accounting "
                "firm to add the integration licence, then connect again."
            ))
        return str(_(
            "The Fortnox company has no licence for this module (for example Lön or Lager). Activate the "
            "module in Fortnox, then re-connect Fortnox under Integrations → Fortnox."
        ))


class FortnoxNotFound(FortnoxError):
    default_message = _("The record no longer exists in Fortnox. It may have been deleted there.")


class FortnoxValidationError(FortnoxError):
    @property
    def user_message(self) -> str:
        return str(_("Fortnox refused the change: %(message)s (code %(code)s). Correct it and try again.") % {
            "message": self.message or "?", "code": self.code or "?",
        })


class FortnoxConflict(FortnoxError):
    """Fortnox holds data that contradicts Brygga's (say, an employee id given to someone else):
    no retry can help, a person must decide. The detail is already written for that person."""

    @property
    def user_message(self) -> str:
        return str(self)


class FortnoxRateLimited(FortnoxError):
    default_message = _("Fortnox is busy with too many requests from Brygga. Brygga will try again shortly.")


class FortnoxTransientError(FortnoxError):
    default_message = _(
        "Fortnox could not be reached or had a temporary fault. Brygga will try again; nothing needs to be done now."
    )


class FortnoxBadResponse(FortnoxTransientError):
    """An answer that is not what Fortnox sends (not JSON, cut short, the wrong shape): most often
    a proxy's error page or a dropped connection, so it is retried like other transient faults."""

    default_message = _(
        "Fortnox sent an answer Brygga cannot read (perhaps an error page or a cut-off reply). Brygga will try "
        "again; if it keeps happening, Fortnox may have a disruption."
    )
