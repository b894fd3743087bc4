"""The decision stage in Excel (#9): a meeting's results and a closed ballot's tally as .xlsx, opened
with openpyxl; the same permissions as the pages; pending paper numbers never exported."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cadre import roles
from voting import services

from ..conftest import paper_result
from ..factories import CadreFactory, UserFactory
from .ballot_helpers import deciding_pair, decision_session, item_of, members

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    return [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]


def test_meeting_results_export(client, staff):
    a, b = deciding_pair(staff)
    meeting = services.meeting_create(
        actor=staff, selection=a.selection, held_on=date.today(), title="县委常委会第9次会议", entitled=11
    )
    for c in (a, b):
        services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=c.pk)
    services.meeting_open(actor=staff, meeting_id=meeting.pk, present=10)
    paper_result(staff, meeting, a, 6, 3, 1)
    services.decision_result_enter(  # a first entry only: its numbers stay on the page
        actor=staff, meeting_id=meeting.pk, candidate_id=b.pk, approve=4, disapprove=5, abstain=1, recused=0
    )
    client.force_login(staff)
    url = reverse("voting:meeting", args=[meeting.pk])
    values = rows_of(client.get(url, {"format": "xlsx"}))
    assert values[0][0] == f"县委常委会第9次会议（{date.today():%Y-%m-%d}）：应到会 11 人，实到会 10 人"
    assert values[1] == ["人选", "拟任职务", "同意", "不同意", "弃权", "回避", "结果", "计票方式"]
    assert values[2] == [a.cadre.name, str(a.position), 6, 3, 1, 0, "通过", "纸质计票，两人录入核对一致"]
    assert values[3] == [b.cadre.name, str(b.position), None, None, None, None, "待核对", None]
    assert len(values) == 4
    assert "?format=xlsx" in client.get(url).content.decode()  # the link on the page

    client.force_login(UserFactory(roles=[roles.ORG_STAFF]))  # not assigned to the selection
    assert client.get(url, {"format": "xlsx"}).status_code == 404


def test_passed_depends_on_the_entitled_not_the_present(client, staff):
    a, b = deciding_pair(staff)
    meeting = services.meeting_create(
        actor=staff, selection=a.selection, held_on=date.today(), title="会议", entitled=11
    )
    services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=a.pk)
    services.meeting_open(actor=staff, meeting_id=meeting.pk, present=9)
    paper_result(staff, meeting, a, 5, 4, 0)  # 5 of 9 present, but not more than half of 11 (V3)
    client.force_login(staff)
    values = rows_of(client.get(reverse("voting:meeting", args=[meeting.pk]), {"format": "xlsx"}))
    assert values[2][2:7] == [5, 4, 0, 0, "未通过"]


def test_ballot_tally_export_after_closing_only(client, staff):
    pair = deciding_pair(staff)
    committee = members(3)
    session = decision_session(staff, pair, committee)
    services.ballot_session_open(actor=staff, session_id=session.pk, present=[u.pk for u in committee])
    a, b = (item_of(session, c) for c in pair)
    for user, (x, y) in zip(
        committee, [("approve", "disapprove"), ("approve", "abstain"), ("disapprove", "approve")], strict=True
    ):
        services.ballot_cast(session_id=session.pk, user=user, choices={str(a): x, str(b): y})
    url = reverse("voting:ballot", args=[session.pk])
    client.force_login(staff)
    assert client.get(url, {"format": "xlsx"}).status_code == 404  # not counted yet
    services.ballot_session_close(actor=staff, session_id=session.pk)
    values = rows_of(client.get(url, {"format": "xlsx"}))
    assert values[0][0].startswith(session.title) and "收回选票 3 张，应到会 3 人，实到会 3 人" in values[0][0]
    assert values[1] == ["人选", "拟任职务", "同意", "不同意", "弃权", "回避", "结果"]
    assert values[2] == [pair[0].cadre.name, str(pair[0].position), 2, 1, 0, 0, "通过"]
    assert values[3] == [pair[1].cadre.name, str(pair[1].position), 1, 1, 1, 0, "未通过"]
    assert "?format=xlsx" in client.get(url).content.decode()

    client.force_login(UserFactory(roles=[roles.ORG_STAFF]))
    assert client.get(url, {"format": "xlsx"}).status_code == 404


def test_evaluation_tally_export(client, staff):
    cadre = CadreFactory(name="赵六")
    session, codes = services.ballot_session_create(
        actor=staff, kind="evaluation", title="年度民主测评", cadre_ids=[cadre.pk], codes=3, year=2025
    )
    services.ballot_session_open(actor=staff, session_id=session.pk)
    item = str(session.items.get().pk)
    for code, grade in zip(codes, ["excellent", "competent", "incompetent"], strict=True):
        services.ballot_cast(session_id=session.pk, code=code, choices={item: grade})
    services.ballot_session_close(actor=staff, session_id=session.pk)
    client.force_login(staff)
    values = rows_of(client.get(reverse("voting:ballot", args=[session.pk]), {"format": "xlsx"}))
    assert values[1] == ["干部", "优秀", "称职", "基本称职", "不称职", "合计", "结果"]
    assert values[2] == ["赵六", 1, 1, 0, 1, 3, "符合"]  # 2/3 good, 1/3 incompetent: both at the line (E2)


def test_recommendation_tally_export(client, staff, selection, position):
    from cadre import services as cadre_services

    from ..conftest import advance

    position.quota = 2
    position.save()
    people = [
        advance(
            cadre_services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory()),
            staff,
            "nominate",
            "recommend",
        )
        for _ in range(3)
    ]
    session, codes = services.ballot_session_create(
        actor=staff,
        kind="recommendation",
        title="民主推荐会",
        selection_id=selection.pk,
        position_ids=[position.pk],
        codes=5,
    )
    services.ballot_session_open(actor=staff, session_id=session.pk)
    item = str(session.items.get().pk)
    x, y, z = (p.cadre_id for p in people)
    for code, marks in zip(codes, [[x, y], [x, y], [x, z], [x], [y]], strict=True):
        services.ballot_cast(session_id=session.pk, code=code, choices={item: marks})
    services.ballot_session_close(actor=staff, session_id=session.pk)
    client.force_login(staff)
    response = client.get(reverse("voting:ballot", args=[session.pk]), {"format": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[1] == ["职位", "可推荐人数", "名次", "干部", "得票", "得票率", "过半数"]
    names = {p.cadre_id: p.cadre.name for p in people}
    assert values[2] == [str(position), 2, 1, names[x], 4, 0.8, "是"]
    assert values[3][2:] == [2, names[y], 3, 0.6, "是"]
    assert values[4][2:] == [3, names[z], 1, 0.2, "否"]
    assert ws["F3"].number_format == "0.0%"
