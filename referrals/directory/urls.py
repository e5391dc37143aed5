"""Directory pages (included under /referrals/directory/ in the referrals namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.DirectorySearchView.as_view(), name="directory"),
    path("services/<int:pk>/", views.ServiceDetailView.as_view(), name="directory-service"),
    path(
        "services/<int:pk>/capacity/",
        views.ServiceCapacityUpdateView.as_view(),
        name="directory-service-capacity",
    ),
]
