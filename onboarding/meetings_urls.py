"""Meetings: arranging, the meeting page, answers, .ics, calendar feeds, client teams.

Mounted by `onboarding.urls` at /meetings/. Every logged-in view reads through
`selectors.meetings` (another person's id and a missing id give the same 404). Two routes are
public by design and keyed by a secret: `link_answer` (a signed, expiring, single-use token
emailed to a client contact) and `feed` (a person's revocable calendar token).
"""

from django.urls import path

from .views import meetings as views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_index, name="index"),
    path("arrange/<int:enrollment_id>/", views.meeting_arrange, name="arrange"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/answer/", views.meeting_respond, name="respond"),
    path("<int:meeting_id>/reschedule/", views.meeting_reschedule, name="reschedule"),
    path("<int:meeting_id>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:meeting_id>/meeting.ics", views.meeting_ics, name="ics"),
    path("answer/<str:token>/", views.meeting_link_answer, name="link_answer"),
    path("calendar/", views.calendar_feed_settings, name="feed_settings"),
    path("calendar/new/", views.calendar_feed_create, name="feed_create"),
    path("calendar/revoke/", views.calendar_feed_revoke, name="feed_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    path("client-teams/", views.client_team_list, name="client_teams"),
    path("client-teams/<int:team_id>/", views.client_team_detail, name="client_team"),
    path("client-teams/<int:team_id>/delete/", views.client_team_delete, name="client_team_delete"),
    path(
        "client-teams/<int:team_id>/contacts/", views.client_contact_add, name="client_contact_add"
    ),
    path(
        "client-teams/<int:team_id>/contacts/<int:contact_id>/remove/",
        views.client_contact_remove,
        name="client_contact_remove",
    ),
]
