"""URLs of crisis work, mounted at /crisis/ (namespace ``crisis``)."""

from django.urls import path

from . import views

app_name = "crisis"

urlpatterns = [
    path("open/", views.QuickOpenView.as_view(), name="open"),
    path("board/", views.CrisisBoardView.as_view(), name="board"),
    path("safety-plan/<str:token>/", views.PublicSafetyPlanView.as_view(), name="public-safety-plan"),
    path("clients/<int:pk>/", views.CrisisTabView.as_view(), name="client-tab"),
    path(
        "clients/<int:pk>/episodes/<int:episode_pk>/",
        views.EpisodeDetailView.as_view(),
        name="episode-detail",
    ),
    path(
        "clients/<int:pk>/episodes/<int:episode_pk>/disposition/",
        views.EpisodeDispositionView.as_view(),
        name="episode-disposition",
    ),
    path(
        "clients/<int:pk>/episodes/<int:episode_pk>/close/",
        views.EpisodeCloseView.as_view(),
        name="episode-close",
    ),
    path(
        "clients/<int:pk>/episodes/<int:episode_pk>/caring-contacts/",
        views.EpisodeCaringContactsView.as_view(),
        name="episode-caring-contacts",
    ),
    path("clients/<int:pk>/safety-plan/update/", views.SafetyPlanEditView.as_view(), name="safety-plan-edit"),
    path(
        "clients/<int:pk>/safety-plan/versions/",
        views.SafetyPlanVersionsView.as_view(),
        name="safety-plan-versions",
    ),
    path(
        "clients/<int:pk>/safety-plan/print/", views.SafetyPlanPrintView.as_view(), name="safety-plan-print"
    ),
    path("clients/<int:pk>/safety-plan/send/", views.SafetyPlanSendView.as_view(), name="safety-plan-send"),
    path(
        "clients/<int:pk>/caring-contacts/create/",
        views.CaringContactsStartView.as_view(),
        name="caring-contacts-start",
    ),
    path(
        "clients/<int:pk>/caring-contacts/<int:plan_pk>/stop/",
        views.CaringContactsStopView.as_view(),
        name="caring-contacts-stop",
    ),
]
