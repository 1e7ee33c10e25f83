from django.urls import path

from . import views

urlpatterns = [
    path("fortnox/warehouse/", views.settings_page, name="warehouse_sync_settings"),
    path("fortnox/warehouse/sync/", views.sync_now, name="warehouse_sync_now"),
    path("fortnox/warehouse/runs/<int:pk>/", views.run_page, name="warehouse_sync_run"),
    path("fortnox/warehouse/purchase-orders/", views.purchase_orders_page, name="warehouse_sync_purchase_orders"),
    path("fortnox/warehouse/purchase-orders/<int:pk>/report/", views.report_purchase_order,
         name="warehouse_sync_report_purchase_order"),
    path("fortnox/warehouse/state/<str:kind>/<int:pk>/", views.report_state, name="warehouse_sync_report_state"),
    path("fortnox/warehouse/errors/<int:pk>/retry/", views.retry_report, name="warehouse_sync_retry"),
]
