"""The hire's journey: one enrollment's items and everything a hire does on them.

Mounted by `onboarding.urls` at /journey/. Every view reads the enrollment through
`selectors.enrollment_for_user`, so an id the viewer may not see is a 404.
"""

from django.urls import path

from .views import journey as views

app_name = "journey"

_ITEM = "<id:enrollment_id>/items/<id:item_id>/"
urlpatterns = [
    path(_ITEM, views.item_detail, name="item"),
    path(_ITEM + "check/", views.block_check, name="block_check"),
    path(_ITEM + "read/", views.resource_read, name="resource_read"),
    path(_ITEM + "answer/", views.answer_save, name="answer_save"),
    path(_ITEM + "reflection/", views.reflection_save, name="reflection_save"),
    path(_ITEM + "complete/", views.item_complete, name="item_complete"),
    path(_ITEM + "rate/", views.item_rate, name="item_rate"),
    path(_ITEM + "meeting/", views.meeting_request, name="meeting_request"),
    path(_ITEM + "open/<token:block_key>/", views.resource_open, name="resource_open"),
    path("<id:enrollment_id>/export.json", views.export_json, name="export_json"),
    path("<id:enrollment_id>/export.md", views.export_markdown, name="export_markdown"),
]
