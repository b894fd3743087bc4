"""The inspection page of one candidate (issue #11): every part on the page, each saving inline with
htmx (the part again with a saved marker or its errors, nothing written on refusal), a normal
post + redirect without JavaScript, and a query count that does not grow with the rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadre.models import RecordEntry
from inspection.models import DepartmentOpinion, EconomicAudit, FactorAssessment, InspectionProcedure, Talk

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def team(staff, inspecting):
    """The candidate's inspection team, working these last days: talks and procedures fall in its period
    (a talk or procedure needs the team, cadre/dates.py)."""
    from inspection import services

    return services.team_create(
        actor=staff,
        selection=inspecting.selection,
        name="第一考察组",
        leader=staff,
        starts_on=timezone.localdate() - timedelta(days=2),
        ends_on=timezone.localdate(),
        place="县财政局",
        scope="局领导班子成员",
        forum_size=12,
        candidates=[inspecting],
    )


def url(candidate):
    return reverse("inspection:inspection", args=[candidate.pk])


def today(days=0):
    return (timezone.localdate() - timedelta(days=days)).isoformat()


# part -> (model, good POST data, bad POST data, the Chinese error the bad data shows)
PARTS = {
    "procedure": (
        InspectionProcedure,
        {"procedure-name": "民主测评", "procedure-done_on": today(1), "procedure-note": "测评 30 人"},
        {"procedure-name": "民主测评", "procedure-done_on": "2020-13-45"},
        "请输入有效的日期（YYYY-MM-DD）",
    ),
    "talk": (
        Talk,
        {
            "talk-interviewee": "李四",
            "talk-category": "中层干部",
            "talk-talked_on": today(1),
            "talk-summary": "敢担当。",
        },
        {"talk-interviewee": "李四", "talk-category": "中层干部", "talk-talked_on": today(1), "talk-summary": ""},
        "此项为必填项",
    ),
    "factor": (
        FactorAssessment,
        {"row": "integrity", "factor-integrity-grade": "excellent", "factor-integrity-text": "廉洁自律。"},
        {"row": "integrity", "factor-integrity-grade": "superb", "factor-integrity-text": "廉洁自律。"},
        "请从列表中选择",
    ),
    "opinion": (
        DepartmentOpinion,
        {"opinion-department": "纪检", "opinion-received_on": today(1), "opinion-opinion": "未发现问题。"},
        {"opinion-department": "纪检", "opinion-received_on": today(-3), "opinion-opinion": "未发现问题。"},
        "日期不能晚于今天",
    ),
    "audit": (
        EconomicAudit,
        {"audit-auditor": "县审计局", "audit-concluded_on": today(2), "audit-conclusion": "无问题。"},
        {"audit-auditor": "", "audit-concluded_on": today(2), "audit-conclusion": "无问题。"},
        "此项为必填项",
    ),
}


def test_page_shows_every_part_at_once_in_the_wide_layout(client, staff, inspecting):
    client.force_login(staff)
    response = client.get(url(inspecting))
    assert response.status_code == 200
    html = response.content.decode()
    for name in PARTS:
        assert f'id="part-{name}"' in html
        assert f'hx-target="#part-{name}"' in html
    assert '<details class="card"' not in html  # no collapsed forms any more
    assert 'class="ip"' not in html  # not the narrow inspection layout
    assert 'class="page-head"' in html and 'id="next-step"' in html
    assert html.count('name="row"') == 5  # one small form per factor
    assert "js/inline-save.js" in html


@pytest.mark.parametrize("part", list(PARTS))
def test_inline_save_writes_and_returns_the_part(client, staff, inspecting, part):
    model, good, _bad, _error = PARTS[part]
    client.force_login(staff)
    entries = RecordEntry.objects.filter(candidate=inspecting).count()
    response = client.post(url(inspecting), {"action": part, **good}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<section class="card ins-part" id="part-{part}"')
    assert "已保存" in html and "并已记入全程纪实" in html
    # the checklist and the next step come along out of band, so they reflect the save
    assert 'id="checklist-card" aria-labelledby="h-check" hx-swap-oob="true"' in html
    assert 'id="next-step" aria-labelledby="next-step-h" hx-swap-oob="true"' in html
    assert "<html" not in html  # a fragment, not the page
    assert model.objects.filter(candidate=inspecting).count() == 1
    assert RecordEntry.objects.filter(candidate=inspecting).count() == entries + 1


@pytest.mark.parametrize("part", list(PARTS))
def test_inline_save_with_a_bad_value_shows_the_error_and_writes_nothing(client, staff, inspecting, part):
    model, _good, bad, error = PARTS[part]
    client.force_login(staff)
    entries = RecordEntry.objects.filter(candidate=inspecting).count()
    response = client.post(url(inspecting), {"action": part, **bad}, **HX)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="part-{part}"' in html and error in html
    assert "已保存" not in html
    assert not model.objects.filter(candidate=inspecting).exists()
    assert RecordEntry.objects.filter(candidate=inspecting).count() == entries


def test_without_javascript_a_save_redirects_to_the_part(client, staff, inspecting):
    client.force_login(staff)
    _model, good, _bad, _error = PARTS["talk"]
    response = client.post(url(inspecting), {"action": "talk", **good})
    assert response.status_code == 302
    assert response["Location"] == url(inspecting) + "#part-talk"
    assert Talk.objects.get(candidate=inspecting).interviewee == "李四"
    page = client.get(url(inspecting)).content.decode()
    assert "谈话记录已保存，并已记入全程纪实" in page and "敢担当。" in page


def test_without_javascript_a_bad_value_rerenders_the_whole_page(client, staff, inspecting):
    client.force_login(staff)
    _model, _good, bad, error = PARTS["audit"]
    response = client.post(url(inspecting), {"action": "audit", **bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html and error in html
    assert "无问题。</textarea>" in html  # what was typed is kept
    assert not EconomicAudit.objects.exists()


def test_factor_row_decides_which_factor_not_the_hidden_field(client, staff, inspecting):
    client.force_login(staff)
    data = {
        "action": "factor",
        "row": "ability",
        "factor-ability-factor": "integrity",
        "factor-ability-grade": "good",
        "factor-ability-text": "能力较强。",
    }
    assert client.post(url(inspecting), data, **HX).status_code == 200
    assert list(FactorAssessment.objects.values_list("factor", "grade")) == [("ability", "good")]
    # saving the row again replaces the grade and the form shows the current one
    data.update({"factor-ability-grade": "excellent"})
    html = client.post(url(inspecting), data, **HX).content.decode()
    assert list(FactorAssessment.objects.values_list("factor", "grade")) == [("ability", "excellent")]
    assert '<option value="excellent" selected>' in html


def test_unknown_factor_row_is_refused(client, staff, inspecting):
    client.force_login(staff)
    data = {"action": "factor", "row": "looks", "factor-looks-grade": "good", "factor-looks-text": "好"}
    assert client.post(url(inspecting), data, **HX).status_code == 403
    assert not FactorAssessment.objects.exists()


def test_inspector_on_the_team_saves_a_talk_inline_but_not_an_opinion(client, staff, inspector, inspecting, team):
    from inspection import services

    services.team_member_add(actor=staff, team=team, user=inspector)
    client.force_login(inspector)
    page = client.get(url(inspecting)).content.decode()
    assert 'hx-target="#part-talk"' in page and 'hx-target="#part-opinion"' not in page
    assert client.post(url(inspecting), {"action": "talk", **PARTS["talk"][1]}, **HX).status_code == 200
    assert client.post(url(inspecting), {"action": "opinion", **PARTS["opinion"][1]}, **HX).status_code == 403
    assert Talk.objects.count() == 1 and not DepartmentOpinion.objects.exists()


def _rows(candidate, staff, start, stop):
    day = timezone.localdate() - timedelta(days=1)
    Talk.objects.bulk_create(
        Talk(
            candidate=candidate,
            interviewee=f"谈话对象{i}",
            category="中层干部",
            talked_on=day,
            summary="要点",
            recorded_by=staff,
        )
        for i in range(start, stop)
    )
    DepartmentOpinion.objects.bulk_create(
        DepartmentOpinion(
            candidate=candidate, department="纪检", received_on=day, opinion=f"意见{i}", recorded_by=staff
        )
        for i in range(start, stop)
    )
    InspectionProcedure.objects.bulk_create(
        InspectionProcedure(candidate=candidate, name="民主测评", done_on=day, recorded_by=staff)
        for _ in range(start, stop)
    )


def _queries(client, candidate):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(candidate))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_queries_do_not_grow_with_talks_and_opinions(client, staff, inspecting):
    client.force_login(staff)
    _rows(inspecting, staff, 0, 2)
    _queries(client, inspecting)  # warms the rule citations' cache (cadre.citations)
    few, html = _queries(client, inspecting)
    assert html.count("谈话对象") >= 2
    _rows(inspecting, staff, 2, 20)
    many, html = _queries(client, inspecting)
    assert "谈话对象19" in html and "意见19" in html
    assert many == few, f"{few} queries with 2 rows each, {many} with 20"
