"""Root URL configuration."""

from allauth.account.decorators import secure_admin_login
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .api import router as api_router
from .api import urlpatterns as api_urlpatterns

admin.site.site_header = "careteam administration"
admin.site.site_title = "careteam admin"
# The admin signs in through the same page as everyone else: lockout, password, second factor.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("careteam.urls")),
    path("clients/", include("clients.urls")),
    path("clients/<int:pk>/plans/", include("plans.urls")),
    path("", include("peers.urls")),
    path("referrals/", include("referrals.urls")),
    path("crisis/", include("crisis.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("", include("workspace.urls")),
    path("outreach/", include("outreach.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urlpatterns + api_router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's page carries one small inline <style>; everything else stays under the strict policy.
    # Like the schema it describes, it is for signed-in staff only: a browser is sent to sign in first.
    path(
        "api/docs/",
        login_required(
            csp_update({"style-src": ["'self'", "'unsafe-inline'"]})(
                SpectacularSwaggerSplitView.as_view(url_name="api-schema")
            )
        ),
        name="api-docs",
    ),
]
