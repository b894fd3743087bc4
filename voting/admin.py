"""Read-only admin: decision data is written only through voting.services (V9: results never change)."""

from django.contrib import admin

from .models import (
    AgendaItem,
    Ballot,
    BallotParticipation,
    BallotSession,
    Brief,
    DecisionMeeting,
    MemberCadre,
    VoteResult,
)


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


# Online secret ballots: read-only here (V9); written only through voting.services. Ballots are listed by
# receipt and participation is shown without any ballot next to it (V2).


@admin.register(BallotSession)
class BallotSessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "body", "codes_issued", "opened_at", "closed_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["bulletin_root", "result"]


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ["receipt", "session", "choices"]
    ordering = ["receipt"]


@admin.register(BallotParticipation)
class BallotParticipationAdmin(ReadOnlyAdmin):
    list_display = ["session", "user"]


@admin.register(MemberCadre)
class MemberCadreAdmin(admin.ModelAdmin):
    """The link of a user to their own cadre record (V8); an admin may set it here or by the API."""

    list_display = ["user", "cadre"]
    raw_id_fields = ["cadre"]
