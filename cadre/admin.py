"""Django admin (in Chinese): master data, thresholds and assignments.

The admin edits what an administrator owns — units, positions, cadres and their facts, reserve
cadres, thresholds — and assigns staff to selections. It never moves a candidate: candidates,
their record and failed votes are read-only here, so every change of stage goes through
cadre.services.candidate_transition and its rules.
"""

import json

from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from guardian.admin import (
    AdminGroupObjectPermissionsForm,
    AdminUserObjectPermissionsForm,
    GuardedModelAdmin,
    UserManage,
)

from . import citations, record_text, roles, rules, services
from .errors import Conflict, InvalidInput, NotAllowed
from .models import (
    Assessment,
    Cadre,
    CalendarDay,
    CalendarYear,
    Candidate,
    EducationRecord,
    Evaluation,
    FailedVote,
    FamilyMember,
    Job,
    Kinship,
    Position,
    RecordEntry,
    RecordVerification,
    ReserveCadre,
    ResumeEntry,
    RewardPunishment,
    RuleCitation,
    RuleDocument,
    Sanction,
    SecurityEvent,
    Selection,
    Threshold,
    Unit,
)
from .people import person_name
from .selectors import can_edit_cadre, can_work_on, position_occupancy
from .threshold_forms import ThresholdForm
from .threshold_forms import description as threshold_description
from .threshold_forms import value_text as threshold_value_text

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
            occupancy = position_occupancy(position=self.instance)
            if quota < occupancy["holders"] + occupancy["pending"]:
                raise forms.ValidationError(
                    _("M3 职数不能少于现有在任 %(holders)d 名与待任 %(pending)d 名之和"),
                    params={"holders": occupancy["holders"], "pending": occupancy["pending"]},
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
#
# Every change of a cadre saved here goes through cadre.services (cadre_update, cadre_fact_*), so
# it is checked by the same permission rule and recorded on the open candidates' chains like a
# change from the API or the workspace. The current post is read-only: it changes by appointment
# (A3) or a recorded post change (the cadre's page in the workspace).


class CadreFactForm(forms.ModelForm):
    """An inline row of a cadre's facts; the service's checks are shown before anything is saved."""

    def validate_unique(self):
        """After the model's field checks: the service's checks, in its words, then the constraints."""
        errors = services.cadre_fact_errors(self.instance) if self.has_changed() else {}
        for name, messages_ in errors.items():
            self.add_error(name if name in self.fields else None, messages_)
        if not errors:
            super().validate_unique()


class CadreFactInline(admin.TabularInline):
    form = CadreFactForm
    extra = 0


class AssessmentInline(CadreFactInline):
    model = Assessment


class EvaluationInline(CadreFactInline):
    model = Evaluation


class SanctionInline(CadreFactInline):
    model = Sanction


class EducationRecordInline(CadreFactInline):
    model = EducationRecord


class ResumeEntryInline(CadreFactInline):
    model = ResumeEntry


class RewardPunishmentInline(CadreFactInline):
    model = RewardPunishment


class FamilyMemberInline(CadreFactInline):
    model = FamilyMember


class KinshipInline(CadreFactInline):
    model = Kinship
    fk_name = "cadre"
    autocomplete_fields = ["relative"]
    verbose_name = _("亲属关系（回避）")
    verbose_name_plural = _("亲属关系（回避）")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "relative":
            kwargs["label"] = _("亲属（干部）")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CadreForm(forms.ModelForm):
    """Admin form of Cadre (the ModelAdmin supplies model and fields)."""

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            values = {name: getattr(self.instance, name) for name in services.CADRE_DATE_FIELDS}
            for name, messages_ in services.cadre_errors(values).items():
                self.add_error(name if name in self.fields else None, messages_)


def _error_text(exc) -> str:
    if isinstance(exc, InvalidInput):
        return "；".join(str(m) for ms in exc.errors.values() for m in (ms if isinstance(ms, list) else [ms]))
    return exc.message


@admin.register(Cadre)
class CadreAdmin(admin.ModelAdmin):
    form = CadreForm
    list_display = ["name", "gender", "birth_date", "education", "unit", "position", "personal_report_status"]
    list_filter = ["unit", "gender", "education", "personal_report_status", "canvassing_finding", "spouse_emigrated"]
    list_select_related = ["unit", "position__unit"]
    search_fields = ["name", "id_number"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["position", "position_since"]
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
        (
            _("现任职务"),
            {
                "fields": [("unit", "position"), ("rank_since", "position_since")],
                "description": _("现任职务只能通过任职或在工作台“干部信息”页记录职务变动来变更。"),
            },
        ),
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

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit_cadre(user=request.user, cadre=obj))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A service's refusal (found only while saving) rolls the whole save back and is shown."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (InvalidInput, NotAllowed, Conflict) as exc:
            self.message_user(request, _error_text(exc), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if change:
            changed = {name: getattr(obj, name) for name in form.changed_data if name in services.CADRE_FIELDS}
            services.cadre_update(actor=request.user, cadre=obj, **changed)
        else:
            created = services.cadre_create(
                actor=request.user, **{name: getattr(obj, name) for name in services.CADRE_FIELDS}
            )
            obj.pk = created.pk
            obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        model = formset.model
        if model not in services.CADRE_FACTS:
            return super().save_formset(request, form, formset, change)
        cadre, names = form.instance, services.CADRE_FACTS[model][1]
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.deleted_forms:
            if row.instance.pk:
                services.cadre_fact_delete(actor=request.user, cadre=cadre, model=model, fact_id=row.instance.pk)
                formset.deleted_objects.append(row.instance)
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed():
                continue
            if row.instance.pk is None:
                values = {name: getattr(row.instance, name) for name in names}
                fact = services.cadre_fact_create(actor=request.user, cadre=cadre, model=model, **values)
                formset.new_objects.append(fact)
            else:
                values = {name: getattr(row.instance, name) for name in row.changed_data if name in names}
                fact = services.cadre_fact_update(
                    actor=request.user, cadre=cadre, model=model, fact_id=row.instance.pk, **values
                )
                formset.changed_objects.append((fact, [n for n in row.changed_data if n in names]))


@admin.register(ReserveCadre)
class ReserveCadreAdmin(admin.ModelAdmin):
    list_display = ["cadre_link", "cadre_unit", "source", "since", "status"]
    list_filter = ["status"]
    list_select_related = ["cadre__unit"]
    search_fields = ["cadre__name", "source"]
    autocomplete_fields = ["cadre"]
    filter_horizontal = ["positions"]

    cadre_link = _link("cadre", _("干部"))

    @admin.display(description=_("单位"), ordering="cadre__unit")
    def cadre_unit(self, obj):
        return obj.cadre.unit

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cadre":
            kwargs["label"] = _("干部")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# ---------------------------------------------------------------------------- thresholds


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    """The rows are created by migration, one per key; an administrator edits their values only, each
    with the widget of its kind (`cadre/threshold_forms.py`: numbers, shares, choices — no JSON)."""

    form = ThresholdForm
    list_display = ["rule_", "description_", "value_"]
    list_display_links = ["description_"]
    list_filter = [_filter("rule", admin.AllValuesFieldListFilter, _("规则"))]
    readonly_fields = ["rule_", "description_"]
    fields = ["rule_", "description_", "value"]
    search_fields = ["key", "description", "rule"]

    @admin.display(description=_("规则"), ordering="rule")
    def rule_(self, obj):
        rule = rules.registered().get(obj.rule)
        return f"{obj.rule} {gettext(rule.title)}" if rule else obj.rule

    @admin.display(description=_("说明"), ordering="description")
    def description_(self, obj):
        return threshold_description(obj)

    @admin.display(description=_("取值"), ordering="value")
    def value_(self, obj):
        return threshold_value_text(obj.key, obj.value)

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
    """The record's columns under Chinese labels: people by name, time in Asia/Shanghai, the entry as
    a sentence with its rows (`cadre.record_text`, as the workspace reads it), the raw JSON folded."""

    seq_ = _value("seq", _("序号"))
    kind_ = _value("kind", _("类别"))
    candidate_ = _link("candidate", _("人选"))
    prev_hash_ = _value("prev_hash", _("前一条哈希"))
    hash_ = _value("hash", _("哈希"))

    @admin.display(description=_("时间（北京时间）"), ordering="at")
    def at_(self, obj):
        return record_text.time_text(obj.at)

    @admin.display(description=_("操作人"), ordering="actor_name")
    def actor_name_(self, obj):
        return record_text.actor_text(obj)

    @admin.display(description=_("事项"))
    def what_(self, obj):
        return record_text.what_label(obj)

    @admin.display(description=_("内容"))
    def payload_display(self, obj):
        shown = record_text.render_entry(obj, who=obj.candidate.cadre.name)
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", shown["rows"])
        return format_html(
            '<p style="margin: 0 0 6px">{}</p><table>{}</table><details><summary>{}</summary>{}</details>',
            shown["sentence"],
            rows,
            gettext("原始数据"),
            _payload_html(obj.payload),
        )

    @admin.display(description=_("哈希"))
    def short_hash(self, obj):
        return obj.hash[:12]


class RecordEntryInline(RecordColumns, ReadOnlyMixin, admin.TabularInline):
    model = RecordEntry
    fields = ["seq_", "at_", "actor_name_", "what_", "payload_display", "short_hash"]
    readonly_fields = fields
    ordering = ["seq"]
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("candidate__cadre")  # the sentences name the cadre


@admin.register(RecordEntry)
class RecordEntryAdmin(RecordColumns, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["candidate_", "seq_", "at_", "actor_name_", "what_", "short_hash"]
    list_filter = [_filter("kind", admin.ChoicesFieldListFilter, _("类别"))]
    list_select_related = ["candidate__cadre", "candidate__position__unit"]
    search_fields = ["candidate__cadre__name", "actor_name", "hash"]
    date_hierarchy = "at"
    fields = ["candidate_", "seq_", "at_", "actor_name_", "what_", "payload_display", "prev_hash_", "hash_"]
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
    """Only organization staff can be assigned to a selection: picked by name from a list, not typed
    as a login (guardian's own field reads "User.USERNAME_FIELD")."""

    user = forms.ModelChoiceField(
        label=_("组工干部"),
        queryset=User.objects.none(),
        empty_label=_("（请选择）"),
        error_messages={"required": _("请选择组工干部"), "invalid_choice": _("请从列表中选择组工干部")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = User.objects.filter(is_active=True, groups__name=roles.ORG_STAFF).order_by(
            "last_name", "first_name", "username"
        )
        field.label_from_instance = person_name

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not roles.has_role(user, roles.ORG_STAFF):
            raise forms.ValidationError(_("只能分配给组工干部"))
        return user


def _assignment_form(actor):
    """The per-user permission form of the selection: only "承办选任工作", assigned through the service."""

    class SelectionAssignmentForm(AdminUserObjectPermissionsForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.label_suffix = ""

        def get_obj_perms_field_label(self):
            return _("权限")

        def get_obj_perms_field_widget(self):
            return forms.CheckboxSelectMultiple

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

    # guardian's object-permission pages in Chinese (issue #11): who is assigned, by name.
    obj_perms_manage_template = "admin/cadre/selection/obj_perms_manage.html"
    obj_perms_manage_user_template = "admin/cadre/selection/obj_perms_manage_user.html"
    obj_perms_manage_group_template = "admin/cadre/selection/obj_perms_manage_group.html"

    def get_obj_perms_base_context(self, request, obj):
        context = super().get_obj_perms_base_context(request, obj)
        # Only the selection's own permission (承办选任工作) is given per object; Django's four model
        # permissions ("Can add …") mean nothing for one selection.
        context["model_perms"] = [p for p in context["model_perms"] if p.codename == "work_on_selection"]
        context["title"] = gettext("承办人")
        return context

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


# Every year's State Council schedule gives each of the seven festivals at least one rest day.
MIN_REST_DAYS = 7


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "complete", "source"]
        help_texts = {
            "complete": _(
                "勾选即确认：该年国务院办公厅部分节假日安排通知中的全部放假和调休上班日期都已录入工作日历。"
                "系统不认识的年度，只有确认完整后才能计算工作日（P1）；只录入一个节日不算。"
                "也可以在“节假日安排通知”中粘贴通知全文，核对后一并写入并确认。"
            ),
            "source": _("如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）"),
        }

    def clean(self):
        data = super().clean()
        year = data.get("year")
        if data.get("complete") and year:
            rest = CalendarDay.objects.filter(day__year=year, is_workday=False).count()
            if rest < MIN_REST_DAYS:
                self.add_error(
                    "complete",
                    _("%(year)s 年只录入了 %(rest)s 个放假日，全年安排至少包括七个节日的放假日期，请先录入完整")
                    % {"year": year, "rest": rest},
                )
        return data


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """P1: an administrator states that a year's whole schedule is in the calendar (who and when is kept)."""

    form = CalendarYearForm
    list_display = ["year", "complete", "source", "rest_days", "work_days", "confirmed_by_", "confirmed_at"]
    list_filter = ["complete"]
    readonly_fields = ["confirmed_by_", "confirmed_at"]

    confirmed_by_ = _link("confirmed_by", _("确认人"))

    @admin.display(description=_("已录入放假日"))
    def rest_days(self, obj):
        return CalendarDay.objects.filter(day__year=obj.year, is_workday=False).count()

    @admin.display(description=_("已录入调休上班日"))
    def work_days(self, obj):
        return CalendarDay.objects.filter(day__year=obj.year, is_workday=True).count()

    def save_model(self, request, obj, form, change):
        if not obj.complete:
            obj.confirmed_by, obj.confirmed_at = None, None
        elif not change or "complete" in form.changed_data or "year" in form.changed_data:
            obj.confirmed_by, obj.confirmed_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(RecordVerification)
class RecordVerificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "ok", "entries", "seconds"]
    fields = ["at", "ok", "entries", "broken", "seconds"]
    readonly_fields = fields


# ---------------------------------------------------------------------------- rule sources (依据)


def _rule_choices():
    registered = rules.registered()
    return [
        (rule_id, f"{rule_id} {gettext(registered[rule_id].title)}" if rule_id in registered else rule_id)
        for rule_id in rules.CATALOG
    ]


class RuleCitationForm(forms.ModelForm):
    """Admin form of RuleCitation: the rule is picked from the catalog."""

    rule = forms.ChoiceField(label=_("规则"), choices=_rule_choices)


class RuleCitationInline(admin.TabularInline):
    model = RuleCitation
    form = RuleCitationForm
    extra = 0
    fields = ["rule", "article", "order"]
    verbose_name = _("引用此文件的规则")
    verbose_name_plural = _("引用此文件的规则")


@admin.register(RuleDocument)
class RuleDocumentAdmin(admin.ModelAdmin):
    """The documents rules cite, with DOMAIN.md's as defaults: a county enters its own titles here,
    and every rule citing the document shows the new title from the next check on."""

    list_display = ["code", "title", "citation_count"]
    list_display_links = ["title"]
    search_fields = ["code", "title"]
    inlines = [RuleCitationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_citations=Count("citations"))

    @admin.display(description=_("引用次数"), ordering="_citations")
    def citation_count(self, obj):
        return obj._citations


@admin.register(RuleCitation)
class RuleCitationAdmin(admin.ModelAdmin):
    """Each rule's 依据 as users see it: its citations in order, each a document's title and an article."""

    form = RuleCitationForm
    list_display = ["rule", "rule_title", "document", "article", "order", "shown"]
    list_display_links = ["rule", "rule_title"]
    list_filter = ["document"]
    list_select_related = ["document"]
    search_fields = ["rule", "article", "document__title"]
    fields = ["rule", "document", "article", "order"]

    @admin.display(description=_("规则名称"))
    def rule_title(self, obj):
        rule = rules.registered().get(obj.rule)
        return gettext(rule.title) if rule else _("（尚未启用）")

    @admin.display(description=_("用户看到的依据"))
    def shown(self, obj):
        return citations.source_for(obj.rule)


@admin.register(Job)
class JobAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The outbox (cadre.outbox), read-only: jobs change only by running (cadre.tasks.run_job)."""

    list_display = ["pk", "name", "status", "attempts", "created_at", "started_at", "finished_at", "created_by"]
    list_filter = ["status", "name"]
    list_select_related = ["created_by"]
    search_fields = ["name", "key", "last_error"]
    fields = [
        "name",
        "args",
        "key",
        "status",
        "attempts",
        "last_error",
        "result",
        "created_at",
        "sent_at",
        "started_at",
        "finished_at",
        "created_by",
    ]
    readonly_fields = fields


# ---------------------------------------------------------------------------- sign-in locks and the security log


def _axes_in_chinese():
    """axes ships no Chinese: name its app, model and fields here (settings.AXES_ENABLE_ADMIN is off)."""
    from django.apps import apps

    apps.get_app_config("axes").verbose_name = _("登录安全")
    meta = AccessAttempt._meta
    meta.verbose_name = meta.verbose_name_plural = _("登录失败记录")
    for name, label in {
        "user_agent": _("浏览器"),
        "ip_address": _("IP 地址"),
        "username": _("用户名"),
        "http_accept": _("HTTP Accept"),
        "path_info": _("路径"),
        "attempt_time": _("最近一次失败时间"),
        "get_data": _("GET 数据"),
        "post_data": _("POST 数据"),
        "failures_since_start": _("失败次数"),
    }.items():
        meta.get_field(name).verbose_name = label


_axes_in_chinese()


@admin.register(AccessAttempt)
class AccessAttemptAdmin(admin.ModelAdmin):
    """Deleting a row lifts the lock it holds (cadre.auth); the deletion is in the security log."""

    list_display = ["attempt_time", "username", "ip_address", "path_info", "failures_since_start", "locked"]
    list_filter = ["attempt_time", "path_info"]
    search_fields = ["ip_address", "username"]
    date_hierarchy = "attempt_time"
    fieldsets = (
        (None, {"fields": ("username", "ip_address", "path_info", "failures_since_start", "attempt_time")}),
        (_("请求信息"), {"fields": ("user_agent", "http_accept", "get_data", "post_data")}),
    )
    readonly_fields = [f for _name, opts in fieldsets for f in opts["fields"]]
    actions = ["delete_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("状态"))
    def locked(self, obj):
        from django.conf import settings

        if obj.failures_since_start >= settings.AXES_FAILURE_LIMIT:
            return _("已锁定（删除此记录即解除）")
        return _("还可尝试 %(n)s 次") % {"n": settings.AXES_FAILURE_LIMIT - obj.failures_since_start}


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "kind", "username", "actor", "address", "summary"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "actor", "address", "summary"]
    date_hierarchy = "at"
    readonly_fields = ["at", "kind", "username", "actor", "address", "summary", "detail"]
