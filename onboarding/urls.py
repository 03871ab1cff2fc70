from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from . import health
from .views.floor import floor
from .views.home import home

# The Django admin signs in through allauth, so its login gets the same rate limits and MFA.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Onboarding administration"

# A database outage answers 503 with Retry-After; anything else the plain 500 page.
handler500 = "onboarding.views.errors.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("floor", floor, name="floor"),  # the load benchmark's floor: one row by primary key
    path("journey/", include("onboarding.journey_urls")),
    path("notifications/", include("onboarding.notifications_urls")),
    path("desk/", include("onboarding.desk_urls")),
    path("meetings/", include("onboarding.meetings_urls")),
    path("manage/", include("onboarding.manage_urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("curriculum/", include("curriculum.urls")),
    path("admin/", admin.site.urls),
]
