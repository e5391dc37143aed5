"""URLs of consents and disclosures, mounted under /clients/ (namespace ``clients:consents``)."""

from django.urls import path

from . import views

app_name = "consents"

urlpatterns = [
    path("<int:pk>/consents/", views.ConsentTabView.as_view(), name="tab"),
    path("<int:pk>/consents/add/", views.ConsentCreateView.as_view(), name="create"),
    path("<int:pk>/consents/<int:consent_pk>/revoke/", views.ConsentRevokeView.as_view(), name="revoke"),
    path("<int:pk>/disclosures/print/", views.DisclosurePrintView.as_view(), name="disclosures-print"),
]
