from django.urls import path

from . import hr_views

urlpatterns = [
    path("", hr_views.integrations_index, name="integrations_index"),
    path("fortnox/hr/", hr_views.hr_integration, name="hr_integration"),
    path("fortnox/hr/setup/", hr_views.hr_setup_step, name="hr_setup"),
    path("fortnox/hr/settings/", hr_views.hr_settings_step, name="hr_settings"),
    path("fortnox/hr/mapping/", hr_views.hr_mapping_step, name="hr_mapping"),
    path("fortnox/hr/sync/", hr_views.hr_sync_step, name="hr_sync"),
    path("fortnox/hr/sync/<int:pk>/review/", hr_views.hr_sync_review, name="hr_sync_review"),
    path("fortnox/hr/sync/<int:pk>/", hr_views.hr_sync_run, name="hr_sync_run"),
    path("fortnox/hr/employees/<int:pk>/badge/", hr_views.employee_fortnox_badge, name="employee_fortnox_badge"),
    path("fortnox/hr/employees/<int:pk>/retry/", hr_views.employee_fortnox_retry, name="employee_fortnox_retry"),
    path("errors/", hr_views.error_log, name="integration_errors"),
    path("errors/<int:pk>/retry/", hr_views.error_retry, name="integration_error_retry"),
    path("errors/<int:pk>/dismiss/", hr_views.error_dismiss, name="integration_error_dismiss"),
]
