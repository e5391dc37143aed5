"""URLs of the team dashboard (mounted at /dashboard/)."""

from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("drilldown/<str:key>/", views.DrilldownView.as_view(), name="drilldown"),
]
