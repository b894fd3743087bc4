"""Read-only admin: publicity, complaints and appointment are written only through supervision.services.

The State Council's holiday notice (P1) is read and confirmed through supervision.calendar_services.
"""

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from cadre.errors import DomainError

from . import calendar_services
from .holiday_notice import WEEKDAYS, NoticeError, parse_notice
from .models import Appointment, Complaint, HolidayNotice, PreAppointmentTalk, Publicity, RecordArchive


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Publicity)
class PublicityAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "starts_on", "ends_on", "working_days", "issuer", "published_at"]
    list_select_related = ["candidate__cadre"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "candidate",
        "received_on",
        "channel",
        "category",
        "real_name",
        "clear_lead",
        "status",
        "outcome",
    ]
    list_filter = ["status", "channel", "category", "real_name", "clear_lead", "outcome"]
    list_select_related = ["candidate__cadre", "candidate__position__unit"]


@admin.register(PreAppointmentTalk)
class PreAppointmentTalkAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "talked_on", "talked_by"]
    list_select_related = ["candidate__cadre", "candidate__position__unit"]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "document_number", "effective_on", "promotion", "probation_ends_on"]
    list_select_related = ["candidate__cadre", "candidate__position__unit"]


# ---------------------------------------------------------------------------- working-day calendar (P1)


class HolidayNoticeForm(forms.ModelForm):
    """The notice as published; a line that cannot be read is named under the text."""

    class Meta:
        model = HolidayNotice
        fields = ["year", "text"]
        help_texts = {
            "text": _(
                "粘贴国务院办公厅关于该年部分节假日安排的通知全文，如“一、元旦：1月1日（周五）至3日（周日）放假，共3天。”"
                "保存后先显示读出的放假和调休上班日期，核对无误再确认写入工作日历。"
            )
        }

    def clean(self):
        data = super().clean()
        if data.get("year") and data.get("text"):
            try:
                parse_notice(data["text"], year=data["year"])
            except NoticeError as exc:
                self.add_error("text", exc.message)
        return data


def _day_rows(entries, kind) -> str:
    rows = []
    for entry in entries:
        day = date.fromisoformat(entry["day"])
        rows.append((entry["day"], f"星期{WEEKDAYS[day.weekday()]}", kind, entry["name"]))
    return format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)


@admin.register(HolidayNotice)
class HolidayNoticeAdmin(admin.ModelAdmin):
    """Paste → read (nothing written) → check the preview → confirm (days written, year marked complete)."""

    change_form_template = "admin/supervision/holidaynotice/change_form.html"
    list_display = ["year", "title", "rest_count", "work_count", "created_at", "confirmed_at"]
    list_filter = ["year"]
    shown = ["title", "year", "preview", "kept", "text", "created_by", "created_at", "confirmed_by", "confirmed_at"]

    @admin.display(description=_("放假天数"))
    def rest_count(self, obj):
        return len(obj.holidays)

    @admin.display(description=_("调休上班天数"))
    def work_count(self, obj):
        return len(obj.workdays)

    @admin.display(description=_("读出的日期"))
    def preview(self, obj):
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}{}</tbody></table>",
            _("日期"),
            _("星期"),
            _("安排"),
            _("节日"),
            _day_rows(obj.holidays, _("放假")),
            _day_rows(obj.workdays, _("调休上班")),
        )

    @admin.display(description=_("本年已录入、通知未提及的日期（确认后保留）"))
    def kept(self, obj):
        rows = [
            (r.day.isoformat(), _("工作日") if r.is_workday else _("休息日"), r.note)
            for r in calendar_services.other_entries(obj)
        ]
        return format_html_join("", "<div>{} {} {}</div>", rows) or "-"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = HolidayNoticeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["year", "text"] if obj is None else self.shown

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.shown

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {})}
        if object_id is not None:
            obj = self.get_object(request, object_id)
            extra_context.update(
                show_save=False,
                show_save_and_continue=False,
                show_save_and_add_another=False,
                can_confirm=obj is not None and obj.confirmed_at is None,
            )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            return  # a notice once read is never edited: read a corrected one instead
        notice = calendar_services.holiday_notice_read(
            actor=request.user, year=form.cleaned_data["year"], text=form.cleaned_data["text"]
        )
        obj.pk = notice.pk
        obj.refresh_from_db()

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _("已读出放假 %(rest)s 天、调休上班 %(work)s 天，尚未写入工作日历：请核对后确认")
            % {"rest": len(obj.holidays), "work": len(obj.workdays)},
        )
        return HttpResponseRedirect(reverse("admin:supervision_holidaynotice_change", args=[obj.pk]))

    def response_change(self, request, obj):
        if "_confirm" in request.POST:
            try:
                calendar_services.holiday_notice_confirm(actor=request.user, notice_id=obj.pk)
            except DomainError as exc:
                self.message_user(request, getattr(exc, "message", str(exc)), level=messages.ERROR)
            else:
                self.message_user(request, _("已写入工作日历，%(year)s 年全年安排标记为完整") % {"year": obj.year})
        return HttpResponseRedirect(request.path)


# ---------------------------------------------------------------------------- A4 archive (read-only)


@admin.register(RecordArchive)
class RecordArchiveAdmin(ReadOnlyAdmin):
    """The 记实表 PDFs (supervision.archive): made by the archive job, never edited here."""

    list_display = ["candidate", "head_seq", "short_sha", "size", "created_at", "created_by"]
    list_select_related = ["candidate__cadre", "candidate__position__unit", "created_by"]
    exclude = ["pdf"]
    readonly_fields = ["candidate", "head_seq", "head_hash", "checkpoint_root", "sha256", "size", "created_at"]
    search_fields = ["candidate__cadre__name", "sha256", "head_hash"]

    @admin.display(description=_("SHA-256"))
    def short_sha(self, obj):
        return obj.sha256[:16]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf")
