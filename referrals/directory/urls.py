"""Directory pages (included under /referrals/directory/ in the referrals namespace)."""

urlpatterns: list = []
