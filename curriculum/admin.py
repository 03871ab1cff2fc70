"""Django admin for curriculum: read-mostly. Content changes only by import (a new version);
the one write offered here, publishing, goes through the service."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Asset, Block, Chapter, Item, Program, ProgramVersion
from .services import version_publish


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Program)
class ProgramAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "source", "created_at"]
    search_fields = ["title", "slug"]


@admin.register(ProgramVersion)
class ProgramVersionAdmin(ReadOnlyAdmin):
    list_display = ["program", "number", "state", "source_kind", "created_by", "created_at"]
    list_filter = ["state", "program"]
    list_select_related = ["program", "created_by"]
    actions = ["publish"]

    @admin.action(description="Publish (make current for new enrollments)")
    def publish(self, request: HttpRequest, queryset: QuerySet[ProgramVersion]) -> None:
        if queryset.values("program").distinct().count() != queryset.count():
            self.message_user(request, "Pick one version per program.", messages.ERROR)
            return
        for version in queryset:
            version_publish(version=version, published_by=request.user)  # type: ignore[arg-type]
        self.message_user(request, f"Published {queryset.count()} version(s).")


@admin.register(Chapter)
class ChapterAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "version", "position"]
    list_select_related = ["version__program"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "number", "source_path", "version"]
    list_filter = ["kind"]
    list_select_related = ["version__program"]
    search_fields = ["title", "source_path"]


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "key", "item", "position"]
    list_filter = ["kind"]
    list_select_related = ["item"]
    search_fields = ["key", "title"]


@admin.register(Asset)
class AssetAdmin(ReadOnlyAdmin):
    list_display = ["path", "content_type", "size", "version"]
    list_select_related = ["version__program"]
    exclude = ["content"]
