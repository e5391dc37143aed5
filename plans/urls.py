"""Treatment-plan pages, mounted under ``clients/<pk>/plans/`` (``pk`` is the client)."""

from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.PlanDetailView.as_view(), name="client-plan"),
    path("create/", views.PlanCreateView.as_view(), name="create"),
    path("print/", views.PlanPrintView.as_view(), name="print"),
    path("versions/", views.PlanVersionsView.as_view(), name="versions"),
    path("<int:plan_pk>/", views.PlanDetailView.as_view(), name="version"),
    path("<int:plan_pk>/print/", views.PlanPrintView.as_view(), name="version-print"),
    path("<int:plan_pk>/update/", views.PlanDraftView.as_view(), name="draft"),
    path("<int:plan_pk>/activate/", views.PlanActivateView.as_view(), name="activate"),
    path("<int:plan_pk>/reviews/create/", views.PlanReviewCreateView.as_view(), name="review-create"),
    path("<int:plan_pk>/problems/create/", views.ProblemCreateView.as_view(), name="problem-create"),
    path(
        "<int:plan_pk>/problems/<int:item_pk>/update/",
        views.ProblemUpdateView.as_view(),
        name="problem-update",
    ),
    path(
        "<int:plan_pk>/problems/<int:item_pk>/goals/create/",
        views.GoalCreateView.as_view(),
        name="goal-create",
    ),
    path("<int:plan_pk>/goals/<int:item_pk>/update/", views.GoalUpdateView.as_view(), name="goal-update"),
    path(
        "<int:plan_pk>/goals/<int:item_pk>/steps/create/", views.StepCreateView.as_view(), name="step-create"
    ),
    path("<int:plan_pk>/steps/<int:item_pk>/update/", views.StepUpdateView.as_view(), name="step-update"),
    path(
        "<int:plan_pk>/goals/<int:item_pk>/interventions/create/",
        views.InterventionCreateView.as_view(),
        name="intervention-create",
    ),
    path(
        "<int:plan_pk>/interventions/<int:item_pk>/update/",
        views.InterventionUpdateView.as_view(),
        name="intervention-update",
    ),
    path(
        "<int:plan_pk>/<str:kind>/<int:item_pk>/remove/", views.ItemRemoveView.as_view(), name="item-remove"
    ),
    path(
        "steps/<int:step_pk>/completions/create/",
        views.CompletionCreateView.as_view(),
        name="completion-create",
    ),
    path("notes/<int:note_pk>/goals/", views.NotePanelView.as_view(), name="note-panel"),
]
