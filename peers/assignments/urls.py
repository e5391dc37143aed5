"""URLs for peer matching, peer assignments and the peer's profile (included from ``peers.urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("clients/<int:pk>/peers/match/", views.PeerMatchView.as_view(), name="match"),
    path(
        "clients/<int:pk>/peers/assignments/<int:assignment_pk>/end/",
        views.PeerAssignmentEndView.as_view(),
        name="assignment-end",
    ),
    path("peers/profile/", views.PeerProfileView.as_view(), name="profile"),
]
