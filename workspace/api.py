"""REST API for the worklist: the caller's open tasks, and closing them."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from careteam.models import Task, TaskStatus
from careteam.services import task_close

from . import selectors


class TaskSerializer(serializers.ModelSerializer):
    client_record_number = serializers.CharField(source="client.record_number", read_only=True, default=None)

    class Meta:
        model = Task
        fields = [
            "id",
            "kind",
            "title",
            "detail",
            "priority",
            "status",
            "due_at",
            "client",
            "client_record_number",
            "assignee",
            "team",
            "done_at",
            "created_at",
        ]
        read_only_fields = fields


class TaskCloseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[TaskStatus.DONE, TaskStatus.DISMISSED], default=TaskStatus.DONE)


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tasks for the caller and their teams (open by default; ``?status=done`` for closed ones)."""

    serializer_class = TaskSerializer

    def get_queryset(self):
        status = self.request.query_params.get("status", TaskStatus.OPEN)
        if status not in TaskStatus.values:
            status = TaskStatus.OPEN
        if self.action != "list":
            status = ""
        return selectors.task_list_for_user(self.request.user, status=status)

    @action(detail=True, methods=["post"], serializer_class=TaskCloseSerializer)
    def close(self, request, pk=None):
        task = self.get_object()
        serializer = TaskCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = task_close(task=task, acting_user=request.user, status=serializer.validated_data["status"])
        return Response(TaskSerializer(task).data)
