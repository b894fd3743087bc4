"""Read-only admin views: every write goes through inspection.services so it reaches the record.

Talk records are not registered: they are confidential to the inspection team, the assigned
staff and the supervisors (inspection.selectors.talks_for_user).
"""

from django.contrib import admin

from .models import (
    Comparison,
    Consultation,
    DepartmentOpinion,
    EconomicAudit,
    FactorAssessment,
    InspectionNotice,
    InspectionProcedure,
    InspectionReport,
    InspectionTeam,
    InspectionTeamMember,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MemberInline(admin.TabularInline):
    model = InspectionTeamMember
    extra = 0
    can_delete = False
    readonly_fields = ("user", "cadre", "is_leader")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InspectionNotice)
class NoticeAdmin(ReadOnly):
    list_display = ("selection", "published_on", "team_text", "contact_phone")


@admin.register(InspectionTeam)
class TeamAdmin(ReadOnly):
    list_display = ("name", "selection", "starts_on", "ends_on", "place", "forum_size")
    inlines = [MemberInline]


@admin.register(InspectionProcedure)
class ProcedureAdmin(ReadOnly):
    list_display = ("candidate", "name", "done_on")


@admin.register(FactorAssessment)
class FactorAdmin(ReadOnly):
    list_display = ("candidate", "factor", "grade")


@admin.register(DepartmentOpinion)
class OpinionAdmin(ReadOnly):
    list_display = ("candidate", "department", "received_on")


@admin.register(EconomicAudit)
class AuditAdmin(ReadOnly):
    list_display = ("candidate", "auditor", "concluded_on")


@admin.register(InspectionReport)
class ReportAdmin(ReadOnly):
    list_display = ("selection", "position", "recommended", "heard_on")


@admin.register(Consultation)
class ConsultationAdmin(ReadOnly):
    list_display = ("selection", "level", "held_on", "disagreement")


@admin.register(Comparison)
class ComparisonAdmin(ReadOnly):
    list_display = ("selection", "position")
