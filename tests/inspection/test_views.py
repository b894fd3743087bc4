"""Pages: GET and POST, bad input kept and explained in Chinese, 404 for those who may not see."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cadre.models import Kinship, Stage
from inspection import services
from inspection.models import (
    Comparison,
    Consultation,
    InspectionNotice,
    InspectionReport,
    InspectionTeam,
    InspectionTeamMember,
    Talk,
)

from ..factories import CadreFactory, PositionFactory
from .conftest import in_stage

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def url(name, *args):
    return reverse(f"inspection:{name}", args=args)


@pytest.fixture
def team_of(staff, inspector, inspecting):
    team = services.team_create(
        actor=staff,
        selection=inspecting.selection,
        name="第一考察组",
        leader=staff,
        starts_on=TODAY() - timedelta(days=2),
        ends_on=TODAY(),
        place="县财政局",
        scope="局领导班子成员",
        forum_size=12,
        candidates=[inspecting],
    )
    services.team_member_add(actor=staff, team=team, user=inspector)
    return team


# ---------------------------------------------------------------------------- inspection page


def test_inspection_page_shows_checklist(client, staff, inspecting):
    client.force_login(staff)
    response = client.get(url("inspection", inspecting.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "考察清单" in html and ">I1–I9<" in html
    for rule_id in ("I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8", "I9"):
        assert f"<strong>{rule_id}" in html
    assert "未完成" in html and "记录个别谈话" in html


def test_inspection_page_done_marks_when_prepared(client, staff, inspected):
    client.force_login(staff)
    html = client.get(url("inspection", inspected.pk)).content.decode()
    assert "未完成" not in html.split("进入酝酿前的全部规则检查")[0]


@pytest.mark.parametrize("who", ["other_staff", "outsider_inspector", "committee"])
def test_inspection_page_404_for_others(client, who, other_staff, inspecting, django_user_model):
    from cadre import roles

    from ..factories import UserFactory

    users = {
        "other_staff": other_staff,
        "outsider_inspector": UserFactory(roles=[roles.INSPECTOR]),
        "committee": UserFactory(roles=[roles.COMMITTEE_MEMBER]),
    }
    client.force_login(users[who])
    assert client.get(url("inspection", inspecting.pk)).status_code == 404
    assert client.post(url("inspection", inspecting.pk), {"action": "talk"}).status_code == 404


def test_login_required(client, inspecting):
    response = client.get(url("inspection", inspecting.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_team_inspector_records_a_talk(client, inspector, inspecting, team_of):
    client.force_login(inspector)
    assert client.get(url("inspection", inspecting.pk)).status_code == 200
    data = {
        "action": "talk",
        "talk-interviewee": "李四",
        "talk-category": "单位领导班子成员",
        "talk-talked_on": TODAY().isoformat(),
        "talk-summary": "该同志敢于担当。",
    }
    response = client.post(url("inspection", inspecting.pk), data)
    assert response.status_code == 302
    assert Talk.objects.get(candidate=inspecting).interviewee == "李四"
    html = client.get(url("inspection", inspecting.pk)).content.decode()
    assert "该同志敢于担当。" in html


def test_bad_talk_is_explained_and_kept(client, staff, inspecting):
    client.force_login(staff)
    data = {
        "action": "talk",
        "talk-interviewee": "王五",
        "talk-category": "",
        "talk-talked_on": "2020-13-45",
        "talk-summary": "",
    }
    response = client.post(url("inspection", inspecting.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "此项为必填项" in html and "请输入有效的日期" in html
    assert 'value="王五"' in html
    assert not Talk.objects.exists()


def test_future_date_refused_by_service_is_shown(client, staff, inspecting):
    client.force_login(staff)
    data = {
        "action": "procedure",
        "procedure-name": "实地查看",
        "procedure-done_on": (TODAY() + timedelta(days=3)).isoformat(),
    }
    response = client.post(url("inspection", inspecting.pk), data)
    assert response.status_code == 400
    assert "日期不能晚于今天" in response.content.decode()


def test_inspector_cannot_post_opinion(client, inspector, inspecting, team_of):
    client.force_login(inspector)
    data = {"action": "opinion", "opinion-department": "纪检", "opinion-received_on": TODAY(), "opinion-opinion": "x"}
    assert client.post(url("inspection", inspecting.pk), data).status_code == 403


def test_supervisor_reads_but_cannot_write(client, supervisor, inspecting, staff, team_of):
    services.talk_create(
        actor=staff, candidate=inspecting, interviewee="赵六", category="中层干部", talked_on=TODAY(), summary="机密"
    )
    client.force_login(supervisor)
    response = client.get(url("inspection", inspecting.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "机密" in html and "记录个别谈话" not in html
    assert client.post(url("inspection", inspecting.pk), {"action": "talk"}).status_code == 403


def test_admin_sees_page_but_not_talks(client, admin_user, staff, inspecting, team_of):
    services.talk_create(
        actor=staff, candidate=inspecting, interviewee="赵六", category="中层干部", talked_on=TODAY(), summary="机密"
    )
    client.force_login(admin_user)
    html = client.get(url("inspection", inspecting.pk)).content.decode()
    assert "机密" not in html and "谈话记录仅考察组成员" in html


# ---------------------------------------------------------------------------- deliberation page


def test_deliberation_page_get_and_post(client, staff, inspected):
    deliberating = in_stage(inspected, Stage.DELIBERATION)
    client.force_login(staff)
    response = client.get(url("deliberation", deliberating.pk))
    assert response.status_code == 200
    assert "酝酿清单" in response.content.decode() and ">D1–D3<" in response.content.decode()
    data = {
        "level": "minister_meeting",
        "held_on": TODAY().isoformat(),
        "participants": "部长、副部长",
        "opinions": "同意提交书记碰头会",
        "candidates": [deliberating.pk],
    }
    assert client.post(url("deliberation", deliberating.pk), data).status_code == 302
    assert Consultation.objects.get().candidates.get() == deliberating


def test_deliberation_disagreement_needs_text(client, staff, inspected):
    deliberating = in_stage(inspected, Stage.DELIBERATION)
    client.force_login(staff)
    data = {
        "level": "secretaries_meeting",
        "held_on": TODAY().isoformat(),
        "participants": "书记",
        "opinions": "有分歧",
        "candidates": [deliberating.pk],
        "disagreement": "on",
    }
    response = client.post(url("deliberation", deliberating.pk), data)
    assert response.status_code == 400
    assert "有重大分歧时须写明分歧情况" in response.content.decode()
    assert not Consultation.objects.exists()


def test_deliberation_404_for_other_staff_and_inspectors(client, other_staff, inspector, inspecting, team_of):
    for user in (other_staff, inspector):
        client.force_login(user)
        assert client.get(url("deliberation", inspecting.pk)).status_code == 404


# ---------------------------------------------------------------------------- selection pages


def test_notice_page(client, staff, other_staff, inspecting):
    selection = inspecting.selection
    client.force_login(staff)
    assert client.get(url("notice", selection.pk)).status_code == 200
    bad = {"published_on": TODAY().isoformat(), "team_text": "组长张三", "contact_phone": "电话", "text": "预告"}
    response = client.post(url("notice", selection.pk), bad)
    assert response.status_code == 400 and "请填写有效的联系电话" in response.content.decode()
    good = {**bad, "contact_phone": "0731-8888888"}
    assert client.post(url("notice", selection.pk), good).status_code == 302
    assert InspectionNotice.objects.get().contact_phone == "0731-8888888"
    client.force_login(other_staff)
    assert client.get(url("notice", selection.pk)).status_code == 404


def test_team_page_create_and_i9_refusal(client, staff, inspector, other_staff, inspecting):
    selection = inspecting.selection
    client.force_login(staff)
    assert client.get(url("team", selection.pk)).status_code == 200
    data = {
        "action": "create",
        "team-name": "第一考察组",
        "team-leader": staff.pk,
        "team-starts_on": TODAY().isoformat(),
        "team-ends_on": TODAY().isoformat(),
        "team-place": "县财政局",
        "team-scope": "局机关全体干部",
        "team-forum_size": "25",
        "team-candidates": [inspecting.pk],
    }
    assert client.post(url("team", selection.pk), data).status_code == 302
    team = InspectionTeam.objects.get()
    relative = CadreFactory()
    Kinship.objects.create(cadre=inspecting.cadre, relative=relative, relation="配偶")
    member = {"action": "member", "team": team.pk, f"member-{team.pk}-user": inspector.pk}
    response = client.post(url("team", selection.pk), {**member, f"member-{team.pk}-cadre": relative.pk})
    assert response.status_code == 409  # refused by I9, not malformed
    assert "应当回避" in response.content.decode()
    assert not InspectionTeamMember.objects.filter(user=inspector).exists()
    assert client.post(url("team", selection.pk), member).status_code == 302
    assert InspectionTeamMember.objects.filter(user=inspector).exists()
    client.force_login(other_staff)
    assert client.get(url("team", selection.pk)).status_code == 404


def test_team_page_bad_input(client, staff, inspecting):
    client.force_login(staff)
    data = {"action": "create", "team-name": "", "team-forum_size": "-3", "team-ends_on": "x"}
    response = client.post(url("team", inspecting.selection_id), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "此项为必填项" in html and "至少选择一名考察对象" in html and "座谈人数须大于 0" in html


def test_team_page_queries_do_not_grow(client, staff, selection, position, django_assert_max_num_queries):
    from cadre.services import candidate_create

    client.force_login(staff)
    for i in range(4):
        c = in_stage(
            candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory()),
            Stage.INSPECTION,
        )
        services.team_create(
            actor=staff,
            selection=selection,
            name=f"考察组{i}",
            leader=staff,
            starts_on=TODAY(),
            ends_on=TODAY(),
            place="某地",
            scope="某范围",
            forum_size=5,
            candidates=[c],
        )
    # The next-step box (issue #11) runs the forward rules of one candidate: a fixed cost, measured
    # here and added to the page's own 25 queries at most.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cadre import next_step

    with CaptureQueriesContext(connection) as box:
        next_step.for_selection(user=staff, selection=selection)
    with django_assert_max_num_queries(25 + len(box.captured_queries)):
        assert client.get(url("team", selection.pk)).status_code == 200


def test_report_page(client, staff, other_staff, inspecting):
    selection, position = inspecting.selection, inspecting.position
    client.force_login(staff)
    assert client.get(url("report", selection.pk, position.pk)).status_code == 200
    response = client.post(url("report", selection.pk, position.pk), {"comparison": "", "recommendation": "建议"})
    assert response.status_code == 400 and "此项为必填项" in response.content.decode()
    data = {
        "comparison": "两名考察对象对比……",
        "recommendation": "建议任用",
        "recommended": inspecting.pk,
        "heard_on": TODAY().isoformat(),
    }
    assert client.post(url("report", selection.pk, position.pk), data).status_code == 302
    assert InspectionReport.objects.get().recommended == inspecting
    assert client.get(url("report", selection.pk, PositionFactory().pk)).status_code == 404
    client.force_login(other_staff)
    assert client.get(url("report", selection.pk, position.pk)).status_code == 404


def test_comparison_page(client, staff, other_staff, inspecting):
    selection, position = inspecting.selection, inspecting.position
    client.force_login(staff)
    assert client.get(url("comparison", selection.pk, position.pk)).status_code == 200
    aspects = dict.fromkeys(Comparison.ASPECTS, "比较内容")
    response = client.post(url("comparison", selection.pk, position.pk), {**aspects, "post_fit": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "此项为必填项" in html and "比较内容</textarea>" in html
    assert not Comparison.objects.exists()
    assert client.post(url("comparison", selection.pk, position.pk), aspects).status_code == 302
    assert Comparison.objects.get().post_fit == "比较内容"
    client.force_login(other_staff)
    assert client.get(url("comparison", selection.pk, position.pk)).status_code == 404
