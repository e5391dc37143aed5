"""URLs of the directory and of referrals, under /referrals/."""

from django.urls import include, path

app_name = "referrals"

urlpatterns = [
    path("directory/", include("referrals.directory.urls")),
]
