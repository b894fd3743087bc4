"""Django admin for motion, nomination and democratic recommendation: read-only, since rules rest on these.

Agenda items (M4), nominations (N1), recommendation meetings and their votes (R1–R3, entered twice
and confirmed by a second person) and the 部长办公会 decisions (R5) are entered by organization
staff on the stage pages; the admin shows them but cannot alter the grounds a candidate was moved on.
"""

from django.contrib import admin

from cadre.admin import ReadOnlyMixin

from .models import InspectionDecision, MotionAgenda, Nomination, RecommendationMeeting, RecommendationResult


class RecommendationResultInline(ReadOnlyMixin, admin.TabularInline):
    model = RecommendationResult
    fields = ["rank", "cadre", "votes"]
    readonly_fields = fields
    ordering = ["rank"]
    extra = 0
    can_delete = False


@admin.register(RecommendationMeeting)
class RecommendationMeetingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["selection", "unit", "kind", "held_on", "entitled", "present", "entered_by", "confirmed_by"]
    list_filter = ["kind", "held_on"]
    list_select_related = ["selection", "unit", "entered_by", "confirmed_by"]
    search_fields = ["selection__title", "unit__name"]
    date_hierarchy = "held_on"
    fields = [
        "selection",
        "unit",
        "kind",
        "held_on",
        "entitled",
        "present",
        "entered_by",
        "created_at",
        "confirmed_by",
        "confirmed_at",
    ]
    readonly_fields = fields
    inlines = [RecommendationResultInline]


@admin.register(MotionAgenda)
class MotionAgendaAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["selection", "meeting_name", "meeting_date", "recorded_by", "recorded_at"]
    list_select_related = ["selection", "recorded_by"]
    search_fields = ["selection__title", "meeting_name", "item"]
    date_hierarchy = "meeting_date"
    fields = ["selection", "meeting_name", "meeting_date", "item", "recorded_by", "recorded_at"]
    readonly_fields = fields


@admin.register(Nomination)
class NominationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["candidate", "source", "nominator", "signed_by", "recorded_by", "recorded_at"]
    list_filter = ["source"]
    list_select_related = ["candidate__cadre", "candidate__position__unit", "recorded_by"]
    search_fields = ["candidate__cadre__name", "nominator"]
    fields = ["candidate", "source", "nominator", "reasons", "signed_by", "signed_on", "recorded_by", "recorded_at"]
    readonly_fields = fields


@admin.register(InspectionDecision)
class InspectionDecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["selection", "meeting_date", "recorded_by", "recorded_at"]
    list_select_related = ["selection", "recorded_by"]
    search_fields = ["selection__title", "reasons"]
    date_hierarchy = "meeting_date"
    fields = ["selection", "meeting_date", "reasons", "candidates", "recorded_by", "recorded_at"]
    readonly_fields = fields
