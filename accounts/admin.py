from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from . import services
from .models import Invitation, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "display_name",
        "is_hire",
        "is_mentor",
        "is_program_admin",
        "is_active",
    ]
    list_filter = ["is_hire", "is_mentor", "is_program_admin", "is_active"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            "Profile",
            {
                "fields": [
                    "display_name",
                    "time_zone",
                    "working_hours_start",
                    "working_hours_end",
                    "working_days",
                    "notification_preferences",
                ]
            },
        ),
        ("Roles", {"fields": ["is_hire", "is_mentor", "is_program_admin"]}),
        ("Django admin", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    actions = ["deactivate"]

    @admin.action(description="Deactivate (logged out on their next request)")
    def deactivate(self, request, queryset):
        for user in queryset:
            services.user_set_active(user=user, active=False)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email"]
    readonly_fields = ["key", "created_at", "accepted_at", "user", "invited_by"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected invitations")
    def revoke(self, request, queryset):
        for invitation in queryset:
            services.invitation_revoke(invitation=invitation, by=request.user)
