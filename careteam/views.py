"""Project-level pages: home and the health check."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import health_report


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the static icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@login_required
def home(request):
    return redirect("workspace:today")


@never_cache
@require_GET
def healthz(request):
    """200 when the database and broker answer, 503 (with which one failed) when not."""
    ok, report = health_report()
    return JsonResponse(report, status=200 if ok else 503)
