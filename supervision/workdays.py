"""Working days on the Chinese calendar (P1): holidays and adjusted working days 调休 included.

`chinese_calendar` knows the State Council's schedule only for the years it ships. An
administrator's `cadre.CalendarDay` rows override it day by day; for a year the package does not
know, the year is usable once an administrator has entered its holidays (other days then follow
Monday–Friday). Without either, CalendarUnavailableError carries a Chinese message.
"""

from datetime import date, timedelta

import chinese_calendar

from cadre.models import CalendarDay


class CalendarUnavailableError(Exception):
    def __init__(self, day: date):
        self.day = day
        self.message = (
            f"系统没有 {day.year} 年的法定节假日安排数据，无法计算工作日；"
            "请管理员在“工作日历”中录入该年的节假日和调休安排"
        )
        super().__init__(self.message)


class Calendar:
    """Answers is-workday questions; reads the administrator's entries once per year touched."""

    def __init__(self):
        self._overrides: dict[date, bool] = {}
        self._years: dict[int, bool] = {}  # year -> has administrator entries

    def _load(self, year: int):
        if year not in self._years:
            rows = CalendarDay.objects.filter(day__year=year).values_list("day", "is_workday")
            self._overrides.update(rows)
            self._years[year] = bool(rows)

    def is_workday(self, day: date) -> bool:
        self._load(day.year)
        if day in self._overrides:
            return self._overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError as exc:
            if self._years[day.year]:
                return day.weekday() < 5
            raise CalendarUnavailableError(day) from exc


def is_workday(day: date) -> bool:
    return Calendar().is_workday(day)


def year_known(year: int) -> bool:
    """Whether working days of `year` can be counted (the package or an administrator knows it)."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return CalendarDay.objects.filter(day__year=year).exists()
    return True


def add_working_days(start: date, working_days: int) -> date:
    """The day on which the `working_days`-th working day, counting `start` itself, is reached."""
    if working_days <= 0:
        return start
    calendar, day, counted = Calendar(), start, 0
    while True:
        if calendar.is_workday(day):
            counted += 1
            if counted == working_days:
                return day
        day += timedelta(days=1)


def count_working_days(start: date, end: date) -> int:
    """Working days from `start` to `end`, both included."""
    calendar, counted, day = Calendar(), 0, start
    while day <= end:
        counted += calendar.is_workday(day)
        day += timedelta(days=1)
    return counted


def start_for_ended(today: date, working_days: int) -> date:
    """A start date such that a publicity of `working_days` has ended before `today` (for demo data)."""
    calendar, day, counted, working_days = Calendar(), today - timedelta(days=1), 0, max(working_days, 1)
    while True:
        if calendar.is_workday(day):
            counted += 1
            if counted == working_days:
                return day
        day -= timedelta(days=1)
