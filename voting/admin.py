"""Read-only admin: decision data is written only through voting.services (V9: results never change)."""

from django.contrib import admin

from .models import AgendaItem, Brief, DecisionMeeting, VoteResult


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    can_delete = False
    readonly_fields = ["candidate", "added_by", "added_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DecisionMeeting)
class DecisionMeetingAdmin(ReadOnlyAdmin):
    list_display = ["held_on", "title", "selection", "entitled", "present", "opened_at"]
    list_select_related = ["selection"]
    inlines = [AgendaInline]


@admin.register(VoteResult)
class VoteResultAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "candidate", "approve", "disapprove", "abstain", "recused", "entered_at"]
    list_select_related = ["meeting", "candidate__cadre", "candidate__position__unit"]


@admin.register(Brief)
class BriefAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "updated_by", "updated_at"]
    list_select_related = ["candidate__cadre", "candidate__position__unit", "updated_by"]
