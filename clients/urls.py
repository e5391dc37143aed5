from django.urls import include, path

from . import access_report_views, views

app_name = "clients"

urlpatterns = [
    path("", include("clients.assessments.urls")),
    path("", include("clients.encounters.urls")),
    path("", include("clients.needs.urls")),
    path("", include("clients.diagnoses.urls")),
    path("", include("clients.medications.urls")),
    path("", include("clients.allergies.urls")),
    path("", include("clients.consents.urls")),
    path("", include("clients.contacts.urls")),
    path("", views.ClientListView.as_view(), name="list"),
    path("create/", views.ClientCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ClientDetailView.as_view(), name="detail"),
    path("<int:pk>/update/", views.ClientUpdateView.as_view(), name="update"),
    path("<int:pk>/archive/", views.ClientArchiveView.as_view(), name="archive"),
    path("<int:pk>/care-team/", views.CareTeamView.as_view(), name="care-team"),
    path("<int:pk>/access-report/", access_report_views.AccessReportView.as_view(), name="access-report"),
    path(
        "<int:pk>/access-report/print/",
        access_report_views.AccessReportPrintView.as_view(),
        name="access-report-print",
    ),
    path(
        "<int:pk>/access-report/csv/",
        access_report_views.AccessReportCsvView.as_view(),
        name="access-report-csv",
    ),
    path(
        "<int:pk>/care-team/<int:assignment_pk>/end/",
        views.AssignmentEndView.as_view(),
        name="assignment-end",
    ),
    path(
        "<int:pk>/supportive-people/create/",
        views.SupportivePersonCreateView.as_view(),
        name="supportive-person-create",
    ),
    path(
        "<int:pk>/supportive-people/<int:person_pk>/update/",
        views.SupportivePersonUpdateView.as_view(),
        name="supportive-person-update",
    ),
]
