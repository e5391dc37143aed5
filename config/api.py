"""The REST API's router: every app's viewsets under ``/api/v1/``.

It imports every app, so it lives in the project package above them all.
"""

from django.urls import path
from rest_framework.routers import DefaultRouter

from careteam.api import TokenObtainApi
from clients.allergies.api import AllergyViewSet
from clients.api import ClientViewSet
from clients.assessments.api import AssessmentResponseViewSet, InstrumentViewSet
from clients.consents.api import ConsentViewSet, DisclosureViewSet
from clients.contacts.api import ContactViewSet
from clients.diagnoses.api import DiagnosisCodeViewSet, DiagnosisViewSet
from clients.encounters.api import AppointmentViewSet, NoteViewSet
from clients.medications.api import MedicationViewSet, PrescriberRecommendationViewSet
from clients.needs.api import NeedViewSet
from crisis.api import CaringContactPlanViewSet, CheckpointViewSet, CrisisEpisodeViewSet, SafetyPlanViewSet
from dashboards.api import MetricsApi, MetricsDrilldownApi
from outreach.api import ClientReminderViewSet, ScheduledMessageViewSet
from peers.api import GroupAttendanceViewSet, PeerContactViewSet, RecoveryCheckInViewSet, SupportGroupViewSet
from peers.assignments.api import PeerAssignmentViewSet, PeerMatchViewSet, PeerProfileViewSet
from plans.api import ActionStepViewSet, CompletionViewSet, GoalViewSet, PlanViewSet, ProblemViewSet
from referrals.api import ReferralViewSet
from referrals.directory.api import OrganizationViewSet as DirectoryOrganizationViewSet
from referrals.directory.api import ServiceViewSet as DirectoryServiceViewSet
from workspace.api import TaskViewSet

router = DefaultRouter()
router.register("clients", ClientViewSet, basename="client")
router.register("tasks", TaskViewSet, basename="task")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("notes", NoteViewSet, basename="note")
router.register("needs", NeedViewSet, basename="need")
router.register("medications", MedicationViewSet, basename="medication")
router.register(
    "prescriber-recommendations", PrescriberRecommendationViewSet, basename="prescriber-recommendation"
)
router.register("allergies", AllergyViewSet, basename="allergy")
router.register("diagnoses", DiagnosisViewSet, basename="diagnosis")
router.register("diagnosis-codes", DiagnosisCodeViewSet, basename="diagnosis-code")
router.register("consents", ConsentViewSet, basename="consent")
router.register("disclosures", DisclosureViewSet, basename="disclosure")
router.register("contacts", ContactViewSet, basename="contact")
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("assessments", AssessmentResponseViewSet, basename="assessment")
router.register("plans", PlanViewSet, basename="plan")
router.register("plan-problems", ProblemViewSet, basename="plan-problem")
router.register("plan-goals", GoalViewSet, basename="plan-goal")
router.register("action-steps", ActionStepViewSet, basename="action-step")
router.register("step-completions", CompletionViewSet, basename="step-completion")
router.register("peer-profiles", PeerProfileViewSet, basename="peer-profile")
router.register("peer-matches", PeerMatchViewSet, basename="peer-match")
router.register("peer-assignments", PeerAssignmentViewSet, basename="peer-assignment")
router.register("peer-contacts", PeerContactViewSet, basename="peer-contact")
router.register("support-groups", SupportGroupViewSet, basename="support-group")
router.register("group-attendance", GroupAttendanceViewSet, basename="group-attendance")
router.register("recovery-checkins", RecoveryCheckInViewSet, basename="recovery-checkin")
router.register("crisis-episodes", CrisisEpisodeViewSet, basename="crisis-episode")
router.register("safety-plans", SafetyPlanViewSet, basename="safety-plan")
router.register("checkpoints", CheckpointViewSet, basename="checkpoint")
router.register("caring-contact-plans", CaringContactPlanViewSet, basename="caring-contact-plan")
router.register("scheduled-messages", ScheduledMessageViewSet, basename="scheduled-message")
router.register("reminders", ClientReminderViewSet, basename="reminder")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("directory/services", DirectoryServiceViewSet, basename="directory-service")
router.register("directory/organizations", DirectoryOrganizationViewSet, basename="directory-organization")

urlpatterns = [path("auth/token/", TokenObtainApi.as_view(), name="api-token")]
urlpatterns += [
    path("metrics/", MetricsApi.as_view(), name="api-metrics"),
    path("metrics/drilldowns/<str:key>/", MetricsDrilldownApi.as_view(), name="api-metrics-drilldown"),
]
