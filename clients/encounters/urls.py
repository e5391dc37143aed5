"""URLs of appointments and session notes, mounted under /clients/ (namespace ``clients:encounters``)."""

from django.urls import path

from . import views

app_name = "encounters"

urlpatterns = [
    path("notes/cosign/", views.CosignQueueView.as_view(), name="cosign-queue"),
    path("<int:pk>/encounters/", views.EncounterTabView.as_view(), name="tab"),
    path("<int:pk>/appointments/create/", views.AppointmentCreateView.as_view(), name="appointment-create"),
    path(
        "<int:pk>/appointments/<int:appointment_pk>/reschedule/",
        views.AppointmentRescheduleView.as_view(),
        name="appointment-reschedule",
    ),
    path(
        "<int:pk>/appointments/<int:appointment_pk>/cancel/",
        views.AppointmentCancelView.as_view(),
        name="appointment-cancel",
    ),
    path(
        "<int:pk>/appointments/<int:appointment_pk>/status/",
        views.AppointmentStatusView.as_view(),
        name="appointment-status",
    ),
    path("<int:pk>/notes/create/", views.NoteCreateView.as_view(), name="note-create"),
    path("<int:pk>/notes/<int:note_pk>/", views.NoteDetailView.as_view(), name="note-detail"),
    path("<int:pk>/notes/<int:note_pk>/update/", views.NoteUpdateView.as_view(), name="note-update"),
    path("<int:pk>/notes/<int:note_pk>/sign/", views.NoteSignView.as_view(), name="note-sign"),
    path("<int:pk>/notes/<int:note_pk>/cosign/", views.NoteCosignView.as_view(), name="note-cosign"),
    path("<int:pk>/notes/<int:note_pk>/return/", views.NoteReturnView.as_view(), name="note-return"),
    path("<int:pk>/notes/<int:note_pk>/addenda/", views.NoteAddendumView.as_view(), name="note-addendum"),
]
