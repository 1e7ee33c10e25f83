from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from organizations import views as org_views

urlpatterns = [
    path("", org_views.dashboard, name="dashboard"),
    path("healthz", org_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("org/", include("organizations.urls")),
    path("hr/", include("hr.urls")),
    path("warehouse/", include("warehouse.urls")),
    path("integrations/", include("integrations.urls")),
    path("admin/", admin.site.urls),
]

if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/fortnox/", include("fortnox_sandbox.urls")))
