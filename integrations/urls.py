from django.urls import include, path

urlpatterns = [
    path("", include("integrations.connection.urls")),
    path("", include("integrations.core.urls")),
    path("", include("integrations.hr_sync.urls")),
    path("", include("integrations.absence_sync.urls")),
    path("", include("integrations.warehouse_sync.urls")),
]
