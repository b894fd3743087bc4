"""Working days on the Chinese calendar (P1): holidays and adjusted working days 调休 included.

`chinese_calendar` knows the State Council's schedule only for the years it ships. An
administrator's `cadre.CalendarDay` rows override it day by day. A year the package does not know
is usable only once an administrator has marked its whole schedule entered (`cadre.CalendarYear`
complete, e.g. by confirming the State Council's notice, supervision.holiday_notice); the days the
schedule does not name then follow Monday–Friday. Until then a day of that year with no
`CalendarDay` row raises CalendarUnavailableError, with a Chinese message: one holiday entered by
hand does not make the rest of its year working days (P1).
"""

from datetime import date, timedelta

import chinese_calendar

from cadre.models import CalendarDay, CalendarYear


class CalendarUnavailableError(Exception):
    def __init__(self, day: date):
        self.day = day
        self.message = (
            f"系统没有 {day.year} 年完整的法定节假日安排，无法计算工作日；"
            f"请管理员录入国务院办公厅关于 {day.year} 年部分节假日安排的通知"
            "（系统管理 → 节假日安排通知），核对后确认全年安排"
        )
        super().__init__(self.message)


class Calendar:
    """Answers is-workday questions; reads the administrator's entries once per year touched."""

    def __init__(self):
        self._overrides: dict[date, bool] = {}
        self._years: dict[int, bool] = {}  # year -> an administrator marked its schedule complete

    def _load(self, year: int):
        if year not in self._years:
            self._overrides.update(CalendarDay.objects.filter(day__year=year).values_list("day", "is_workday"))
            self._years[year] = _complete(year)

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


def _complete(year: int) -> bool:
    return CalendarYear.objects.filter(year=year, complete=True).exists()


def year_known(year: int) -> bool:
    """Whether every working day of `year` can be counted: the package knows the year, or an
    administrator has marked its whole schedule entered."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return _complete(year)
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
