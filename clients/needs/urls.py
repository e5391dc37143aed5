"""URLs of needs, mounted under /clients/ (namespace ``clients:needs``)."""

from django.urls import path

from . import views

app_name = "needs"

urlpatterns = [
    path("<int:pk>/needs/add/", views.NeedCreateView.as_view(), name="create"),
    path("<int:pk>/needs/<int:need_pk>/edit/", views.NeedUpdateView.as_view(), name="update"),
    path("<int:pk>/needs/<int:need_pk>/status/", views.NeedStatusView.as_view(), name="status"),
]
