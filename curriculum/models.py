"""Programs, versions, chapters, items, blocks and assets.

A Program is imported many times; each import is a ProgramVersion (draft, then published, then
archived). Published and archived versions are immutable: a re-import makes a new version. A draft
may be edited in the browser (`curriculum.authoring`), every save recorded as an ItemRevision. Hires stay on the version they started, and their progress is tied to
Block.key, which stays the same across versions wherever the block's text did not change.

Writes go through `curriculum.services`, reads through `curriculum.selectors`.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from curriculum.markdown.structure import BlockKind, ItemKind


class Program(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    # Where it is imported from, in words ("git https://... @ main", "folder 883-newbies-sample").
    source = models.CharField(max_length=1000, blank=True)
    # Whether the hires' mentors may add a client team (with its contact) while arranging a
    # meeting, or leave that to program admins.
    client_teams_by_mentors = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title or self.slug

    @property
    def choice_label(self) -> str:
        """How a dropdown names it: two programs may share a title, never a slug."""
        return f"{self.title or self.slug} \u2014 {self.slug}"


class VersionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class SourceKind(models.TextChoices):
    FOLDER = "folder", "Folder"
    FILE = "file", "Markdown file"
    ZIP = "zip", "Zip archive"
    GIT = "git", "Git repository"


class ProgramVersion(models.Model):
    """One import of a program. At most one version per program is published at a time."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.CharField(
        max_length=10, choices=VersionState.choices, default=VersionState.DRAFT
    )
    title = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    source_kind = models.CharField(max_length=10, choices=SourceKind.choices)
    source_location = models.CharField(max_length=1000, blank=True)  # path, file name or git URL
    source_ref = models.CharField(max_length=255, blank=True)  # git branch or tag asked for
    source_commit = models.CharField(max_length=64, blank=True)  # git commit actually imported
    # sha256 of the parsed structure and asset bytes: equal hashes mean an identical re-import.
    content_hash = models.CharField(max_length=64)
    change_summary = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # Set on drafts opened for editing in the browser: the version they were copied from.
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["program", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["program"],
                condition=Q(state=VersionState.PUBLISHED),
                name="one_published_version_per_program",
            ),
        ]
        indexes = [models.Index(fields=["program", "state"], name="version_program_state")]

    def __str__(self) -> str:
        return f"{self.program} v{self.number} ({self.state})"

    @property
    def choice_label(self) -> str:
        """How a dropdown names it ("Title \u2014 slug, version 3, published 2 Mar 2026"): two
        programs may share a title, so the slug and the version tell them apart. Reads
        `program`: select it with the version."""
        label = f"{self.program.choice_label}, version {self.number}"
        if self.published_at is not None:
            label += f", published {self.published_at:%-d %b %Y}"
        return label


class Chapter(models.Model):
    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="chapters")
    position = models.PositiveIntegerField()
    number = models.IntegerField(null=True, blank=True)
    title = models.CharField(max_length=500)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="chapter_position_unique")
        ]

    def __str__(self) -> str:
        if self.number is None:
            return self.title
        return f"Chapter {self.number:02d}: {self.title}"


class Item(models.Model):
    """A day, exercise, showcase, template, or a link to a page outside the program (external)."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="items")
    # Denormalised from chapter so "the items of a version" and link resolution are one lookup.
    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()  # within the chapter
    kind = models.CharField(max_length=20, choices=[(k.value, k.name.title()) for k in ItemKind])
    number = models.IntegerField(null=True, blank=True)  # from the item's own title: "Day 03"
    title = models.TextField()  # without the "Day 03 -" prefix and the emoji
    raw_title = models.TextField(blank=True)
    emoji = models.CharField(max_length=32, blank=True)
    source_path = models.CharField(max_length=1000, blank=True)  # relative to the program root
    url = models.URLField(max_length=2000, blank=True)  # external items only
    markdown = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["chapter__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "position"], name="item_position_unique")
        ]
        indexes = [models.Index(fields=["version", "source_path"], name="item_version_source")]

    def __str__(self) -> str:
        if self.number is not None and self.kind == ItemKind.DAY:
            return f"Day {self.number:02d} - {self.title}"
        return self.title

    @property
    def text_hash(self) -> str:
        """A fingerprint of the exact Markdown text: an editor sends it back to detect a lost update.

        `content_hash` follows the parsed structure, so it misses edits that only move blank
        lines; this one changes with every character.
        """
        return hashlib.sha256(self.markdown.encode("utf-8")).hexdigest()


class Block(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="blocks")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=[(k.value, k.name.title()) for k in BlockKind])
    key = models.CharField(max_length=255)  # stable across versions while the text is unchanged
    title = models.TextField(blank=True)
    markdown = models.TextField(blank=True)
    html = models.TextField(blank=True)  # rendered and sanitised once, at import
    depth = models.PositiveSmallIntegerField(default=0)
    parent_key = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    line = models.PositiveIntegerField(default=1)
    end_line = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "key"], name="block_key_unique"),
            models.UniqueConstraint(fields=["item", "position"], name="block_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title or self.key}"


class Asset(models.Model):
    """A file an item refers to (an image, mostly), kept in the database with its version.

    Bytes live in the row (files are at most 1 MB, see importer.limits) so a version is one
    transaction: a rolled-back import leaves no orphan files behind in storage.
    """

    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="assets")
    path = models.CharField(max_length=1000)  # relative to the program root, "assets/x.gif"
    content = models.BinaryField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["version", "path"]
        constraints = [
            models.UniqueConstraint(fields=["version", "path"], name="asset_path_unique")
        ]

    def __str__(self) -> str:
        return self.path


class ImportRequestState(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Importing"
    IMPORTED = "imported", "Imported"
    NO_CHANGES = "no_changes", "No changes"
    REFUSED = "refused", "Refused"


class ImportRequest(models.Model):
    """An import from a git URL, asked for in the browser and run by a Celery worker.

    Cloning can take a while, so the request only records what to import; the worker claims the
    row (queued -> running) and stores the outcome. A periodic sweep re-enqueues rows whose first
    enqueue was lost (broker down).
    """

    git_url = models.CharField(max_length=1000)
    ref = models.CharField(max_length=200, blank=True)
    program_slug = models.SlugField(max_length=100, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        max_length=12, choices=ImportRequestState.choices, default=ImportRequestState.QUEUED
    )
    version = models.ForeignKey(
        ProgramVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="import_request_queued",
                condition=models.Q(state="queued"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.git_url} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state not in {ImportRequestState.QUEUED, ImportRequestState.RUNNING}


class ItemRevisionAction(models.TextChoices):
    EDIT = "edit", "Edited"
    RESTORE = "restore", "Restored an older text"
    CREATE = "create", "Added"
    RENAME = "rename", "Renamed"
    KIND = "kind", "Changed kind"
    MOVE = "move", "Moved"
    REMOVE = "remove", "Removed"


class ItemRevision(models.Model):
    """One change to an item made in the browser: who, when, and its Markdown before and after.

    Items are copied into every new version, so an item's history is found by its program and
    `item_key` (the source path; link and title for external items), not by the Item row.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="item_revisions")
    version = models.ForeignKey(
        ProgramVersion, on_delete=models.CASCADE, related_name="item_revisions"
    )
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    item_key = models.CharField(max_length=1000)
    action = models.CharField(max_length=10, choices=ItemRevisionAction.choices)
    summary = models.CharField(max_length=500, blank=True)  # "kind day -> exercise", a new title
    markdown_before = models.TextField(blank=True)
    markdown_after = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["program", "item_key"], name="item_revision_program_key")]

    def __str__(self) -> str:
        return f"{self.item_key}: {self.get_action_display()} by {self.created_by_id}"
