from django.urls import path

from . import shipping_views, views

app_name = "warehouse"

urlpatterns = [
    path("", views.pick_queue, name="pick_queue"),
    path("orders/<int:pk>/", views.order_page, name="order"),
    path("orders/<int:pk>/start/", views.order_start_picking, name="order_start_picking"),
    path("orders/<int:pk>/scan/", views.order_scan, name="order_scan"),
    path("orders/<int:pk>/rows/<int:row_pk>/pick/", views.order_pick_row, name="order_pick_row"),
    path("orders/<int:pk>/pack/", views.order_pack, name="order_pack"),
    path("orders/<int:pk>/fulfil/", views.order_report_fulfilled, name="order_report_fulfilled"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/return/", views.order_return, name="order_return"),
    path("purchase-orders/", views.purchase_order_list, name="purchase_orders"),
    path("purchase-orders/<int:pk>/", views.purchase_order_receive, name="purchase_order"),
    path("purchase-orders/<int:pk>/close-short/", views.purchase_order_close_short, name="purchase_order_close_short"),
    path("stock/", views.stock, name="stock"),
    path("stock/articles/<int:pk>/", views.article_stock, name="article"),
    path("stock/adjust/", views.adjustment_new, name="adjustment_new"),
    path("orders/<int:pk>/service/", shipping_views.order_service, name="order_service"),
    path("orders/<int:pk>/delivery-note/", shipping_views.order_delivery_note, name="order_delivery_note"),
    path("orders/<int:pk>/delivery-note.pdf", shipping_views.order_delivery_note, {"as_pdf": True},
         name="order_delivery_note_pdf"),
    path("orders/<int:pk>/notices/<int:notice_pk>/send-again/", shipping_views.notice_send_again,
         name="order_notice_send_again"),
    path("shipping/", shipping_views.shipping_settings, name="shipping"),
    path("shipping/apply/", shipping_views.apply_rules, name="shipping_apply_rules"),
    path("shipping/rules/<int:pk>/edit/", shipping_views.rule_edit, name="shipping_rule_edit"),
    path("shipping/rules/<int:pk>/move/", shipping_views.rule_move, name="shipping_rule_move"),
    path("shipping/rules/<int:pk>/delete/", shipping_views.rule_delete, name="shipping_rule_delete"),
    path("shipping/services/<int:pk>/delete/", shipping_views.service_delete, name="shipping_service_delete"),
]
