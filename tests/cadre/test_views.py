"""The staff workspace pages: each page and form, refusals shown, input kept, 404s, query counts."""

import sys
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadre import diagram, services, views
from cadre.models import FORWARD, Cadre, Candidate, MotionReason, RecordEntry, RecordKind, Selection, Stage
from cadre.record import record_append

from ..conftest import advance, prepare, recommend
from ..factories import CadreFactory, PositionFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _bulk_candidates(selection, position, n):
    unit = UnitFactory()
    cadres = Cadre.objects.bulk_create(
        Cadre(
            name=f"批量{i}",
            gender="M" if i % 2 else "F",
            education="bachelor",
            birth_date=date(1970 + i % 30, 1, 1),
            work_start_date=date(1995, 1, 1),
            unit=unit,
            position=position if i % 3 == 0 else None,
        )
        for i in range(n)
    )
    stages = [s.value for s in Stage]
    Candidate.objects.bulk_create(
        Candidate(selection=selection, position=position, cadre=c, stage=stages[i % len(stages)])
        for i, c in enumerate(cadres)
    )


# ---------------------------------------------------------------------------- login and shell


def test_pages_need_login(client, selection, candidate):
    for url in [
        reverse("cadre:home"),
        reverse("cadre:help"),
        reverse("cadre:selections"),
        reverse("cadre:selection_create"),
        reverse("cadre:selection", args=[selection.pk]),
        reverse("cadre:candidate", args=[candidate.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_login_page_is_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_login_and_logout(client, staff):
    response = client.post("/accounts/login/", {"username": staff.username, "password": "pw-12345678"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert staff.username in page and "退出" in page and "工作台" in page
    response = client.post("/accounts/logout/", {"next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_shows_chinese_error(client, staff):
    response = client.post("/accounts/login/", {"username": staff.username, "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()
    assert staff.username in response.content.decode()  # the typed name is kept


# ---------------------------------------------------------------------------- dashboard


def test_dashboard_shows_selections_pipeline_waiting_and_charts(staff_client, selection, candidate):
    response = staff_client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert selection.title in page
    assert candidate.cadre.name in page  # in the board and in "waiting on me"
    assert "待我处理" in page and "人选进度" in page
    data = response.context["chart_data"]
    assert data["funnel"]["data"][0] == 1  # one candidate in motion
    assert 'id="chart-data"' in page and "chart.umd.min.js" in page


def test_waiting_only_lists_selections_i_work_on(client, supervisor, candidate):
    client.force_login(supervisor)
    response = client.get("/")
    assert list(response.context["waiting"]) == []
    assert response.context["columns"][0]["count"] == 1  # a supervisor still sees the board


def test_dashboard_lists_recommendation_about_to_expire(staff_client, staff, candidate):
    advance(candidate, staff, "nominate", "recommend")
    recommend(candidate, held_on=timezone.localdate() - timedelta(days=360))
    deadlines = staff_client.get("/").context["deadlines"]
    assert [(d.kind, d.days_left) for d in deadlines] == [("R2", 5)]
    assert candidate.cadre.name in deadlines[0].label


def test_dashboard_ignores_recommendations_far_from_expiry(staff_client, staff, candidate):
    advance(candidate, staff, "nominate", "recommend")
    recommend(candidate, held_on=timezone.localdate() - timedelta(days=10))
    assert staff_client.get("/").context["deadlines"] == []


def test_deadline_sources_are_merged_and_sorted(staff, monkeypatch):
    soon, later = timezone.localdate() + timedelta(days=3), timezone.localdate() + timedelta(days=20)
    monkeypatch.setattr(
        views,
        "DEADLINE_SOURCES",
        ["tests.cadre.test_views.fake_source"],
    )
    monkeypatch.setattr(
        sys.modules[__name__], "FAKE", [{"date": later, "label": "试用期满"}, {"date": soon, "label": "公示结束"}]
    )
    assert [d.label for d in views.upcoming_deadlines(user=staff)] == ["公示结束", "试用期满"]


FAKE: list = []


def fake_source(*, user):
    return FAKE


def test_team_structure_counts_holders_by_age_gender_education():
    today = date(2026, 6, 1)
    position = PositionFactory(quota=9)
    for birth, gender, education in [
        (date(1995, 1, 1), "F", "master"),  # 31
        (date(1991, 6, 1), "M", "bachelor"),  # exactly 35
        (date(1975, 1, 1), "M", "bachelor"),  # 51
        (date(1960, 1, 1), "M", "associate"),  # 66
    ]:
        CadreFactory(position=position, birth_date=birth, gender=gender, education=education)
    CadreFactory(position=None, birth_date=date(1999, 1, 1))  # holds no post: not counted
    structure = views.team_structure(today=today)
    assert structure["total"] == 4
    assert structure["age"]["data"] == [1, 1, 1, 1]
    assert structure["gender"]["data"] == [3, 1]
    assert dict(zip(structure["education"]["labels"], structure["education"]["data"], strict=True)) == {
        "中专及以下": 0,
        "大专": 1,
        "大学本科": 2,
        "硕士研究生": 1,
        "博士研究生": 0,
    }


# ---------------------------------------------------------------------------- query counts


@pytest.mark.parametrize("n", [10, 1000])
def test_dashboard_query_count_is_constant(staff_client, selection, position, n, django_assert_max_num_queries):
    _bulk_candidates(selection, position, n)
    # +4: supervision.reminders (ended publicities, C1 + its thresholds, 到龄); +1 (issue #10): the R2
    # deadlines read the staff member's selection ids first, then their candidates by index.
    with django_assert_max_num_queries(20):
        response = staff_client.get("/")
    assert response.status_code == 200
    assert sum(c["count"] for c in response.context["columns"]) == n


@pytest.mark.parametrize("n", [10, 1000])
def test_selection_page_query_count_is_constant(staff_client, selection, position, n, django_assert_max_num_queries):
    _bulk_candidates(selection, position, n)
    with django_assert_max_num_queries(13):
        response = staff_client.get(reverse("cadre:selection", args=[selection.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('name="candidates"') == n


# Measured: 18 on the candidate page at the recommendation stage (session, user, roles, candidate,
# two permission checks, cadre, three threshold snapshots, the rules of `inspect`, the record).
CANDIDATE_PAGE_QUERIES = 20


@pytest.mark.parametrize("n", [10, 1000])
def test_candidate_page_query_count_is_constant(
    staff_client, staff, selection, position, candidate, n, django_assert_max_num_queries
):
    _bulk_candidates(selection, PositionFactory(quota=n), n)  # other candidates, another post
    advance(candidate, staff, "nominate", "recommend")
    services.candidate_record_important(actor=staff, candidate_id=candidate.pk, category="other", text="说明")
    with django_assert_max_num_queries(CANDIDATE_PAGE_QUERIES):
        response = staff_client.get(reverse("cadre:candidate", args=[candidate.pk]))
    assert response.status_code == 200


def _page_queries(client, url) -> int:
    """SQL queries of one GET, after a first one has filled the process's caches (content types)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["dashboard", "selection", "candidate"])
def test_query_counts_are_the_same_for_10_and_1000_candidates(
    staff_client, staff, selection, position, candidate, page
):
    advance(candidate, staff, "nominate", "recommend")
    url = {
        "dashboard": "/",
        "selection": reverse("cadre:selection", args=[selection.pk]),
        "candidate": reverse("cadre:candidate", args=[candidate.pk]),
    }[page]
    _bulk_candidates(selection, position, 10)
    with_10 = _page_queries(staff_client, url)
    _bulk_candidates(selection, position, 990)
    assert Candidate.objects.filter(selection=selection).count() == 1001
    assert _page_queries(staff_client, url) == with_10


def test_candidate_page_query_count_does_not_grow_with_the_record(staff_client, staff, candidate):
    advance(candidate, staff, "nominate", "recommend")
    url = reverse("cadre:candidate", args=[candidate.pk])
    few = _page_queries(staff_client, url)
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        for i in range(200):
            record_append(
                candidate=locked,
                actor=staff,
                kind=RecordKind.FACT,
                payload={"fact": "个别谈话", "text": f"第 {i} 次谈话"},
            )
    assert _page_queries(staff_client, url) == few <= CANDIDATE_PAGE_QUERIES
    assert (
        staff_client.get(url).content.decode().count('<li class="tl-item')
        == RecordEntry.objects.filter(candidate=candidate).count()
        > 200
    )


@pytest.mark.parametrize("n", [10, 1000])
def test_selection_list_query_count_is_constant(staff, staff_client, position, n, django_assert_max_num_queries):
    for i in range(n // 100 + 2):
        services.selection_create(actor=staff, title=f"选任{i}", reason=MotionReason.VACANCY, positions=[position])
    # 7 (issue #10: paged by id first): session, user, roles, the count, the page's ids, its rows with
    # their counts, their positions.
    with django_assert_max_num_queries(7):
        response = staff_client.get(reverse("cadre:selections"))
    assert response.status_code == 200


def test_selection_list_is_paged_by_id_first(staff, staff_client, position, django_assert_max_num_queries):
    """Issue #10: 50 selections a page, newest first, read by id first; a too large page is the last."""
    made = [
        services.selection_create(
            actor=staff, title=f"分页选任{i:03d}", reason=MotionReason.VACANCY, positions=[position]
        )
        for i in range(120)
    ]
    first = staff_client.get(reverse("cadre:selections")).content.decode()
    assert first.count('<td><a href="/selections/') == 50
    assert "分页选任119" in first and "分页选任070" in first and "分页选任069" not in first
    assert "第 1 / 3 页" in first and "共 120 项" in first and "?page=2" in first
    with django_assert_max_num_queries(8):
        last = staff_client.get(reverse("cadre:selections"), {"page": 3})
    body = last.content.decode()
    assert body.count('<td><a href="/selections/') == 20 and "分页选任000" in body and "分页选任020" not in body
    assert staff_client.get(reverse("cadre:selections"), {"page": "99"}).content.decode().count("分页选任0") == 20
    assert str(MotionReason.VACANCY.label) in body
    assert len(made) == 120


# ---------------------------------------------------------------------------- selections


def test_selection_list_shows_only_my_selections(client, other_staff, selection):
    client.force_login(other_staff)
    page = client.get(reverse("cadre:selections")).content.decode()
    assert selection.title not in page


def test_selection_page_shows_positions_quota_holders_and_candidates(staff_client, selection, position, candidate):
    holder = CadreFactory(position=position, name="现任者")
    page = staff_client.get(reverse("cadre:selection", args=[selection.pk])).content.decode()
    assert position.title in page and holder.name in page and candidate.cadre.name in page
    assert "职数" in page


def test_other_staff_gets_404_for_selection_and_candidate(client, other_staff, selection, candidate):
    client.force_login(other_staff)
    assert client.get(reverse("cadre:selection", args=[selection.pk])).status_code == 404
    assert client.get(reverse("cadre:candidate", args=[candidate.pk])).status_code == 404
    response = client.post(reverse("cadre:selection_move", args=[selection.pk]), {"candidates": [candidate.pk]})
    assert response.status_code == 404
    assert (
        client.post(reverse("cadre:candidate_move", args=[candidate.pk]), {"transition": "nominate"}).status_code == 404
    )


def test_selection_create_succeeds(staff_client, staff):
    positions = [PositionFactory(), PositionFactory()]
    response = staff_client.post(
        reverse("cadre:selection_create"),
        {
            "title": "县教育局副局长选任",
            "reason": "vacancy",
            "competitive": "on",
            "positions": [p.pk for p in positions],
        },
    )
    selection = Selection.objects.get(title="县教育局副局长选任")
    assert response.status_code == 302 and response.url == reverse("cadre:selection", args=[selection.pk])
    assert set(selection.positions.all()) == set(positions)
    assert selection.created_by == staff


def test_selection_create_bad_input_keeps_typed_values(staff_client):
    response = staff_client.post(
        reverse("cadre:selection_create"),
        {"title": "我输入的名称", "reason": "other", "reason_text": "", "superior_approval": "批复文号123"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "M1 动议理由为“其他”时必须写明具体理由" in page
    assert "至少选择一个职位" in page
    assert "等额选拔须写明只有一名合适人选的理由" in page  # competitive unticked
    assert 'value="我输入的名称"' in page and 'value="批复文号123"' in page
    assert not Selection.objects.exists()


def test_selection_create_needs_a_title(staff_client):
    response = staff_client.post(reverse("cadre:selection_create"), {"reason": "vacancy"})
    assert response.status_code == 400
    assert "请填写选任工作名称" in response.content.decode()


def test_selection_create_by_supervisor_is_403(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("cadre:selection_create"),
        {"title": "越权", "reason": "vacancy", "competitive": "on", "positions": [PositionFactory().pk]},
    )
    assert response.status_code == 403
    assert "只有组工干部可以发起选任工作" in response.content.decode()


def test_add_candidate(staff_client, selection, position):
    cadre = CadreFactory(name="新人选")
    response = staff_client.post(
        reverse("cadre:candidate_add", args=[selection.pk]), {"cadre": cadre.pk, "position": position.pk}
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get(cadre=cadre)
    assert candidate.selection == selection and candidate.record.get().kind == "created"


def test_add_candidate_twice_shows_error_and_keeps_choice(staff_client, selection, position, candidate):
    response = staff_client.post(
        reverse("cadre:candidate_add", args=[selection.pk]), {"cadre": candidate.cadre_id, "position": position.pk}
    )
    page = response.content.decode()
    assert response.status_code == 409  # S1: a once-only fact that exists, shown next to the field
    assert "该干部已是此职位的人选" in page
    assert f'<option value="{candidate.cadre_id}" selected>' in page


def test_add_candidate_position_outside_selection_is_refused(staff_client, selection):
    other = PositionFactory()
    response = staff_client.post(
        reverse("cadre:candidate_add", args=[selection.pk]), {"cadre": CadreFactory().pk, "position": other.pk}
    )
    assert response.status_code == 400
    assert not Candidate.objects.exists()


def test_add_candidate_by_supervisor_is_403(client, supervisor, selection, position):
    client.force_login(supervisor)
    response = client.post(
        reverse("cadre:candidate_add", args=[selection.pk]), {"cadre": CadreFactory().pk, "position": position.pk}
    )
    assert response.status_code == 403
    assert "您未被分配承办此选任工作" in response.content.decode()


def test_cohort_move_moves_each_and_reports_each(staff_client, staff, selection, position, candidate):
    second = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    prepare(candidate, staff, "nominate")  # M4: the motion is on the agenda
    response = staff_client.post(
        reverse("cadre:selection_move", args=[selection.pk]),
        {"candidates": [candidate.pk, second.pk], "transition": "nominate"},
    )
    assert response.status_code == 200
    assert [r.outcome for r in response.context["move_results"]] == ["moved", "moved"]
    assert set(Candidate.objects.values_list("stage", flat=True)) == {"nomination"}


def test_cohort_move_shows_refusals_and_conflicts(staff_client, staff, selection, position, candidate):
    second = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    advance(candidate, staff, "nominate", "recommend")
    response = staff_client.post(
        reverse("cadre:selection_move", args=[selection.pk]),
        {"candidates": [candidate.pk, second.pk], "transition": "inspect"},
    )
    page = response.content.decode()
    results = {r.candidate.pk: r for r in response.context["move_results"]}
    assert results[candidate.pk].outcome == "refused"
    assert "R2" in [v.rule for v in results[candidate.pk].violations]
    # the second is still at 动议: the state machine refuses it (rule "stage"), and the refusal is recorded
    assert results[second.pk].outcome == "refused"
    assert [v.rule for v in results[second.pk].violations] == ["stage"]
    assert RecordEntry.objects.filter(candidate=second, kind=RecordKind.REFUSED).count() == 1
    assert "R2" in page and "没有民主推荐结果，不能列为考察对象" in page
    assert "株洲市经信委《关于进一步加强全委干部队伍建设的意见》一（三）" in page
    assert "被拒绝" in page and "人选当前处于“动议”阶段，不能列为考察对象" in page


def test_cohort_move_needs_a_candidate(staff_client, selection, candidate):
    response = staff_client.post(reverse("cadre:selection_move", args=[selection.pk]), {"transition": "nominate"})
    assert response.status_code == 400
    assert "请至少勾选一名人选" in response.content.decode()


def test_cohort_move_rejects_candidates_of_other_selections(staff, staff_client, selection, position, candidate):
    other = services.selection_create(actor=staff, title="另一项", reason=MotionReason.VACANCY, positions=[position])
    response = staff_client.post(
        reverse("cadre:selection_move", args=[other.pk]), {"candidates": [candidate.pk], "transition": "nominate"}
    )
    assert response.status_code == 400
    assert Candidate.objects.get(pk=candidate.pk).stage == "motion"


# ---------------------------------------------------------------------------- candidate page


def test_candidate_page_shows_facts_diagram_missing_and_record(staff_client, staff, candidate):
    advance(candidate, staff, "nominate", "recommend")
    page = staff_client.get(reverse("cadre:candidate", args=[candidate.pk])).content.decode()
    cadre = candidate.cadre
    assert cadre.name in page and cadre.unit.name in page and "参加工作时间" in page
    assert 'class="node node-forward current" data-stage="recommendation"' in page
    assert "R2" in page and "没有民主推荐结果，不能列为考察对象" in page  # what is still missing
    assert "全程纪实" in page and "提名" in page
    assert "disabled" in page  # inspect is blocked by a hard rule


def test_candidate_page_read_only_for_supervisor(client, supervisor, candidate):
    client.force_login(supervisor)
    response = client.get(reverse("cadre:candidate", args=[candidate.pk]))
    assert response.status_code == 200
    assert "您未被分配承办此选任工作" in response.content.decode()
    assert all(o["disabled"] for o in response.context["options"])


def test_candidate_move_succeeds(staff_client, staff, candidate):
    prepare(candidate, staff, "nominate")
    response = staff_client.post(reverse("cadre:candidate_move", args=[candidate.pk]), {"transition": "nominate"})
    assert response.status_code == 302
    assert Candidate.objects.get(pk=candidate.pk).stage == "nomination"


def test_candidate_move_refused_shows_every_violation(staff_client, staff, candidate):
    advance(candidate, staff, "nominate", "recommend")
    cadre = candidate.cadre
    cadre.canvassing_finding = True
    cadre.save()
    response = staff_client.post(reverse("cadre:candidate_move", args=[candidate.pk]), {"transition": "inspect"})
    page = response.content.decode()
    assert response.status_code == 409
    assert {"R2", "E3"} <= {item["v"].rule for item in response.context["refusal"]["violations"]}
    assert "有跑官要官或拉票行为" in page and "株洲市经信委《关于进一步加强全委干部队伍建设的意见》一（四）" in page
    assert candidate.record.last().kind == "refused"


def test_candidate_move_needs_reason_for_withdraw(staff_client, candidate):
    response = staff_client.post(reverse("cadre:candidate_move", args=[candidate.pk]), {"transition": "withdraw"})
    assert response.status_code == 400
    assert "此项为必填项" in response.content.decode()
    assert Candidate.objects.get(pk=candidate.pk).stage == "motion"


def test_candidate_move_conflict(staff_client, candidate):
    response = staff_client.post(reverse("cadre:candidate_move", args=[candidate.pk]), {"transition": "appoint"})
    assert response.status_code == 409
    assert "不能任职" in response.content.decode()


def test_soft_rule_offers_override_and_override_records_important(staff_client, staff, candidate):
    advance(candidate, staff, "nominate", "recommend")
    prepare(candidate, staff, "inspect")  # every rule of "inspect" passes ...
    recommend(candidate, votes=10, present=36)  # ... but one own-unit result below half: R3 (soft) fails
    page = staff_client.get(reverse("cadre:candidate", args=[candidate.pk]))
    inspect = next(o for o in page.context["options"] if o["name"] == "inspect")
    assert [f["rule"] for f in inspect["override_fields"]] == ["R3"] and not inspect["disabled"]
    assert 'name="override_R3"' in page.content.decode()
    response = staff_client.post(
        reverse("cadre:candidate_move", args=[candidate.pk]),
        {"transition": "inspect", "override_R3": "工作实绩突出，部长办公会研究同意"},
    )
    assert response.status_code == 302
    assert Candidate.objects.get(pk=candidate.pk).stage == "inspection"
    timeline = staff_client.get(reverse("cadre:candidate", args=[candidate.pk])).context["timeline"]
    assert any(item["important"] and item["entry"].kind == "important" for item in timeline)


def test_send_back(staff_client, staff, candidate):
    advance(candidate, staff, "nominate", "recommend")
    response = staff_client.post(
        reverse("cadre:candidate_send_back", args=[candidate.pk]), {"to_stage": "nomination", "reason": "材料不全"}
    )
    assert response.status_code == 302
    assert Candidate.objects.get(pk=candidate.pk).stage == "nomination"
    assert candidate.record.last().kind == "send_back"


def test_send_back_needs_reason_and_keeps_choice(staff_client, staff, candidate):
    advance(candidate, staff, "nominate", "recommend")
    response = staff_client.post(
        reverse("cadre:candidate_send_back", args=[candidate.pk]), {"to_stage": "motion", "reason": ""}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "退回必须写明理由" in page
    assert '<option value="motion" selected>' in page
    assert Candidate.objects.get(pk=candidate.pk).stage == "recommendation"


def test_record_important(staff_client, candidate):
    response = staff_client.post(
        reverse("cadre:candidate_important", args=[candidate.pk]),
        {"category": "disagreement", "text": "酝酿中两名常委有不同意见", "outcome": "暂缓提交"},
    )
    assert response.status_code == 302
    entry = RecordEntry.objects.filter(candidate=candidate).last()
    assert entry.kind == "important" and entry.payload["outcome"] == "暂缓提交"
    page = staff_client.get(reverse("cadre:candidate", args=[candidate.pk])).content.decode()
    assert "tl-important" in page and "酝酿中两名常委有不同意见" in page


def test_record_important_needs_text(staff_client, candidate):
    response = staff_client.post(
        reverse("cadre:candidate_important", args=[candidate.pk]), {"category": "other", "text": "", "outcome": "留着"}
    )
    assert response.status_code == 400
    assert "请写明重要情况" in response.content.decode() and "留着" in response.content.decode()


# ---------------------------------------------------------------------------- help and diagram


def test_help_page_lists_stages_rules_roles(staff_client):
    page = staff_client.get(reverse("cadre:help")).content.decode()
    assert "<svg" in page and "民主推荐" in page
    assert 'id="rule-M1"' in page and "《县领导干部初始提名办法（试行）》第五条" in page and "R3 ◇" in page
    assert "001 附件" not in page  # sources are shown by the documents' titles, never by file numbers
    assert "组工干部" in page and "监督人员" in page
    assert page.index('id="rule-M1"') < page.index('id="rule-R2"') < page.index('id="rule-E1"')


def test_stage_graph_comes_from_the_fsm():
    graph = diagram.stage_graph()
    assert graph.forward == [s.value for s in FORWARD]
    assert set(graph.side) == {"eliminated", "withdrawn", "rejected", "suspended"}
    names = {e.name for e in graph.edges}
    assert {"nominate", "appoint", "eliminate", "resume", "send_back"} <= names


def test_stage_svg_marks_current():
    svg = diagram.stage_svg("inspection", orientation="vertical")
    assert svg.startswith("<svg") and svg.count("current") == 1
    assert 'data-stage="inspection"' in svg and "考察" in svg


def test_fix_links_resolve_only_existing_pages(candidate):
    from cadre.templatetags.cadre_tags import optional_reverse, rule_fix_url

    assert optional_reverse("no_such_app:no_such_page", pk=1) is None
    assert rule_fix_url("M3", candidate) == reverse("cadre:selection", args=[candidate.selection_id])
    assert rule_fix_url("R2", candidate) == optional_reverse("nomination:recommendation", pk=candidate.pk)
    assert rule_fix_url("E1", candidate) == reverse("cadre:cadre", args=[candidate.cadre_id])
    assert rule_fix_url("Z9", candidate) is None


def test_language_switch(staff_client):
    response = staff_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert '<html lang="en">' in staff_client.get("/").content.decode()
    staff_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in staff_client.get("/").content.decode()


@pytest.mark.django_db
def test_add_form_lists_a_few_cadres_and_search_finds_the_rest(client, staff, selection):
    from cadre.views import CADRE_CHOICES_SHOWN

    from ..factories import CadreFactory, UnitFactory

    CadreFactory.create_batch(CADRE_CHOICES_SHOWN + 5)
    far = CadreFactory(name="最后一位", unit=UnitFactory(name="远方乡"))
    client.force_login(staff)
    page = client.get(reverse("cadre:selection", args=[selection.pk])).content.decode()
    select = page[page.index('id="id_cadre"') : page.index("</select>", page.index('id="id_cadre"'))]
    assert select.count("<option") == CADRE_CHOICES_SHOWN + 1
    found = client.get(reverse("cadre:cadre_options"), {"q": "远方"}).content.decode()
    assert f'value="{far.pk}"' in found and "最后一位（远方乡 · 无现任职务 · " in found
    nothing = client.get(reverse("cadre:cadre_options"), {"q": "不存在的名字"}).content.decode()
    assert "没有找到匹配的干部" in nothing


@pytest.mark.django_db
def test_cadre_options_show_nothing_to_roles_without_cadre_access(client, selection):
    from ..factories import CadreFactory, UserFactory

    CadreFactory(name="张三")
    client.force_login(UserFactory(roles=["committee_member"]))
    assert "张三" not in client.get(reverse("cadre:cadre_options"), {"q": "张"}).content.decode()


def test_dashboard_lists_an_inspectors_candidates(client, staff, candidate):
    from inspection import services as inspection_services

    from ..factories import UserFactory

    inspector = UserFactory(roles=["inspector"])
    candidate = advance(candidate, staff, "nominate", "recommend", "inspect")
    inspection_services.team_create(
        actor=staff,
        selection=candidate.selection,
        name="第一考察组",
        leader=inspector,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=5),
        place="县委组织部",
        scope="单位全体干部",
        forum_size=20,
        candidates=[candidate],
    )
    client.force_login(inspector)
    page = client.get("/").content.decode()
    assert "我的考察任务" in page
    assert f"/inspection/candidates/{candidate.pk}/inspection/" in page
    client.force_login(staff)
    assert "我的考察任务" not in client.get("/").content.decode()
