"""The delivery note that goes in the parcel (issue 23), as a printable A4 page and as a PDF, in
the customer's language. ReportLab draws the PDF: a pure-Python wheel with no system libraries
(WeasyPrint would need Pango and Cairo on every machine), and its built-in fonts' encoding covers
Swedish letters and typographic quotes without shipping a font."""

from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.translation import gettext as _

from .models import ZERO, SalesOrder
from .shipping import ShippingSettings


def quantity_text(value: Decimal) -> str:
    return formats.number_format(value.normalize(), use_l10n=True) if value else "0"


def note_rows(order: SalesOrder) -> list[dict]:
    """Each row with what was ordered, what goes in this delivery and what is left for later.
    Before the order is reported fulfilled, what goes is what is picked (non-stock rows go as ordered)."""
    sent = order.state == SalesOrder.State.SENT
    rows = []
    for row in order.rows.select_related("article"):
        if sent:
            delivered = row.delivered_quantity
        else:
            delivered = row.picked_quantity if row.is_pickable else row.ordered_quantity
        rows.append({
            "article_number": row.article.article_number if row.article else "",
            "description": row.description or (row.article.description if row.article else ""),
            "unit": row.unit or (row.article.unit if row.article else ""),
            "ordered": row.ordered_quantity, "delivered": delivered,
            "back_ordered": max(row.ordered_quantity - delivered, ZERO),
        })
    return rows


def note_context(order: SalesOrder) -> dict:
    """What both the page and the PDF show. Call inside the customer's language."""
    address = [order.delivery_name, order.delivery_address1, order.delivery_address2,
               f"{order.delivery_zip_code} {order.delivery_city}".strip(), order.delivery_country]
    references = [(_("Order number"), order.order_number), (_("Order date"), formats.date_format(order.order_date)),
                  (_("Customer number"), order.customer.customer_number), (_("Your reference"), order.your_reference),
                  (_("Our reference"), order.our_reference), (_("Your order number"), order.your_order_number),
                  (_("Delivery date"), formats.date_format(order.delivery_date) if order.delivery_date else ""),
                  (_("Way of delivery"), order.way_of_delivery), (_("Terms of delivery"), order.terms_of_delivery)]
    shipment = [(_("Transporter service"), str(order.transporter_service or "")),
                (_("Parcels"), str(order.parcels or "")),
                (_("Weight"), f"{formats.number_format(order.packed_weight_kg.normalize(), use_l10n=True)} kg"
                 if order.packed_weight_kg else "")]
    return {
        "order": order, "sender": ShippingSettings.get_or_create_for(order.organization).sender_lines(),
        "address": [line for line in address if line.strip()],
        "references": [(label, value) for label, value in references if value],
        "shipment": [(label, value) for label, value in shipment if value],
        "rows": [{**row, **{key: quantity_text(row[key]) for key in ("ordered", "delivered", "back_ordered")}}
                 for row in note_rows(order)],
    }


def pdf(order: SalesOrder) -> bytes:
    """The delivery note as an A4 PDF. Call inside the customer's language."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    context = note_context(order)
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)

    def lines(texts, style=body):
        return Paragraph("<br/>".join(escape(text) for text in texts), style)

    def facts(pairs):
        return Table([[Paragraph(f"<b>{escape(label)}</b>", small), Paragraph(escape(value), small)]
                      for label, value in pairs], colWidths=[35 * mm, 50 * mm], hAlign="LEFT")

    title = _("Delivery note")
    story = [
        Table([[lines(context["sender"]), Paragraph(f"<b>{escape(title)}</b><br/>{escape(order.order_number)}",
                                                    styles["Heading2"])]], colWidths=[100 * mm, 70 * mm]),
        Spacer(1, 8 * mm),
        Table([[lines([_("Deliver to")] + context["address"]), facts(context["references"])]],
              colWidths=[85 * mm, 85 * mm], style=[("VALIGN", (0, 0), (-1, -1), "TOP")]),
        Spacer(1, 6 * mm),
    ]
    if context["shipment"]:
        story += [facts(context["shipment"]), Spacer(1, 6 * mm)]
    header = [_("Article"), _("Description"), _("Ordered"), _("Delivered"), _("Back-ordered")]
    table = [[Paragraph(f"<b>{escape(text)}</b>", small) for text in header]] + [
        [Paragraph(escape(row["article_number"]), small), Paragraph(escape(row["description"]), small),
         f"{row['ordered']} {row['unit']}".strip(), row["delivered"], row["back_ordered"]]
        for row in context["rows"]]
    story.append(Table(table, colWidths=[28 * mm, 76 * mm, 22 * mm, 22 * mm, 22 * mm], repeatRows=1, style=TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black), ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
        ("ALIGN", (2, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTSIZE", (0, 0), (-1, -1), 8),
    ])))
    if order.remarks:
        story += [Spacer(1, 6 * mm), lines([_("Remarks")] + order.remarks.splitlines(), small)]
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=f"{title} {order.order_number}", leftMargin=20 * mm,
                      rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm).build(story)
    return buffer.getvalue()
