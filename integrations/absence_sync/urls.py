from django.urls import path

from . import views

urlpatterns = [
    path("fortnox/hr/absences/<int:pk>/state/", views.absence_state, name="absence_fortnox_state"),
    path("fortnox/hr/absences/<int:pk>/badge/", views.absence_badge, name="absence_fortnox_badge"),
    path("fortnox/hr/absences/<int:pk>/retry/", views.absence_retry, name="absence_fortnox_retry"),
    path("fortnox/hr/absences/backfill/", views.backfill, name="absence_backfill"),
    path("fortnox/hr/absences/backfill/<int:pk>/", views.backfill_run, name="absence_backfill_run"),
]
