"""Notifications: the bell's list, mark read, and the program admins' outbox log.

Mounted by `onboarding.urls` at /notifications/. A person reaches only their own
notifications (`selectors.notifications.notification_for_user`: another id is a 404).
"""

from django.urls import path

from .views import notifications as views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<id:notification_id>/read/", views.notification_read, name="read"),
    path("<id:notification_id>/open/", views.notification_open, name="open"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("sent/", views.outbox_log, name="outbox"),
]
