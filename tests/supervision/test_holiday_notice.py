"""P1: the State Council's holiday notice, read (supervision.holiday_notice), previewed and confirmed
(supervision.calendar_services) through the API and the admin.

The strongest test: each published notice of a year the chinesecalendar package knows, read by the
parser, says of every day of that year exactly what the package says.
"""

from datetime import date, timedelta

import chinese_calendar
import pytest
from django.urls import reverse

from cadre import roles
from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.models import CalendarDay, CalendarYear
from supervision import calendar_services
from supervision.holiday_notice import NoticeError, parse_notice
from supervision.models import HolidayNotice
from supervision.workdays import year_known

from ..api.conftest import API, client_for
from ..factories import UserFactory
from .notices import NOTICE_2021, NOTICE_2023, NOTICE_2024, NOTICE_2025, NOTICE_2026, NOTICE_2027_INVENTED, NOTICES

# ---------------------------------------------------------------------------- the parser against the package


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_notice_reads_as_the_package_says(year):
    notice = parse_notice(NOTICES[year], year=year)
    days = {date(year, 1, 1) + timedelta(days=n) for n in range(366)}
    days = {d for d in days if d.year == year} | set(notice.holidays) | set(notice.workdays)
    differ = [d for d in sorted(days) if notice.is_workday(d) != chinese_calendar.is_workday(d)]
    assert differ == []
    # Every rest day named is a holiday to the package, every adjusted working day a worked weekend.
    assert all(chinese_calendar.is_holiday(d) for d in notice.holidays)
    assert all(chinese_calendar.is_workday(d) and d.weekday() >= 5 for d in notice.workdays)


def test_notice_2026_days():
    notice = parse_notice(NOTICE_2026, year=2026)
    assert notice.title == "国务院办公厅关于2026年部分节假日安排的通知"
    assert list(notice.workdays) == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    spring = [d for d, name in notice.holidays.items() if name == "春节"]
    assert spring == [date(2026, 2, 15) + timedelta(days=n) for n in range(9)]
    assert notice.holidays[date(2026, 1, 1)] == "元旦"
    assert len(notice.holidays) == 3 + 9 + 3 + 5 + 3 + 3 + 7


def test_notice_2025_single_day_and_joint_festival():
    notice = parse_notice(NOTICE_2025, year=2025)
    assert [d for d, name in notice.holidays.items() if name == "元旦"] == [date(2025, 1, 1)]
    assert notice.holidays[date(2025, 10, 6)] == "国庆节、中秋节"
    assert date(2025, 10, 8) in notice.holidays and date(2025, 10, 9) not in notice.holidays
    assert notice.workdays[date(2025, 10, 11)] == "国庆节、中秋节"


def test_older_forms():
    # 2023: a break that starts in the year before, named with its years.
    assert date(2022, 12, 31) in parse_notice(NOTICE_2023, year=2023).holidays
    # 2024: 星期 for 周, 与周末连休, and 除夕 (2-09) recommended in a parenthesis stays a working day.
    notice_2024 = parse_notice(NOTICE_2024, year=2024)
    assert date(2024, 2, 9) not in notice_2024.holidays and notice_2024.is_workday(date(2024, 2, 9))
    assert notice_2024.holidays[date(2024, 6, 10)] == "端午节"
    # 2021: the year written in the first date of a range.
    assert date(2021, 1, 3) in parse_notice(NOTICE_2021, year=2021).holidays


def test_make_up_rest_day_and_half_width_punctuation():
    text = NOTICE_2026.replace("（", "(").replace("）", ")").replace("：", ":").replace("，", ",")
    assert parse_notice(text, year=2026).holidays == parse_notice(NOTICE_2026, year=2026).holidays
    old_form = NOTICE_2026.replace(
        "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。",
        "一、元旦：1月1日放假，1月2日（星期五）补休。1月4日（星期日）上班。",
    )
    notice = parse_notice(old_form, year=2026)
    assert [d for d, name in notice.holidays.items() if name == "元旦"] == [date(2026, 1, 1), date(2026, 1, 2)]


def test_an_item_wrapped_onto_several_lines():
    wrapped = NOTICE_2026.replace("放假调休，共9天。2月14日（周六）、", "放假调休，共9天。\n2月14日（周六）、\n")
    assert parse_notice(wrapped, year=2026).workdays == parse_notice(NOTICE_2026, year=2026).workdays


def test_invented_2027_notice_reads():
    notice = parse_notice(NOTICE_2027_INVENTED, year=2027)
    assert len(notice.holidays) == 3 + 9 + 3 + 5 + 1 + 1 + 7
    assert list(notice.workdays)[0] == date(2027, 2, 20)


# ---------------------------------------------------------------------------- lines it cannot read


def _error(text, year=2026) -> str:
    with pytest.raises(NoticeError) as exc:
        parse_notice(text, year=year)
    return exc.value.message


def test_a_notice_of_another_year_is_refused():
    assert "2026 年，与所填年度 2027 年不符" in _error(NOTICE_2026, 2027)
    # Without its title and introduction, the printed weekdays give it away.
    body = "\n".join(line for line in NOTICE_2026.splitlines() if line.startswith(tuple("一二三四五六七")))
    message = _error(body, 2027)
    assert message.startswith("第 1 行读不懂：2027年1月1日是星期五，通知写的是星期四")
    assert "一、元旦：1月1日（周四）" in message


def test_a_weekday_that_does_not_match_names_the_line():
    # The form of the brief's example, but 2021-01-04 is a Monday.
    line = "一、元旦：1月1日（周五）至3日放假调休，共3天。1月4日（周日）上班。"
    message = _error(line + "\n" + "\n".join(NOTICE_2021.splitlines()[2:]), 2021)
    assert (
        message
        == f"第 1 行读不懂：2021年1月4日是星期一，通知写的是星期日：请核对年度是否填对、日期是否抄错（“{line}”）"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("共9天", "共8天", "第 7 行读不懂：写的是共 8 天，但 2026-02-15 至 2026-02-23 是 9 天"),
        ("5月9日（周六）上班", "5月9日（周六）加班", "第 9 行读不懂：有日期，但没有说这些日期是放假还是上班"),
        ("2月28日（周六）上班", "2月30日上班", "第 7 行读不懂：2026年2月30日不存在"),
        ("10月10日（周六）上班", "10月9日上班", "第 12 行读不懂：2026-10-09（星期五）本来就是工作日"),
        ("6月19日（周五）至21日（周日）", "6月21日至19日", "第 10 行读不懂：“至”的前后须各是一个日期"),
        (
            "三、清明节：4月4日（周六）至6日（周一）放假，共3天。",
            "三、清明节：放假，共3天。",
            "第 8 行读不懂：没有读到放假日期",
        ),
        ("2月14日（周六）、", "2月15日（周日）、", "第 7 行读不懂：2026-02-15 既是放假日又是上班日"),
        ("五、端午节：6月19日（周五）至21日（周日）放假，共3天。\n", "", "通知中没有端午节的安排"),
    ],
)
def test_what_it_cannot_read(old, new, expected):
    assert old in NOTICE_2026
    assert _error(NOTICE_2026.replace(old, new)).startswith(expected)


def test_nothing_to_read():
    assert "请粘贴" in _error("   ")
    assert "编号条目" in _error("国务院办公厅关于2026年部分节假日安排的通知\n（此件公开发布）")


# ---------------------------------------------------------------------------- services


@pytest.mark.django_db
def test_reading_writes_nothing_into_the_calendar(admin_user):
    notice = calendar_services.holiday_notice_read(actor=admin_user, year=2027, text=NOTICE_2027_INVENTED)
    assert notice.holidays[0] == {"day": "2027-01-01", "name": "元旦"}
    assert len(notice.workdays) == 5
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()
    assert not year_known(2027)


@pytest.mark.django_db
def test_confirming_writes_the_days_and_marks_the_year(admin_user):
    kept = CalendarDay.objects.create(day=date(2027, 3, 8), is_workday=False, note="本县特别安排")
    demo = CalendarDay.objects.create(day=date(2027, 1, 1), is_workday=False, note="元旦（演示数据）")
    notice = calendar_services.holiday_notice_read(actor=admin_user, year=2027, text=NOTICE_2027_INVENTED)
    assert calendar_services.other_entries(notice) == [kept]
    calendar_services.holiday_notice_confirm(actor=admin_user, notice_id=notice.pk)
    year = CalendarYear.objects.get(year=2027)
    assert year.complete and year.confirmed_by == admin_user and year.confirmed_at is not None
    assert year.source == "国务院办公厅关于2027年部分节假日安排的通知"
    assert CalendarDay.objects.filter(day__year=2027, is_workday=False).count() == 29 + 1
    assert CalendarDay.objects.filter(day__year=2027, is_workday=True).count() == 5
    demo.refresh_from_db()
    assert demo.note.startswith("元旦（国务院办公厅关于2027年")
    assert year_known(2027)
    notice.refresh_from_db()
    assert notice.confirmed_by == admin_user
    with pytest.raises(Conflict) as exc:
        calendar_services.holiday_notice_confirm(actor=admin_user, notice_id=notice.pk)
    assert exc.value.rule == "S1"


@pytest.mark.django_db
def test_only_an_administrator_reads_or_confirms(staff, admin_user):
    with pytest.raises(NotAllowed):
        calendar_services.holiday_notice_read(actor=staff, year=2027, text=NOTICE_2027_INVENTED)
    notice = calendar_services.holiday_notice_read(actor=admin_user, year=2027, text=NOTICE_2027_INVENTED)
    with pytest.raises(NotAllowed):
        calendar_services.holiday_notice_confirm(actor=staff, notice_id=notice.pk)
    with pytest.raises(InvalidInput) as exc:
        calendar_services.holiday_notice_read(actor=admin_user, year=2027, text=NOTICE_2026)
    assert "与所填年度 2027 年不符" in exc.value.errors["text"][0]


# ---------------------------------------------------------------------------- API


NOTICES_URL = API + "calendar/notices/"


@pytest.mark.django_db
def test_api_read_then_confirm(admin_user):
    client = client_for(admin_user)
    response = client.post(NOTICES_URL, {"year": 2027, "text": NOTICE_2027_INVENTED}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {"id", "holidays", "workdays"} <= set(body)
    assert body["holidays"][:3] == ["2027-01-01", "2027-01-02", "2027-01-03"]
    assert body["workdays"] == ["2027-02-20", "2027-04-25", "2027-05-08", "2027-09-26", "2027-10-09"]
    assert body["confirmed_at"] is None
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()

    confirmed = client.post(f"{NOTICES_URL}{body['id']}/confirm/", format="json")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["confirmed_by"] == admin_user.username
    assert CalendarYear.objects.get(year=2027).complete
    assert CalendarDay.objects.get(day=date(2027, 2, 20)).is_workday
    again = client.post(f"{NOTICES_URL}{body['id']}/confirm/", format="json")
    assert again.status_code == 409 and again.json()["violations"][0]["rule"] == "S1"
    assert client.post(f"{NOTICES_URL}987654/confirm/", format="json").status_code == 404


@pytest.mark.django_db
def test_api_names_the_line_it_cannot_read(admin_user):
    text = NOTICE_2027_INVENTED.replace("2月20日（周六）上班", "2月20日（周六）值班")
    response = client_for(admin_user).post(NOTICES_URL, {"year": 2027, "text": text}, format="json")
    assert response.status_code == 400
    (message,) = response.json()["errors"]["text"]
    assert message.startswith("第 3 行读不懂：") and "2月20日（周六）值班" in message
    assert not HolidayNotice.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [{}, {"year": 2027}, {"text": NOTICE_2027_INVENTED}, {"year": "明年", "text": "x"}, {"year": 1800, "text": "x"}],
)
def test_api_malformed_input(admin_user, body):
    response = client_for(admin_user).post(NOTICES_URL, body, format="json")
    assert response.status_code == 400 and response.json()["errors"]
    assert not HolidayNotice.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "read", "confirm"),
    [
        (roles.ORG_STAFF, 403, 404),
        (roles.INSPECTOR, 403, 404),
        (roles.COMMITTEE_MEMBER, 403, 404),
        (roles.SUPERVISOR, 403, 404),
        (None, 403, 403),  # anonymous (session auth answers 403 without a challenge)
        (roles.ADMIN, 201, 200),  # the positive control
    ],
)
def test_api_role_matrix(admin_user, role, read, confirm):
    notice = calendar_services.holiday_notice_read(actor=admin_user, year=2027, text=NOTICE_2027_INVENTED)
    client = client_for(UserFactory(roles=[role]) if role else None)
    response = client.post(NOTICES_URL, {"year": 2027, "text": NOTICE_2027_INVENTED}, format="json")
    assert response.status_code in ({401, 403} if role is None else {read})
    response = client.post(f"{NOTICES_URL}{notice.pk}/confirm/", format="json")
    assert response.status_code in ({401, 403} if role is None else {confirm})
    assert CalendarYear.objects.filter(complete=True).exists() == (role == roles.ADMIN)


# ---------------------------------------------------------------------------- admin


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_admin_paste_preview_confirm(admin_client):
    add = reverse("admin:supervision_holidaynotice_add")
    response = admin_client.post(add, {"year": 2027, "text": NOTICE_2027_INVENTED})
    notice = HolidayNotice.objects.get()
    change = reverse("admin:supervision_holidaynotice_change", args=[notice.pk])
    assert response.status_code == 302 and response.url == change
    assert not CalendarDay.objects.exists()
    page = admin_client.get(change).content.decode()
    assert "2027-02-20" in page and "调休上班" in page and 'name="_confirm"' in page
    assert admin_client.post(change, {"_confirm": "1"}).status_code == 302
    assert CalendarYear.objects.get(year=2027).complete
    assert CalendarDay.objects.filter(day__year=2027).count() == 34
    assert 'name="_confirm"' not in admin_client.get(change).content.decode()


@pytest.mark.django_db
def test_admin_shows_the_line_it_cannot_read(admin_client):
    text = NOTICE_2027_INVENTED.replace("共9天", "共7天")
    response = admin_client.post(reverse("admin:supervision_holidaynotice_add"), {"year": 2027, "text": text})
    assert response.status_code == 200
    assert "第 3 行读不懂：写的是共 7 天" in response.content.decode()
    assert not HolidayNotice.objects.exists()


@pytest.mark.django_db
def test_admin_marks_a_year_complete_only_with_its_days(admin_client, admin_user):
    add = reverse("admin:cadre_calendaryear_add")
    CalendarDay.objects.create(day=date(2027, 1, 1), is_workday=False, note="元旦")
    refused = admin_client.post(add, {"year": 2027, "complete": "on", "source": "手工录入"})
    assert refused.status_code == 200 and "只录入了 1 个放假日" in refused.content.decode()
    assert not CalendarYear.objects.exists()
    spring = [date(2027, 2, 5) + timedelta(days=n) for n in range(9)]
    CalendarDay.objects.bulk_create(CalendarDay(day=d, is_workday=False, note="春节") for d in spring)
    assert admin_client.post(add, {"year": 2027, "complete": "on", "source": "手工录入"}).status_code == 302
    year = CalendarYear.objects.get(year=2027)
    assert year.complete and year.confirmed_by == admin_user and year.confirmed_at is not None
    assert year_known(2027)
    change = reverse("admin:cadre_calendaryear_change", args=[year.pk])
    assert admin_client.post(change, {"year": 2027, "source": "发现有遗漏"}).status_code == 302
    year.refresh_from_db()
    assert not year.complete and year.confirmed_by is None
    assert not year_known(2027)
    assert admin_client.get(reverse("admin:cadre_calendaryear_changelist")).status_code == 200
