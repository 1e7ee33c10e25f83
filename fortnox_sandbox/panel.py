"""The control panel (HTML, for people) and the app market."""

import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import events as events_module
from .access import panel_access
from .actions import do_reset_company, do_revoke_consent, do_seed_company, next_database_number
from .api import call_in_fortnox
from .forms import CompanyForm, OAuthClientSettingsForm, SandboxUserForm
from .models import Company, Consent, OAuthClient, Record, RequestLog, StreamConnection, TopicEvent, may_send_browser_to

PAGE = 50


@panel_access
def index(request):
    OAuthClient.objects.ensure_builtin()
    form = CompanyForm(request.POST or None, initial={"database_number": next_database_number()})
    if request.method == "POST" and form.is_valid():
        company = form.save()
        messages.success(request, f"Created {company}.")
        return redirect("fortnox_sandbox:company", company.database_number)
    return render(request, "fortnox_sandbox/index.html", {
        "companies": Company.objects.all(), "clients": OAuthClient.objects.all(), "form": form,
    })


@panel_access
def company(request, database_number):
    company = get_object_or_404(Company, database_number=database_number)
    form = CompanyForm(request.POST or None, instance=company, prefix="company")
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect("fortnox_sandbox:company", database_number)
    resources = Record.objects.filter(company=company).values_list("resource", flat=True).distinct().order_by("resource")
    return render(request, "fortnox_sandbox/company.html", {
        "company": company, "form": form, "user_form": SandboxUserForm(prefix="user"),
        "users": company.users.all(), "resources": resources,
        "consents": company.consents.select_related("client", "approved_by"),
        "requests": RequestLog.objects.filter(company=company)[:PAGE],
        "events": TopicEvent.objects.filter(company=company).order_by("-at", "-pk")[:10],
        # The new-order form suggests what the company has (a number typed by hand still works).
        "customer_choices": _choices(company, "customers", "Name"),
        "article_choices": _choices(company, "articles", "Description"),
    })


def _choices(company, resource: str, name_field: str, limit: int = 200) -> list[tuple[str, str]]:
    records = Record.objects.filter(company=company, resource=resource).order_by("key")
    return [(key, name or "") for key, name in records.values_list("key", f"document__{name_field}")[:limit]]


@panel_access
@require_POST
def add_user(request, database_number):
    company = get_object_or_404(Company, database_number=database_number)
    form = SandboxUserForm(request.POST, prefix="user")
    if form.is_valid():
        form.instance.company = company
        form.save()
        messages.success(request, f"Sandbox user {form.instance.username} can now log in to the consent page.")
    else:
        messages.error(request, "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()))
    return redirect("fortnox_sandbox:company", database_number)


@panel_access
@require_POST
def user_role(request, database_number, pk):
    user = get_object_or_404(Company, database_number=database_number).users.filter(pk=pk).first()
    if user is None:
        raise Http404("No such sandbox user in this company.")
    user.is_system_admin = request.POST.get("is_system_admin") == "on"
    user.save(update_fields=["is_system_admin"])
    role = "a system administrator" if user.is_system_admin else "no longer a system administrator"
    messages.success(request, f"{user.username} is {role}.")
    return redirect("fortnox_sandbox:company", database_number)


@panel_access
@require_POST
def revoke_consent(request, database_number, pk):
    consent = get_object_or_404(Consent.objects.select_related("client", "company"),
                                company__database_number=database_number, pk=pk)
    if do_revoke_consent(consent):
        told = (f"the consent-revoked webhook goes to {consent.client.webhook_url}" if consent.client.webhook_url
                else "the app has no webhook URL, so it is not told")
        messages.success(request, f"Revoked the service account of {consent.client}; {told}.")
    else:
        messages.error(request, f"The service account of {consent.client} was already revoked.")
    return redirect("fortnox_sandbox:company", database_number)


@panel_access
def client(request, client_id):
    OAuthClient.objects.ensure_builtin()
    found = get_object_or_404(OAuthClient, client_id=client_id)
    form = OAuthClientSettingsForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved {found}.")
        return redirect("fortnox_sandbox:client", client_id)
    return render(request, "fortnox_sandbox/client.html", {"client": found, "form": form})


@panel_access
@require_POST
def reset(request, database_number):
    company = get_object_or_404(Company, database_number=database_number)
    do_reset_company(company)
    messages.success(request, f"{company} is empty again.")
    return redirect("fortnox_sandbox:company", database_number)


@panel_access
@require_POST
def seed(request, database_number):
    company = get_object_or_404(Company, database_number=database_number)
    try:
        size = int(request.POST.get("size", 300))
    except ValueError:
        size = 0
    if not 1 <= size <= 5000:
        messages.error(request, "The size must be a whole number between 1 and 5000.")
    else:
        do_seed_company(company, size=size)
        messages.success(request, f"Seeded {company} with demo data (size {size}).")
    return redirect("fortnox_sandbox:company", database_number)


@panel_access
def records(request, database_number, resource):
    company = get_object_or_404(Company, database_number=database_number)
    page = Paginator(Record.objects.filter(company=company, resource=resource).order_by("key"), PAGE)
    return render(request, "fortnox_sandbox/records.html", {
        "company": company, "resource": resource, "page": page.get_page(request.GET.get("page")),
    })


@panel_access
def request_log(request, database_number):
    company = get_object_or_404(Company, database_number=database_number)
    page = Paginator(RequestLog.objects.filter(company=company), PAGE)
    return render(request, "fortnox_sandbox/requests.html", {
        "company": company, "page": page.get_page(request.GET.get("page")),
    })


def app_market(request):
    """Fortnox's marketplace: each registered app with an Activate button."""
    OAuthClient.objects.ensure_builtin()
    return render(request, "fortnox_sandbox/app_market.html", {"clients": OAuthClient.objects.exclude(landing_page="")})


@require_POST
def activate(request, client_id):
    client = get_object_or_404(OAuthClient.objects.exclude(landing_page=""), client_id=client_id)
    if not may_send_browser_to(client.landing_page):
        raise Http404("This app's landing page is not on Brygga's own address.")
    return HttpResponseRedirect(client.landing_page)


@panel_access
@require_POST
def in_fortnox(request, database_number):
    """"Make a change in Fortnox": any route of the sandbox's API, by its own rules, as the
    company's user in Fortnox's web app (no token, rate limit or faults)."""
    company = get_object_or_404(Company, database_number=database_number)
    method, tail, raw = request.POST.get("method", "GET"), request.POST.get("path", "").strip(), request.POST.get("body", "")
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError:
        messages.error(request, "The body is not JSON.")
        return redirect("fortnox_sandbox:company", database_number)
    _tell(request, *call_in_fortnox(company, method, tail, body, request), what=f"{method} {tail}")
    return redirect("fortnox_sandbox:company", database_number)


@panel_access
@require_POST
def new_order(request, database_number):
    """A new order for one customer and one article, made in Fortnox (as `in_fortnox`)."""
    company = get_object_or_404(Company, database_number=database_number)
    customer, item = request.POST.get("customer", "").strip(), request.POST.get("article", "").strip()
    try:
        quantity = float(request.POST.get("quantity", "1").replace(",", "."))
    except ValueError:
        quantity = 0
    if not (customer and item and quantity > 0):
        messages.error(request, "A new order needs a customer number, an article number and a quantity above 0.")
        return redirect("fortnox_sandbox:company", database_number)
    body = {"Order": {"CustomerNumber": customer,
                      "OrderRows": [{"ArticleNumber": item, "OrderedQuantity": quantity}]}}
    _tell(request, *call_in_fortnox(company, "POST", "3/orders", body, request), what="New order")
    return redirect("fortnox_sandbox:company", database_number)


def _tell(request, status: int, answer, what: str):
    if status < 300:
        number = (answer or {}).get("Order", {}).get("DocumentNumber") if isinstance(answer, dict) else None
        messages.success(request, f"{what}: {status}" + (f", order {number}" if number else ""))
    else:
        messages.error(request, f"{what}: {status} {json.dumps(answer, ensure_ascii=False)[:500]}")


@panel_access
def stream(request):
    """The event stream: where it is, and its latest events."""
    latest = TopicEvent.objects.select_related("company").order_by("-at", "-pk")[:PAGE]
    # A server reports its connections every 2 s; a row older than 10 s is a server that was killed.
    connected = StreamConnection.objects.filter(seen_at__gt=timezone.now() - timedelta(seconds=10))
    return render(request, "fortnox_sandbox/stream.html", {
        "events": latest, "url": settings.FORTNOX_EVENTS_URL, "retention": events_module.retention(),
        "connections": connected,
    })
