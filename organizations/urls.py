from django.urls import path

from . import views

urlpatterns = [
    path("switch/", views.switch_organization, name="switch_organization"),
    path("preferences/", views.preferences, name="preferences"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/role/", views.member_change_role, name="member_change_role"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/bell/", views.notification_bell, name="notification_bell"),
    path("settings/", views.organization_settings, name="organization_settings"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
