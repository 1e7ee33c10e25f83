"""`manage.py check --deploy` says so when the sandbox is part of a deployment."""

from django.core.checks import Warning, register


@register(deploy=True)
def sandbox_is_not_for_production(app_configs, **kwargs):
    # The app is installed only when FORTNOX_SANDBOX_ENABLED is on, so being asked is the finding.
    return [Warning(
        "The Fortnox sandbox is installed and mounted at /sandbox/fortnox/ (FORTNOX_SANDBOX_ENABLED).",
        hint="It is a stand-in Fortnox for demos and tests: switch it off and set FORTNOX_CLIENT_ID and "
             "FORTNOX_CLIENT_SECRET of a real Fortnox app in production.",
        id="fortnox_sandbox.W001",
    )]
