from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "integrations.sandbox"
    label = "fortnox_sandbox"
    verbose_name = "Fortnox sandbox"
