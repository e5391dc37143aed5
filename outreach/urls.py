"""URLs of the outbox, mounted under /outreach/ (namespace ``outreach``)."""

from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("clients/<int:pk>/messages/", views.MessagesTabView.as_view(), name="client-messages"),
    path("clients/<int:pk>/messages/send/", views.MessageSendView.as_view(), name="message-send"),
    path(
        "clients/<int:pk>/messages/<int:message_pk>/cancel/",
        views.MessageCancelView.as_view(),
        name="message-cancel",
    ),
    path("clients/<int:pk>/reminders/create/", views.ReminderCreateView.as_view(), name="reminder-create"),
    path(
        "clients/<int:pk>/reminders/<int:reminder_pk>/stop/",
        views.ReminderStopView.as_view(),
        name="reminder-stop",
    ),
    path("sms/inbound/", views.sms_inbound, name="sms-inbound"),
    path("sms/status/", views.sms_status, name="sms-status"),
]
