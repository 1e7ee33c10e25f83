from django.urls import path

from . import views

urlpatterns = [
    path("", views.integrations_index, name="integrations_index"),
    path("fortnox/hr/", views.hr_integration, name="hr_integration"),
    path("fortnox/hr/setup/", views.hr_setup_step, name="hr_setup"),
    path("fortnox/hr/settings/", views.hr_settings_step, name="hr_settings"),
    path("fortnox/hr/mapping/", views.hr_mapping_step, name="hr_mapping"),
    path("fortnox/hr/sync/", views.hr_sync_step, name="hr_sync"),
    path("fortnox/hr/sync/<int:pk>/review/", views.hr_sync_review, name="hr_sync_review"),
    path("fortnox/hr/sync/<int:pk>/", views.hr_sync_run, name="hr_sync_run"),
    path("fortnox/hr/employees/<int:pk>/badge/", views.employee_fortnox_badge, name="employee_fortnox_badge"),
    path("fortnox/hr/employees/<int:pk>/retry/", views.employee_fortnox_retry, name="employee_fortnox_retry"),
    path("fortnox/hr/conflicts/", views.hr_conflicts, name="hr_conflicts"),
    path("fortnox/hr/conflicts/<int:pk>/", views.hr_conflict_resolve, name="hr_conflict_resolve"),
    path("fortnox/hr/conflicts/person/<int:employee_pk>/", views.hr_conflicts_resolve_person, name="hr_conflicts_resolve_person"),
    path("fortnox/hr/pull/", views.hr_pull_now, name="hr_pull_now"),
    path("fortnox/hr/pull/add/", views.hr_add_from_fortnox, name="hr_add_from_fortnox"),
]
