from django.urls import path

from . import views

urlpatterns = [
    path("fortnox/", views.connection_page, name="fortnox_connection"),
    path("fortnox/connect/", views.connect, name="fortnox_connect"),
    path("fortnox/callback/", views.callback, name="fortnox_callback"),
    path("fortnox/disconnect/", views.disconnect, name="fortnox_disconnect"),
    path("fortnox/take-over/", views.take_over, name="fortnox_take_over"),
    path("fortnox/activate/", views.activate, name="fortnox_activate"),
    path("fortnox/webhook/", views.consent_webhook, name="fortnox_consent_webhook"),
]
