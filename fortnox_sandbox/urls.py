from django.urls import include, path

from . import api, control_api, oauth, panel, resources

app_name = "fortnox_sandbox"

resources.load()

control_api_patterns = [
    path("companies", control_api.companies),
    path("companies/<int:database_number>", control_api.company),
    path("companies/<int:database_number>/reset", control_api.reset),
    path("companies/<int:database_number>/seed", control_api.seed),
    path("companies/<int:database_number>/users", control_api.users),
    path("companies/<int:database_number>/users/<str:username>", control_api.user),
    path("companies/<int:database_number>/consents", control_api.consents),
    path("companies/<int:database_number>/consents/<str:client_id>/revoke", control_api.revoke_consent),
    path("companies/<int:database_number>/records/<slug:resource>", control_api.records),
    path("companies/<int:database_number>/requests", control_api.request_log),
    path("companies/<int:database_number>/fortnox", control_api.in_fortnox),
    path("companies/<int:database_number>/events", control_api.stream_events),
    path("clients", control_api.clients),
    path("clients/<str:client_id>", control_api.client),
]

urlpatterns = [
    path("", panel.app_market, name="home"),
    path("apps/<str:client_id>/activate", panel.activate, name="activate"),
    path("oauth-v1/auth", oauth.authorize, name="authorize"),
    path("oauth-v1/token", oauth.token, name="token"),
    path("oauth-v1/revoke", oauth.revoke, name="revoke"),
    path("_control/", panel.index, name="control"),
    path("_control/companies/<int:database_number>/", panel.company, name="company"),
    path("_control/companies/<int:database_number>/users", panel.add_user, name="add_user"),
    path("_control/companies/<int:database_number>/users/<int:pk>", panel.user_role, name="user_role"),
    path("_control/companies/<int:database_number>/consents/<int:pk>/revoke", panel.revoke_consent,
         name="revoke_consent"),
    path("_control/clients/<str:client_id>/", panel.client, name="client"),
    path("_control/companies/<int:database_number>/reset", panel.reset, name="reset"),
    path("_control/companies/<int:database_number>/seed", panel.seed, name="seed"),
    path("_control/companies/<int:database_number>/records/<slug:resource>/", panel.records, name="records"),
    path("_control/companies/<int:database_number>/requests/", panel.request_log, name="requests"),
    path("_control/companies/<int:database_number>/fortnox", panel.in_fortnox, name="in_fortnox"),
    path("_control/companies/<int:database_number>/orders/new", panel.new_order, name="new_order"),
    path("_control/stream/", panel.stream, name="stream"),
    path("_control/api/", include(control_api_patterns)),
    *api.urlpatterns(),
]
