"""URLs of logged contacts, mounted under /clients/ (namespace ``clients:contacts``)."""

from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("<int:pk>/contacts/", views.ContactLogView.as_view(), name="list"),
    path("<int:pk>/contacts/add/", views.ContactCreateView.as_view(), name="create"),
]
