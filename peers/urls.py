from django.urls import include, path

from . import views

app_name = "peers"

urlpatterns = [
    path("", include("peers.assignments.urls")),
    path("peers/", views.MyPeopleView.as_view(), name="home"),
    path("peers/clients/<int:pk>/", views.PeerClientView.as_view(), name="client"),
    path("peers/clients/<int:pk>/contacts/create/", views.ContactCreateView.as_view(), name="contact-create"),
    path(
        "peers/clients/<int:pk>/attendance/create/",
        views.AttendanceCreateView.as_view(),
        name="attendance-create",
    ),
    path("peers/clients/<int:pk>/checkins/create/", views.CheckinCreateView.as_view(), name="checkin-create"),
    path("peers/supervision/", views.SupervisionView.as_view(), name="supervision"),
    path("peers/first-friends/", views.FirstFriendSearchView.as_view(), name="first-friends"),
    path("clients/<int:pk>/peer-support/", views.PeerSupportTabView.as_view(), name="chart-tab"),
]
