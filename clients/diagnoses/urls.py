"""URLs of diagnoses, mounted under /clients/ (namespace ``clients:diagnoses``)."""

from django.urls import path

from . import views

app_name = "diagnoses"

urlpatterns = [
    path("diagnosis-codes/", views.DiagnosisCodeSearchView.as_view(), name="code-search"),
    path("<int:pk>/diagnoses/", views.DiagnosisTabView.as_view(), name="tab"),
    path("<int:pk>/diagnoses/create/", views.DiagnosisCreateView.as_view(), name="create"),
    path("<int:pk>/diagnoses/<int:diagnosis_pk>/update/", views.DiagnosisUpdateView.as_view(), name="update"),
    path("<int:pk>/diagnoses/<int:diagnosis_pk>/status/", views.DiagnosisStatusView.as_view(), name="status"),
]
