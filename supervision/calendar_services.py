"""Writes of the working-day calendar (P1): an administrator's reading of the State Council's holiday
notice, and its confirmation into the calendar.

Reading stores the notice and what supervision.holiday_notice read from it, for the administrator to
check; nothing of the calendar changes. Confirming writes each day it names as a `cadre.CalendarDay`
(overriding whatever was entered for that day before) and marks the year complete
(`cadre.CalendarYear`), which is what makes a year the chinesecalendar package does not know usable.
"""

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cadre import roles
from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.models import CalendarDay, CalendarYear

from .holiday_notice import NoticeError, parse_notice
from .models import HolidayNotice

MAX_NOTICE = 20000
YEARS = range(2000, 2101)


def _ensure_admin(actor):
    if not roles.has_role(actor, roles.ADMIN):
        raise NotAllowed("只有系统管理员可以维护工作日历")


def _days(days: dict[date, str]) -> list[dict]:
    return [{"day": day.isoformat(), "name": name} for day, name in days.items()]


@transaction.atomic
def holiday_notice_read(*, actor: User, year: int, text: str) -> HolidayNotice:
    """Read the notice and keep what was read for the administrator to check; the calendar is untouched."""
    _ensure_admin(actor)
    errors: dict[str, list[str]] = {}
    if isinstance(year, bool) or not isinstance(year, int) or year not in YEARS:
        errors["year"] = [f"请填写 {YEARS.start}—{YEARS.stop - 1} 之间的年度"]
    if not isinstance(text, str) or not text.strip():
        errors["text"] = ["请粘贴国务院办公厅关于该年部分节假日安排的通知全文"]
    elif len(text) > MAX_NOTICE:
        errors["text"] = [f"不能超过 {MAX_NOTICE} 个字符"]
    if errors:
        raise InvalidInput(errors)
    try:
        parsed = parse_notice(text, year=year)
    except NoticeError as exc:
        raise InvalidInput({"text": [exc.message]}) from exc
    return HolidayNotice.objects.create(
        year=year,
        title=parsed.title,
        text=text.strip(),
        holidays=_days(parsed.holidays),
        workdays=_days(parsed.workdays),
        created_by=actor,
    )


@transaction.atomic
def calendar_year_mark_complete(*, actor: User, year: int, source: str) -> CalendarYear:
    """The administrator states that `year`'s whole State Council schedule is in the calendar."""
    _ensure_admin(actor)
    calendar_year, _ = CalendarYear.objects.select_for_update().get_or_create(year=year)
    calendar_year.complete = True
    calendar_year.source = source[:200]
    calendar_year.confirmed_by = actor
    calendar_year.confirmed_at = timezone.now()
    calendar_year.save(update_fields=["complete", "source", "confirmed_by", "confirmed_at"])
    return calendar_year


@transaction.atomic
def holiday_notice_confirm(*, actor: User, notice_id: int) -> HolidayNotice:
    """Write the notice's days into the calendar and mark its year complete. Once per notice (S1)."""
    _ensure_admin(actor)
    try:
        notice = HolidayNotice.objects.select_for_update().get(pk=notice_id)
    except (HolidayNotice.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"notice": ["通知不存在"]}) from exc
    if notice.confirmed_at is not None:
        raise Conflict("该通知已经确认写入工作日历", rule="S1")
    for entries, is_workday, suffix in ((notice.holidays, False, ""), (notice.workdays, True, "调休上班")):
        for entry in entries:
            CalendarDay.objects.update_or_create(
                day=date.fromisoformat(entry["day"]),
                defaults={"is_workday": is_workday, "note": f"{entry['name']}{suffix}（{notice.title}）"[:100]},
            )
    calendar_year_mark_complete(actor=actor, year=notice.year, source=notice.title)
    notice.confirmed_by = actor
    notice.confirmed_at = timezone.now()
    notice.save(update_fields=["confirmed_by", "confirmed_at"])
    return notice


def other_entries(notice: HolidayNotice) -> list[CalendarDay]:
    """Calendar rows of the notice's year the notice does not name: confirming keeps them as they are."""
    named = {entry["day"] for entry in (*notice.holidays, *notice.workdays)}
    rows = CalendarDay.objects.filter(day__year=notice.year).order_by("day")
    return [row for row in rows if row.day.isoformat() not in named]
