"""Curriculum URLs, mounted by the project at `paths.URL_PREFIX` ("/curriculum/").

Links inside imported items are rendered to HTML at import time with `curriculum.paths`, so the
item and asset routes here must keep matching those paths (tests/curriculum checks it).
"""

from django.urls import path

from . import authoring_views, views

app_name = "curriculum"

urlpatterns = [
    path("programs/", views.program_list, name="program_list"),
    path(
        "imports/<id:import_request_id>/",
        views.import_request_detail,
        name="import_request_detail",
    ),
    path("versions/<id:version_id>/", views.version_detail, name="version_detail"),
    path("versions/<id:version_id>/publish/", views.version_publish, name="version_publish"),
    path("versions/<id:version_id>/export.zip", views.version_export, name="version_export"),
    path(
        "versions/<id:version_id>/structure/",
        authoring_views.version_structure,
        name="version_structure",
    ),
    path("programs/<id:program_id>/draft/", authoring_views.program_draft, name="program_draft"),
    path("items/<id:item_id>/edit/", authoring_views.item_edit, name="item_edit"),
    path(
        "items/<id:item_id>/edit/preview/",
        authoring_views.item_edit_preview,
        name="item_edit_preview",
    ),
    path("items/<id:item_id>/history/", authoring_views.item_history, name="item_history"),
    path(
        "items/<id:item_id>/hire-preview/",
        authoring_views.item_hire_preview,
        name="item_hire_preview",
    ),
    path("items/<id:item_id>/", views.item_detail, name="item_detail"),
    path("assets/<id:asset_id>/<path:name>", views.asset_file, name="asset_file"),
]
