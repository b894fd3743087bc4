"""Django admin (in Chinese): master data, thresholds and assignments.

The admin edits what an administrator owns — units, positions, cadres and their facts, reserve
cadres, thresholds — and assigns staff to selections. It never moves a candidate: candidates,
their record and failed votes are read-only here, so every change of stage goes through
cadre.services.candidate_transition and its rules.
"""

import json

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from guardian.admin import (
    AdminGroupObjectPermissionsForm,
    AdminUserObjectPermissionsForm,
    GuardedModelAdmin,
    UserManage,
)

from . import roles, services
from .models import (
    PENDING_STAGES,
    Assessment,
    Cadre,
    CalendarDay,
    Candidate,
    EducationRecord,
    Evaluation,
    FailedVote,
    FamilyMember,
    Kinship,
    Position,
    RecordEntry,
    RecordVerification,
    ReserveCadre,
    ResumeEntry,
    RewardPunishment,
    Sanction,
    Selection,
    Threshold,
    Unit,
)
from .selectors import can_work_on
from .thresholds import validate_value

admin.site.site_header = _("干部选任全程纪实 系统管理")
admin.site.site_title = _("干部选任全程纪实")
admin.site.index_title = _("系统管理")


class ReadOnlyMixin:
    """Nothing can be added, changed or deleted; superusers and holders of the view permission read."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _pending_count(position: Position, *, excluding_cadre: Cadre | None = None) -> int:
    pending = Candidate.objects.filter(position=position, stage__in=PENDING_STAGES)
    if excluding_cadre is not None and excluding_cadre.pk:
        pending = pending.exclude(cadre=excluding_cadre)
    return pending.count()


def _link(field: str, label: str):
    """A read-only column or field showing a related object as a link, under a Chinese label.

    (Some model fields carry no verbose_name; these keep the admin in Chinese without touching them.)
    """

    @admin.display(description=label, ordering=field)
    def show(model_admin, obj):
        target = getattr(obj, field)
        if target is None:
            return "-"
        opts = target._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])
        except NoReverseMatch:
            return str(target)
        return format_html('<a href="{}">{}</a>', url, target)

    return show


def _value(field: str, label: str):
    """A read-only column or field under a Chinese label (choices shown by their label)."""

    @admin.display(description=label, ordering=field)
    def show(model_admin, obj):
        display = getattr(obj, f"get_{field}_display", None)
        return display() if display else getattr(obj, field)

    return show


def _filter(field: str, filter_class, title: str):
    """A list filter on `field` under a Chinese title (FieldListFilter takes its title from verbose_name)."""

    class Titled(filter_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return (field, Titled)


# ---------------------------------------------------------------------------- units and positions


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "under_restructuring", "secretary_transferring"]
    list_filter = ["under_restructuring", "secretary_transferring"]
    list_select_related = ["parent"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]


class PositionForm(forms.ModelForm):
    """Admin form of Position (the ModelAdmin supplies model and fields)."""

    def clean_quota(self):
        """M3: the quota never drops below the holders plus the pending appointments."""
        quota = self.cleaned_data["quota"]
        if self.instance.pk:
            holders = Cadre.objects.filter(position=self.instance).count()
            pending = _pending_count(self.instance)
            if quota < holders + pending:
                raise forms.ValidationError(
                    _("M3 职数不能少于现有在任 %(holders)d 名与待任 %(pending)d 名之和"),
                    params={"holders": holders, "pending": pending},
                )
        return quota


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    form = PositionForm
    list_display = ["title", "unit", "level", "is_chief", "is_key_post", "requires_audit", "quota", "holder_count"]
    list_filter = ["level", "is_chief", "is_key_post", "requires_audit", "unit"]
    list_select_related = ["unit"]
    search_fields = ["title", "unit__name"]
    autocomplete_fields = ["unit"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_holders=Count("holders", distinct=True))

    @admin.display(description=_("在任人数"), ordering="_holders")
    def holder_count(self, obj):
        return obj._holders


# ---------------------------------------------------------------------------- cadres


class AssessmentInline(admin.TabularInline):
    model = Assessment
    extra = 0


class EvaluationInline(admin.TabularInline):
    model = Evaluation
    extra = 0


class SanctionInline(admin.TabularInline):
    model = Sanction
    extra = 0


class EducationRecordInline(admin.TabularInline):
    model = EducationRecord
    extra = 0


class ResumeEntryInline(admin.TabularInline):
    model = ResumeEntry
    extra = 0


class RewardPunishmentInline(admin.TabularInline):
    model = RewardPunishment
    extra = 0


class FamilyMemberInline(admin.TabularInline):
    model = FamilyMember
    extra = 0


class KinshipInline(admin.TabularInline):
    model = Kinship
    fk_name = "cadre"
    extra = 0
    autocomplete_fields = ["relative"]
    verbose_name = _("亲属关系（回避）")
    verbose_name_plural = _("亲属关系（回避）")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "relative":
            kwargs["label"] = _("亲属（干部）")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CadreForm(forms.ModelForm):
    """Admin form of Cadre (the ModelAdmin supplies model and fields)."""

    def clean_position(self):
        """M3: putting a cadre into a post needs a vacancy (holders plus pending appointments < quota)."""
        position = self.cleaned_data.get("position")
        if position is None or position.pk == self.instance.position_id:
            return position
        holders = Cadre.objects.filter(position=position).exclude(pk=self.instance.pk).count()
        pending = _pending_count(position, excluding_cadre=self.instance)
        if holders + pending >= position.quota:
            raise forms.ValidationError(
                _("M3 %(position)s职数 %(quota)d 名，现有在任 %(holders)d 名、待任 %(pending)d 名，没有空缺"),
                params={"position": position, "quota": position.quota, "holders": holders, "pending": pending},
            )
        return position


@admin.register(Cadre)
class CadreAdmin(admin.ModelAdmin):
    form = CadreForm
    list_display = ["name", "gender", "birth_date", "education", "unit", "position", "personal_report_status"]
    list_filter = ["unit", "gender", "education", "personal_report_status", "canvassing_finding", "spouse_emigrated"]
    list_select_related = ["unit", "position__unit"]
    search_fields = ["name", "id_number"]
    autocomplete_fields = ["unit", "position"]
    inlines = [
        AssessmentInline,
        EvaluationInline,
        SanctionInline,
        EducationRecordInline,
        ResumeEntryInline,
        RewardPunishmentInline,
        FamilyMemberInline,
        KinshipInline,
    ]
    fieldsets = [
        (
            _("基本情况"),
            {
                "fields": [
                    ("name", "gender", "ethnicity"),
                    ("birth_date", "id_number"),
                    ("native_place", "birthplace", "hometown"),
                    ("party_date", "work_start_date", "health"),
                    ("education", "professional_title"),
                    "specialty",
                    "photo",
                ]
            },
        ),
        (_("现任职务"), {"fields": [("unit", "position"), ("rank_since", "position_since")]}),
        (
            _("资格审查事项"),
            {
                "fields": [
                    ("has_spouse", "spouse_emigrated", "children_emigrated"),
                    ("canvassing_finding", "veto_item_year"),
                    "personal_report_status",
                ]
            },
        ),
    ]


@admin.register(ReserveCadre)
class ReserveCadreAdmin(admin.ModelAdmin):
    list_display = ["cadre_link", "cadre_unit", "source", "since", "status"]
    list_filter = ["status"]
    list_select_related = ["cadre__unit"]
    search_fields = ["cadre__name", "source"]
    autocomplete_fields = ["cadre"]

    cadre_link = _link("cadre", _("干部"))

    @admin.display(description=_("单位"), ordering="cadre__unit")
    def cadre_unit(self, obj):
        return obj.cadre.unit

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cadre":
            kwargs["label"] = _("干部")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# ---------------------------------------------------------------------------- thresholds


class ThresholdForm(forms.ModelForm):
    class Meta:
        model = Threshold
        fields = ["value"]

    def clean_value(self):
        value = self.cleaned_data["value"]
        validate_value(self.instance.key, value)
        return value


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    """The rows are created by migration, one per key; an administrator edits their values only."""

    form = ThresholdForm
    list_display = ["rule", "description", "key", "value"]
    list_display_links = ["description"]
    list_editable = ["value"]
    list_filter = ["rule"]
    readonly_fields = ["key", "rule", "description"]
    fields = ["rule", "key", "description", "value"]
    search_fields = ["key", "description", "rule"]

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", ThresholdForm)
        return super().get_changelist_form(request, **kwargs)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------------------- the record


def _payload_html(payload) -> str:
    return format_html(
        '<pre style="white-space: pre-wrap; margin: 0">{}</pre>', json.dumps(payload, ensure_ascii=False, indent=2)
    )


class RecordColumns:
    """The record's columns under Chinese labels."""

    seq_ = _value("seq", _("序号"))
    at_ = _value("at", _("时间"))
    actor_name_ = _value("actor_name", _("操作人"))
    kind_ = _value("kind", _("类别"))
    candidate_ = _link("candidate", _("人选"))
    prev_hash_ = _value("prev_hash", _("前一条哈希"))
    hash_ = _value("hash", _("哈希"))

    @admin.display(description=_("内容"))
    def payload_display(self, obj):
        return _payload_html(obj.payload)

    @admin.display(description=_("哈希"))
    def short_hash(self, obj):
        return obj.hash[:12]


class RecordEntryInline(RecordColumns, ReadOnlyMixin, admin.TabularInline):
    model = RecordEntry
    fields = ["seq_", "at_", "actor_name_", "kind_", "payload_display", "short_hash"]
    readonly_fields = fields
    ordering = ["seq"]
    extra = 0
    can_delete = False


@admin.register(RecordEntry)
class RecordEntryAdmin(RecordColumns, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["candidate_", "seq_", "at_", "actor_name_", "kind_", "short_hash"]
    list_filter = [_filter("kind", admin.ChoicesFieldListFilter, _("类别"))]
    list_select_related = ["candidate__cadre", "candidate__position__unit"]
    search_fields = ["candidate__cadre__name", "actor_name", "hash"]
    date_hierarchy = "at"
    fields = ["candidate_", "seq_", "at_", "actor_name_", "kind_", "payload_display", "prev_hash_", "hash_"]
    readonly_fields = fields


# ---------------------------------------------------------------------------- selections and candidates


class CandidateInline(ReadOnlyMixin, admin.TabularInline):
    model = Candidate
    fields = ["cadre_", "position_", "stage", "stage_changed_at"]
    readonly_fields = fields
    cadre_ = _link("cadre", _("干部"))
    position_ = _link("position", _("职位"))
    show_change_link = True
    extra = 0
    can_delete = False


class SelectionUserManage(UserManage):
    """Only organization staff can be assigned to a selection."""

    def clean_user(self):
        user = super().clean_user()
        if not roles.has_role(user, roles.ORG_STAFF):
            raise forms.ValidationError(_("只能分配给组工干部"))
        return user


def _assignment_form(actor):
    """The per-user permission form of the selection: only "承办选任工作", assigned through the service."""

    class SelectionAssignmentForm(AdminUserObjectPermissionsForm):
        def get_obj_perms_field_choices(self):
            return [
                (perm, label) for perm, label in super().get_obj_perms_field_choices() if perm == "work_on_selection"
            ]

        def clean(self):
            cleaned = super().clean()
            adding = "work_on_selection" in cleaned.get("permissions", []) and not self._assigned()
            if adding and not roles.has_role(self.user, roles.ORG_STAFF):
                raise forms.ValidationError(_("只能分配给组工干部"))
            if adding and not (roles.has_role(actor, roles.ADMIN) or can_work_on(user=actor, selection=self.obj)):
                raise forms.ValidationError(_("只有管理员或承办人可以分配承办人"))
            return cleaned

        def _assigned(self) -> bool:
            return "work_on_selection" in set(self.get_obj_perms_field_initial())

        def save_obj_perms(self):
            if "work_on_selection" in self.cleaned_data["permissions"] and not self._assigned():
                services.selection_assign(actor=actor, selection=self.obj, user=self.user)
            else:
                super().save_obj_perms()  # unassigning, or nothing changed

    return SelectionAssignmentForm


class NoGroupPermissionsForm(AdminGroupObjectPermissionsForm):
    """A selection is assigned to named staff members, never to a whole group."""

    def get_obj_perms_field_choices(self):
        return []


@admin.register(Selection)
class SelectionAdmin(GuardedModelAdmin):
    """Read-only but for its object permissions: the "对象权限" page assigns staff (承办选任工作)."""

    list_display = ["title", "reason", "competitive", "created_by_", "created_at", "candidate_count"]
    list_filter = ["reason", "competitive"]
    list_select_related = ["created_by"]
    search_fields = ["title"]
    inlines = [CandidateInline]
    fields = [
        "title",
        "reason",
        "reason_text",
        "competitive",
        "single_candidate_reason",
        "superior_approval",
        "position_list",
        "created_by_",
        "created_at",
    ]
    readonly_fields = fields
    created_by_ = _value("created_by", _("发起人"))

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_candidates=Count("candidates", distinct=True))

    @admin.display(description=_("人选数"), ordering="_candidates")
    def candidate_count(self, obj):
        return obj._candidates

    @admin.display(description=_("职位"))
    def position_list(self, obj):
        return "、".join(str(p) for p in obj.positions.select_related("unit"))

    def has_add_permission(self, request):
        return False  # selections are started by organization staff (cadre.services.selection_create)

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_obj_perms_user_select_form(self, request):
        return SelectionUserManage

    def get_obj_perms_manage_user_form(self, request):
        return _assignment_form(request.user)

    def get_obj_perms_manage_group_form(self, request):
        return NoGroupPermissionsForm


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: a candidate moves only through the transition service and its rules."""

    list_display = ["cadre_", "position_", "selection_", "stage", "stage_changed_at"]
    list_filter = ["stage", _filter("selection", admin.RelatedFieldListFilter, _("选任工作"))]
    list_select_related = ["cadre", "position__unit", "selection"]
    search_fields = ["cadre__name", "selection__title"]
    fields = ["selection_", "position_", "cadre_", "stage", "stage_changed_at", "inspected_at", "created_at"]
    readonly_fields = fields
    inlines = [RecordEntryInline]

    selection_ = _link("selection", _("选任工作"))
    position_ = _link("position", _("职位"))
    cadre_ = _link("cadre", _("干部"))


@admin.register(FailedVote)
class FailedVoteAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["cadre_", "position_", "voted_on", "candidate_"]
    list_select_related = ["cadre", "position__unit", "candidate__cadre", "candidate__position__unit"]
    search_fields = ["cadre__name"]
    fields = ["cadre_", "position_", "candidate_", "voted_on"]
    readonly_fields = fields

    cadre_ = _link("cadre", _("干部"))
    position_ = _link("position", _("职位"))
    candidate_ = _link("candidate", _("人选"))


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and adjusted working days (P1) beyond or against the chinesecalendar package."""

    list_display = ["day", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"


@admin.register(RecordVerification)
class RecordVerificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "ok", "entries", "seconds"]
    fields = ["at", "ok", "entries", "broken", "seconds"]
    readonly_fields = fields
