from django.urls import path

from . import views

app_name = "workspace"

urlpatterns = [
    path("today/", views.TodayView.as_view(), name="today"),
    path("tasks/", views.WorklistView.as_view(), name="worklist"),
    path("tasks/<int:pk>/close/", views.TaskCloseView.as_view(), name="task-close"),
]
