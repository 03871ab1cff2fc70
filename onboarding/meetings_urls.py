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
    path("arrange/<id:enrollment_id>/", views.meeting_arrange, name="arrange"),
    path(
        "arrange/<id:enrollment_id>/client-team/",
        views.meeting_arrange_team,
        name="arrange_team",
    ),
    path("<id:meeting_id>/", views.meeting_detail, name="detail"),
    path("<id:meeting_id>/status/", views.meeting_status, name="status"),
    path("<id:meeting_id>/answer/", views.meeting_respond, name="respond"),
    path("<id:meeting_id>/reschedule/", views.meeting_reschedule, name="reschedule"),
    path("<id:meeting_id>/cancel/", views.meeting_cancel, name="cancel"),
    path("<id:meeting_id>/meeting.ics", views.meeting_ics, name="ics"),
    path("answer/<token:token>/", views.meeting_link_answer, name="link_answer"),
    path("calendar/", views.calendar_feed_settings, name="feed_settings"),
    path("calendar/new/", views.calendar_feed_create, name="feed_create"),
    path("calendar/revoke/", views.calendar_feed_revoke, name="feed_revoke"),
    path("calendar/<token:token>.ics", views.calendar_feed, name="feed"),
    path("client-teams/", views.client_team_list, name="client_teams"),
    path(
        "client-teams/programs/<id:program_id>/",
        views.client_teams_policy,
        name="client_teams_policy",
    ),
    path("client-teams/<id:team_id>/", views.client_team_detail, name="client_team"),
    path("client-teams/<id:team_id>/delete/", views.client_team_delete, name="client_team_delete"),
    path(
        "client-teams/<id:team_id>/contacts/", views.client_contact_add, name="client_contact_add"
    ),
    path(
        "client-teams/<id:team_id>/contacts/<id:contact_id>/remove/",
        views.client_contact_remove,
        name="client_contact_remove",
    ),
]
