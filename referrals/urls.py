"""URLs of the directory and of referrals, under /referrals/."""

from django.urls import include, path

from . import views

app_name = "referrals"

urlpatterns = [
    path("directory/", include("referrals.directory.urls")),
    path("", views.ReferralWorklistView.as_view(), name="worklist"),
    path("clients/<int:pk>/", views.ClientReferralsTabView.as_view(), name="client-tab"),
    path("clients/<int:pk>/new/", views.ReferralCreateView.as_view(), name="create"),
    path("<int:referral_pk>/", views.ReferralDetailView.as_view(), name="detail"),
    path("<int:referral_pk>/update/", views.ReferralUpdateView.as_view(), name="update"),
    path("partner/<str:token>/", views.PartnerReferralView.as_view(), name="partner"),
]
