from django.urls import path

from . import views

urlpatterns = [
    path("errors/", views.error_log, name="integration_errors"),
    path("errors/<int:pk>/retry/", views.error_retry, name="integration_error_retry"),
    path("errors/<int:pk>/dismiss/", views.error_dismiss, name="integration_error_dismiss"),
]
