"""Annual figures (S5, C2, C1): the selector on real rows, the page, its PDF and its Excel file."""

import io
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cadre import citations, roles, services
from cadre.models import Education, Level, MotionReason, Threshold
from supervision import reminders
from supervision.annual import annual_figures

from ..conftest import advance
from ..factories import CadreFactory, PositionFactory, UnitFactory, UserFactory

AS_OF = date(2026, 6, 30)


def born(age: int, *, as_of: date = AS_OF, days: int = 0) -> date:
    """A birth date giving `age` full years on `as_of` (`days` later makes them younger)."""
    return as_of.replace(year=as_of.year - age) - timedelta(days=-days)


def team(unit, *members):
    """Cadres holding posts of `unit`: each member (level, age, education, gender)."""
    made = []
    for level, age, education, gender in members:
        post = PositionFactory(unit=unit, level=level)
        made.append(CadreFactory(unit=unit, position=post, birth_date=born(age), education=education, gender=gender))
    return made


def targets(figures) -> dict:
    return {t["key"]: t for t in figures["team"]["targets"]}


CHIEF, DEPUTY = Level.SECTION_CHIEF, Level.SECTION_DEPUTY
BA, MA, JC = Education.BACHELOR, Education.MASTER, Education.ASSOCIATE


# ---------------------------------------------------------------------------- C2 on real rows


@pytest.mark.django_db
def test_one_young_chief_of_five_meets_twenty_percent():
    unit = UnitFactory(name="县发展和改革局")
    team(
        unit,
        (CHIEF, 38, BA, "M"),
        (CHIEF, 45, BA, "M"),
        (CHIEF, 47, BA, "F"),
        (CHIEF, 50, MA, "M"),
        (CHIEF, 52, BA, "M"),
    )
    t = targets(annual_figures(year=2026, unit=unit, today=AS_OF))["chief_young"]
    assert (t["count"], t["basis"], t["share"], t["percent"]) == (1, 5, 0.2, "20.0%")
    assert t["met"] is True and t["target_label"] == "≥20%" and t["label"] == "正科职干部中40周岁以下"


@pytest.mark.django_db
def test_no_young_chief_is_flagged_below_target():
    unit = UnitFactory(name="县财政局")
    team(unit, *[(CHIEF, age, BA, "M") for age in (42, 45, 47, 50, 52)])
    t = targets(annual_figures(year=2026, unit=unit, today=AS_OF))["chief_young"]
    assert (t["count"], t["basis"], t["met"]) == (0, 5, False)


@pytest.mark.django_db
def test_forty_counts_as_under_forty_until_the_41st_birthday():
    """`004`: "40周岁以下" includes 40 (以下含本数); ages are full years on the as-of date."""
    unit = UnitFactory()
    chiefs = team(unit, *[(CHIEF, 50, BA, "M")] * 5)
    chiefs[0].birth_date = born(41, days=1)  # 40 years and 364 days old
    chiefs[0].save(update_fields=["birth_date"])
    assert targets(annual_figures(year=2026, unit=unit, today=AS_OF))["chief_young"]["count"] == 1
    chiefs[0].birth_date = born(41)  # 41 today
    chiefs[0].save(update_fields=["birth_date"])
    assert targets(annual_figures(year=2026, unit=unit, today=AS_OF))["chief_young"]["count"] == 0


@pytest.mark.django_db
def test_bachelor_share_exactly_at_target_and_targets_are_data():
    unit = UnitFactory()
    # 17 of 20 with a bachelor's degree or more (a master counts): exactly 85%.
    team(unit, *[(DEPUTY, 45, BA, "M")] * 15, *[(DEPUTY, 45, MA, "M")] * 2, *[(DEPUTY, 45, JC, "M")] * 3)
    t = targets(annual_figures(year=2026, unit=unit, today=AS_OF))
    assert (t["bachelor"]["count"], t["bachelor"]["basis"], t["bachelor"]["met"]) == (17, 20, True)
    assert (t["postgraduate"]["count"], t["postgraduate"]["met"]) == (2, False)  # 10% < 18%
    Threshold.objects.filter(key="C2.bachelor_share").update(value="0.9")
    t = targets(annual_figures(year=2026, unit=unit, today=AS_OF))["bachelor"]
    assert (t["met"], t["target_label"]) == (False, "≥90%")


@pytest.mark.django_db
def test_around_thirty_five_counts_and_levels_without_members():
    unit = UnitFactory()
    # 33 and 37 are "35周岁左右" (±2, C2.around_years); 38 is not.
    team(unit, (CHIEF, 33, BA, "F"), (CHIEF, 37, BA, "M"), (CHIEF, 38, BA, "M"))
    t = targets(annual_figures(year=2026, unit=unit, today=AS_OF))
    assert (t["chief_around"]["count"], t["chief_around"]["met"], t["chief_around"]["target_label"]) == (
        2,
        False,
        "≥3人",
    )
    assert t["deputy_around"]["basis"] == 0 and t["deputy_around"]["met"] is None  # no 副科: not applicable
    assert t["female"]["has_target"] is False and t["female"]["met"] is None  # `004` gives no figure
    team(unit, (CHIEF, 35, BA, "M"))
    assert targets(annual_figures(year=2026, unit=unit, today=AS_OF))["chief_around"]["met"] is True


@pytest.mark.django_db
def test_team_is_the_units_post_holders_only():
    unit, other = UnitFactory(name="甲局"), UnitFactory(name="乙局")
    team(unit, (CHIEF, 38, BA, "F"), (DEPUTY, 30, BA, "M"))
    team(other, (CHIEF, 50, BA, "M"))
    CadreFactory(unit=unit)  # works in the unit but holds no post
    data = annual_figures(year=2026, unit=unit, today=AS_OF)["team"]
    assert data["unit"] == {"id": unit.pk, "name": "甲局"} and data["size"] == 2
    assert {g["label"]: g["count"] for g in data["gender"]} == {"男": 1, "女": 1}
    assert [(g["label"], g["count"], g["percent"]) for g in data["level"]] == [
        ("正科", 1, "50.0%"),
        ("副科", 1, "50.0%"),
    ]


# ---------------------------------------------------------------------------- selections, appointments


def _equal_selection(staff):
    post = PositionFactory()
    selection = services.selection_create(
        actor=staff,
        title="县档案馆馆长选任",
        reason=MotionReason.VACANCY,
        positions=[post],
        competitive=False,
        single_candidate_reason="只有一名合适人选",
    )
    return selection


@pytest.mark.django_db
def test_selections_and_share_chosen_competitively(staff, publicizing):
    _equal_selection(staff)
    appointed = advance(publicizing, staff, "appoint")
    year = timezone.localdate().year
    figures = annual_figures(year=year)
    s, a = figures["selections"], figures["appointments"]
    assert (s["total"], s["count"], s["percent"]) == (2, 1, "50.0%")  # the fixture's 差额 one and an 等额 one
    assert (a["total"], a["count"], a["share"], a["percent"]) == (1, 1, 1.0, "100.0%")
    assert figures["appointees"][0]["name"] == appointed.cadre.name and figures["appointees"][0]["competitive"]
    # Another year has none of them.
    empty = annual_figures(year=year - 1)
    assert empty["selections"]["total"] == 0 and empty["appointments"]["percent"] is None


@pytest.mark.django_db
def test_an_equal_selection_appointment_lowers_the_competitive_share(staff, publicizing):
    """Two appointments, one from a 差额 selection and one from an 等额 one: 50%."""
    advance(publicizing, staff, "appoint")
    selection = _equal_selection(staff)
    post = selection.positions.get()
    only = services.candidate_create(actor=staff, selection=selection, position=post, cadre=CadreFactory())
    only = advance(only, staff, "nominate", "recommend", "inspect", "deliberate", "decide", "publicize", "appoint")
    a = annual_figures(year=timezone.localdate().year)["appointments"]
    assert (a["total"], a["count"], a["share"], a["percent"]) == (2, 1, 0.5, "50.0%")


# ---------------------------------------------------------------------------- complaints (S3, reused)


@pytest.mark.django_db
def test_complaints_are_complaint_stats_of_the_year(staff, publicizing):
    from supervision import services as supervision_services

    year = timezone.localdate().year
    for real_name in (True, False):
        supervision_services.complaint_file(
            actor=staff,
            candidate_id=publicizing.pk,
            received_on=date(year, 1, 5),
            channel="letter",
            text="反映问题",
            real_name=real_name,
            complainant_name="张三" if real_name else "",
        )
    c = annual_figures(year=year)["complaints"]
    assert (c["overall"]["total"], c["overall"]["verified"], c["overall"]["met"]) == (2, 0, False)
    assert (c["real_name"]["total"], c["real_name"]["percent"]) == (1, "0.0%")
    assert annual_figures(year=year - 1)["complaints"]["overall"]["total"] == 0


# ---------------------------------------------------------------------------- C1


@pytest.mark.django_db
def test_rotation_due_with_years_in_post():
    unit = UnitFactory(name="县交通运输局")
    key = PositionFactory(unit=unit, title="财务科科长", is_key_post=True)
    plain = PositionFactory(unit=unit, title="办公室主任")
    young = date(1985, 1, 1)
    CadreFactory(name="关键六年", position=key, position_since=date(2020, 3, 1), birth_date=young)
    CadreFactory(name="普通九年", position=plain, position_since=date(2017, 3, 1), birth_date=young)
    CadreFactory(name="普通三年", position=plain, position_since=date(2023, 3, 1), birth_date=young)
    rows = annual_figures(year=2026, today=AS_OF)["rotation"]
    assert [(r["name"], r["years"], r["requirement"], r["unit"]) for r in rows] == [
        ("普通九年", 9, "应交流", "县交通运输局"),
        ("关键六年", 6, "须交流", "县交通运输局"),
    ]
    assert rows[1]["reason"] == "关键岗位任职满5年" and rows[1]["since"] == date(2020, 3, 1)
    # The same computation as the dashboard's reminders (one C1).
    assert [(c.name, y, m) for c, y, m in reminders.rotation_due(today=AS_OF, limit=None)] == [
        (r["name"], r["years"], r["must"]) for r in rows
    ]
    # An earlier year is reckoned on its 31 December: the key post had 4 full years, not yet due.
    earlier = annual_figures(year=2024, today=AS_OF)
    assert earlier["as_of"] == date(2024, 12, 31)
    assert earlier["rotation"] == []  # then 4 years in the key post, 7 in the other


# ---------------------------------------------------------------------------- the page, PDF, Excel


@pytest.fixture
def reported_unit(db):
    unit = UnitFactory(name="县农业农村局")
    team(unit, (CHIEF, 38, BA, "F"), *[(CHIEF, age, BA, "M") for age in (45, 47, 50, 52)])
    return unit


def _get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(f"supervision:{name}"), params)


@pytest.mark.django_db
def test_page_shows_whose_team_and_labelled_bars(client, staff, reported_unit):
    UnitFactory(name="另一单位")
    response = _get(client, staff, "annual", unit=reported_unit.pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert "县农业农村局领导班子结构（现任 5 人）" in html
    assert "图示：县农业农村局领导班子（现任 5 人" in html
    assert "1/5人 · 20.0%（目标≥20%）" in html  # the bar's label: number, share, target
    assert (
        f"依据：{citations.source_for('C2')}" in html
        and "》二（一）" in html
        and not re.search(r"\b00[0-4] ?(附件|[一二三四五六七八九十]|\(|（|#)", html)
    )
    assert 'stroke-dasharray="3 2"' in html  # the target line
    assert f'<option value="{reported_unit.pk}" selected>' in html and "另一单位" in html
    assert "cdn" not in html.lower()


@pytest.mark.django_db
def test_default_unit_and_year(client, supervisor, reported_unit):
    response = _get(client, supervisor, "annual")
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["year"] == timezone.localdate().year and figures["team"]["unit"]["id"] == reported_unit.pk


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"year": "abc"}, {"year": "1999"}, {"year": "9999"}, {"unit": "999999"}])
def test_bad_parameters_are_400_in_chinese(client, staff, params):
    response = _get(client, staff, "annual", **params)
    assert response.status_code == 400
    assert "年度应" in response.content.decode() or "所选单位不存在" in response.content.decode()


@pytest.mark.django_db
def test_who_may_read(client, reported_unit):
    member = UserFactory(roles=[roles.COMMITTEE_MEMBER])
    inspector = UserFactory(roles=[roles.INSPECTOR])
    for user, status in (
        (UserFactory(roles=[roles.ORG_STAFF]), 200),
        (UserFactory(roles=[roles.SUPERVISOR]), 200),
        (UserFactory(roles=[roles.ADMIN]), 200),
        (member, 403),
        (inspector, 403),
    ):
        for name in ("annual", "annual_xlsx"):
            assert _get(client, user, name).status_code == status, (user.groups.first(), name)
    assert _get(client, member, "annual_pdf").status_code == 403
    client.logout()
    assert client.get(reverse("supervision:annual")).status_code == 302  # to the login page


@pytest.mark.django_db
def test_page_query_count_is_constant(client, staff, reported_unit):
    """The same queries with 5 or 15 team members and 0 or 5 rotations due."""
    client.force_login(staff)
    url = reverse("supervision:annual")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"unit": reported_unit.pk}).status_code == 200
        return len(queries)

    count()  # warms the citations' cache (依据)
    before = count()
    team(reported_unit, *[(DEPUTY, 30 + i, BA, "M") for i in range(10)])
    for _ in range(5):
        CadreFactory(position=PositionFactory(), position_since=date(2010, 1, 1), birth_date=date(1985, 1, 1))
    assert count() == before <= 14


@pytest.mark.django_db
def test_excel_has_chinese_headers_and_the_same_numbers(client, staff, publicizing, reported_unit):
    advance(publicizing, staff, "appoint")
    CadreFactory(name="=HYPERLINK(1)", position=PositionFactory(), position_since=date(2010, 1, 1))
    response = _get(client, staff, "annual_xlsx", unit=reported_unit.pk)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    figures = annual_figures(year=timezone.localdate().year, unit=reported_unit)
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["年度概况", "举报查核", "班子结构", "班子成员", "交流轮岗", "年度任职人员"]

    summary = [list(r) for r in wb["年度概况"].iter_rows(min_row=2, values_only=True)]
    assert summary[0] == ["指标", "数量", "基数", "比例"]
    assert summary[1][:2] == ["启动选任工作（项）", figures["selections"]["total"]]
    assert summary[3][:2] == ["任职人数（人）", figures["appointments"]["total"]] == ["任职人数（人）", 1]
    assert summary[4] == ["其中经差额选拔产生（人）", 1, 1, 1.0]

    structure = list(wb["班子结构"].iter_rows(values_only=True))
    assert structure[0][0].startswith("县农业农村局领导班子（现任 5 人")
    assert list(structure[1]) == ["指标", "人数", "基数", "比例", "目标", "是否达标"]
    assert list(structure[2]) == ["正科职干部中40周岁以下", 1, 5, 0.2, "≥20%", "达标"]

    rotation = list(wb["交流轮岗"].iter_rows(min_row=2, values_only=True))
    assert list(rotation[0]) == [
        "姓名",
        "单位",
        "现任职务",
        "任现职时间",
        "任职年限（年）",
        "关键岗位",
        "交流要求",
        "依据",
    ]
    names = {row[0]: row[4] for row in rotation[1:]}
    assert names == {r["name"]: r["years"] for r in figures["rotation"]}
    cell = next(c for c in wb["交流轮岗"]["A"] if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"  # a name is never a formula

    complaints = list(wb["举报查核"].iter_rows(min_row=2, values_only=True))
    assert list(complaints[0]) == ["类别", "受理件数", "已查核件数", "查核率", "目标", "是否达标"]
    assert complaints[1][:3] == ("全部举报", 0, 0)


def _pdf_text(content: bytes, response) -> str:
    """pdftotext when installed; else the text of WeasyPrint's own document of the same HTML."""
    if shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
        return done.stdout.decode()
    from weasyprint import HTML

    context = response.context.flatten()
    html = render_to_string("supervision/annual_pdf.html", context)
    texts = []
    for page in HTML(string=html).render().pages:
        texts += [box.text for box in page._page_box.descendants() if hasattr(box, "text")]
    return "".join(texts)


@pytest.mark.django_db
def test_pdf_names_the_units_team(client, supervisor, reported_unit):
    response = _get(client, supervisor, "annual_pdf", unit=reported_unit.pk)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    artifacts = Path(__file__).resolve().parents[2] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "annual-figures.pdf").write_bytes(response.content)  # to look at (pdftoppm)
    text = "".join(_pdf_text(response.content, response).split())
    assert "县农业农村局领导班子结构" in text
    assert "正科职干部中40周岁以下" in text and "20.0%" in text


@pytest.mark.django_db
def test_names_are_escaped_in_the_charts(client, staff):
    unit = UnitFactory(name="<b>局</b>")
    team(unit, (CHIEF, 38, BA, "M"))
    html = _get(client, staff, "annual", unit=unit.pk).content.decode()
    assert "<b>局</b>" not in html and "&lt;b&gt;局&lt;/b&gt;领导班子结构与C2目标" in html
