"""URLs of the Assessments chart tab, included into the ``clients`` namespace by clients/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/assessments/", views.AssessmentListView.as_view(), name="assessments"),
    path(
        "<int:pk>/assessments/<slug:code>/administer/",
        views.AssessmentAdministerView.as_view(),
        name="assessment-administer",
    ),
]
