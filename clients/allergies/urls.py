"""URLs of allergies, mounted under /clients/ (namespace ``clients:allergies``)."""

from django.urls import path

from . import views

app_name = "allergies"

urlpatterns = [
    path("<int:pk>/allergies/create/", views.AllergyCreateView.as_view(), name="create"),
    path("<int:pk>/allergies/none-known/", views.AllergyNoneKnownView.as_view(), name="none-known"),
    path("<int:pk>/allergies/<int:allergy_pk>/update/", views.AllergyUpdateView.as_view(), name="update"),
    path("<int:pk>/allergies/<int:allergy_pk>/status/", views.AllergyStatusView.as_view(), name="status"),
]
