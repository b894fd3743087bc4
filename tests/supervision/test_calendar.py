"""P1: a year the chinesecalendar package does not know is counted only once its whole schedule is in.

2026 is the last year chinesecalendar 1.11 knows; 2027 is not known. One holiday entered by hand
(元旦 2027, as the demo once did) must not make the rest of 2027 working days.
"""

from datetime import date, timedelta

import chinese_calendar
import pytest
from django.utils import timezone

from cadre.models import CalendarDay, CalendarYear
from supervision import calendar_services
from supervision.workdays import (
    CalendarUnavailableError,
    add_working_days,
    count_working_days,
    is_workday,
    start_for_ended,
    year_known,
)

from .notices import NOTICE_2027_INVENTED, confirm_whole_year

pytestmark = pytest.mark.django_db

SPRING_2027 = [date(2027, 2, 5) + timedelta(days=n) for n in range(9)]  # 2-05 (Fri) … 2-13 (Sat)


@pytest.fixture(autouse=True)
def _package_does_not_know_2027():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 6, 1))
    assert chinese_calendar.is_workday(date(2026, 12, 31))


def new_years_day_only():
    return CalendarDay.objects.create(day=date(2027, 1, 1), is_workday=False, note="元旦")


def mark_complete(year, user, **fields):
    return CalendarYear.objects.update_or_create(
        year=year, defaults={"complete": True, "confirmed_by": user, "confirmed_at": timezone.now(), **fields}
    )[0]


def test_one_holiday_entered_does_not_make_the_year_known():
    new_years_day_only()
    assert not year_known(2027)
    # From Monday 2026-12-28: four working days in 2026, 2027-01-01 is the entered holiday, then
    # 2027-01-02 is a day nobody has said anything about.
    with pytest.raises(CalendarUnavailableError) as exc:
        add_working_days(date(2026, 12, 28), 5)
    assert exc.value.day == date(2027, 1, 2)
    assert "2027 年" in exc.value.message and "通知" in exc.value.message
    with pytest.raises(CalendarUnavailableError):
        count_working_days(date(2026, 12, 28), date(2027, 1, 8))
    # The entered day itself still answers (CalendarDay rows override any day).
    assert is_workday(date(2027, 1, 1)) is False


def test_an_incomplete_mark_is_not_complete(admin_user):
    new_years_day_only()
    CalendarYear.objects.create(year=2027, complete=False, source="只录入了元旦")
    assert not year_known(2027)
    with pytest.raises(CalendarUnavailableError):
        is_workday(date(2027, 2, 8))


def test_spring_festival_entered_counts_once_the_year_is_complete(admin_user):
    new_years_day_only()
    CalendarDay.objects.bulk_create(CalendarDay(day=d, is_workday=False, note="春节") for d in SPRING_2027)
    CalendarDay.objects.create(day=date(2027, 2, 20), is_workday=True, note="春节调休上班")
    with pytest.raises(CalendarUnavailableError):
        count_working_days(date(2027, 2, 1), date(2027, 2, 28))
    mark_complete(2027, admin_user)
    assert year_known(2027)
    # February 2027 has 20 weekdays; 6 of them (2-05, 2-08 … 2-12) are 春节, and Saturday 2-20 is worked.
    assert count_working_days(date(2027, 2, 1), date(2027, 2, 28)) == 20 - 6 + 1
    assert not is_workday(date(2027, 2, 8))
    assert is_workday(date(2027, 2, 20))
    assert is_workday(date(2027, 3, 1))  # a day nobody named follows Monday–Friday
    assert not is_workday(date(2027, 3, 6))
    # Five working days from Thursday 2-04: 2-04, then 2-15 … 2-18 after the break.
    assert add_working_days(date(2027, 2, 4), 5) == date(2027, 2, 18)


def test_last_day_of_a_year():
    new_years_day_only()
    # 2026-12-31 (Thursday) is the last day the package knows: counting up to it never asks about 2027.
    assert add_working_days(date(2026, 12, 31), 1) == date(2026, 12, 31)
    assert count_working_days(date(2026, 12, 28), date(2026, 12, 31)) == 4
    assert start_for_ended(date(2027, 1, 1), 5) == date(2026, 12, 25)
    # One day more needs 2027.
    with pytest.raises(CalendarUnavailableError):
        add_working_days(date(2026, 12, 31), 2)


def test_last_day_of_a_year_after_the_notice_is_confirmed(admin_user):
    new_years_day_only()
    notice = calendar_services.holiday_notice_read(actor=admin_user, year=2027, text=NOTICE_2027_INVENTED)
    calendar_services.holiday_notice_confirm(actor=admin_user, notice_id=notice.pk)
    assert year_known(2027)
    # 2027-01-01 … 01-03 rest: the second working day from 2026-12-31 is Monday 2027-01-04.
    assert add_working_days(date(2026, 12, 31), 2) == date(2027, 1, 4)
    assert count_working_days(date(2027, 12, 27), date(2027, 12, 31)) == 5
    # 2028 is as unknown as 2027 was.
    with pytest.raises(CalendarUnavailableError) as exc:
        add_working_days(date(2027, 12, 31), 2)
    assert exc.value.day == date(2028, 1, 1)


def test_calendar_days_override_a_known_year_too():
    CalendarDay.objects.create(day=date(2026, 12, 31), is_workday=False, note="测试")
    assert count_working_days(date(2026, 12, 28), date(2026, 12, 31)) == 3


def test_the_tests_helper_confirms_a_whole_year_only_where_needed():
    confirm_whole_year(2026)
    assert not CalendarDay.objects.exists()
    confirm_whole_year(2027)
    assert year_known(2027) and CalendarDay.objects.filter(day__year=2027).count() == 34
    assert add_working_days(date(2026, 12, 31), 2) == date(2027, 1, 4)
    with pytest.raises(LookupError):
        confirm_whole_year(2099)
