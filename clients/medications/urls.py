"""URLs of medications and the prescriber's recommendations, mounted under /clients/
(namespace ``clients:medications``)."""

from django.urls import path

from . import views

app_name = "medications"

urlpatterns = [
    path("<int:pk>/medications/", views.MedicationsTabView.as_view(), name="tab"),
    path("<int:pk>/medications/create/", views.MedicationCreateView.as_view(), name="create"),
    path(
        "<int:pk>/medications/<int:medication_pk>/update/",
        views.MedicationUpdateView.as_view(),
        name="update",
    ),
    path("<int:pk>/medications/<int:medication_pk>/stop/", views.MedicationStopView.as_view(), name="stop"),
    path(
        "<int:pk>/medications/<int:medication_pk>/entered-in-error/",
        views.MedicationErrorView.as_view(),
        name="entered-in-error",
    ),
    path(
        "<int:pk>/prescriber-recommendations/create/",
        views.RecommendationCreateView.as_view(),
        name="recommendation-create",
    ),
    path(
        "<int:pk>/prescriber-recommendations/<int:recommendation_pk>/entered-in-error/",
        views.RecommendationErrorView.as_view(),
        name="recommendation-entered-in-error",
    ),
]
