"""R1 from Excel (#9): the tally template in ballot order, upload as first and as blind second entry
(the same services as typed entry), each bad cell named, nothing written on any error; the export."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from cadre import services as cadre_services
from cadre.models import RecordEntry
from nomination import services
from nomination.models import RecommendationMeeting, RecommendationResult

from ..factories import CadreFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def second(staff, selection, other_staff):
    cadre_services.selection_assign(actor=staff, selection=selection, user=other_staff)
    return other_staff


@pytest.fixture
def rival(staff, selection, position):
    return cadre_services.candidate_create(
        actor=staff, selection=selection, position=position, cadre=CadreFactory(name="李四")
    )


def url(candidate):
    return reverse("nomination:recommendation_entry", args=[candidate.selection_id])


def sheet(entitled=40, present=36, rows=()):
    """A filled template as a clerk's Excel would save it (numbers as numbers unless given as text)."""
    book = Workbook()
    ws = book.active
    ws.append(["说明"])
    ws.append(["项目", "人数"])
    ws.append(["应参加人数", entitled])
    ws.append(["实参加人数", present])
    ws.append([])
    ws.append(["编号", "姓名", "单位", "得票数"])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rows_for(candidate, rival, a=30, b=12):
    return [
        (candidate.cadre_id, candidate.cadre.name, "", a),
        (rival.cadre_id, rival.cadre.name, "", b),
    ]


def upload_first(client, candidate, data, name="票数.xlsx"):
    return client.post(
        url(candidate),
        {
            "action": "upload",
            "up-unit": candidate.cadre.unit_id,
            "up-kind": "meeting",
            "up-held_on": TODAY.isoformat(),
            "up-file": SimpleUploadedFile(name, data),
        },
    )


def upload_second(client, candidate, meeting, data):
    return client.post(
        url(candidate),
        {"action": "upload_confirm", "meeting": meeting.pk, "file": SimpleUploadedFile("票数.xlsx", data)},
    )


def nothing_written(before_entries):
    assert not RecommendationMeeting.objects.exists()
    assert not RecommendationResult.objects.exists()
    assert RecordEntry.objects.count() == before_entries


# ---------------------------------------------------------------------------- template


def test_template_lists_the_ballot_in_its_order_with_empty_cells(client, staff, candidate, rival):
    client.force_login(staff)
    response = client.get(url(candidate), {"format": "template"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[1] == ["项目", "人数", None, None]
    assert values[2] == ["应参加人数", None, None, None] and values[3] == ["实参加人数", None, None, None]
    assert values[5] == ["编号", "姓名", "单位", "得票数"]
    assert values[6] == [candidate.cadre_id, candidate.cadre.name, candidate.cadre.unit.name, None]
    assert values[7] == [rival.cadre_id, "李四", rival.cadre.unit.name, None]
    assert ws.freeze_panes == "A3"


def test_second_entry_template_is_blind_and_in_ballot_order(client, staff, second, candidate, rival):
    # The rival gets more votes: the first entry's ranking would put them first.
    meeting = services.recommendation_enter(
        actor=staff,
        selection_id=candidate.selection_id,
        unit_id=candidate.cadre.unit_id,
        kind="meeting",
        held_on=TODAY,
        entitled=40,
        present=36,
        votes={candidate.cadre_id: 10, rival.cadre_id: 30},
    )
    client.force_login(second)
    response = client.get(url(candidate), {"format": "template", "meeting": meeting.pk})
    assert response.status_code == 200
    values = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert [v[0] for v in values[6:]] == [candidate.cadre_id, rival.cadre_id]
    numbers = {v for row in values for v in row if isinstance(v, int)}
    assert numbers == {candidate.cadre_id, rival.cadre_id}  # no 40, 36, 10 or 30 of the first entry
    assert client.get(url(candidate), {"format": "template", "meeting": 999999}).status_code == 404


def test_unassigned_staff_get_404_for_template_and_export(client, candidate):
    client.force_login(UserFactory(roles=["org_staff"]))
    assert client.get(url(candidate), {"format": "template"}).status_code == 404
    assert client.get(url(candidate), {"format": "xlsx"}).status_code == 404


# ---------------------------------------------------------------------------- upload: both entries


def test_first_upload_then_blind_second_upload_confirms(client, staff, second, candidate, rival):
    client.force_login(staff)
    response = upload_first(client, candidate, sheet(rows=rows_for(candidate, rival)))
    assert response.status_code == 302
    meeting = RecommendationMeeting.objects.get()
    assert meeting.entered_by == staff and not meeting.confirmed
    assert {r.cadre_id: (r.votes, r.rank) for r in meeting.results.all()} == {
        candidate.cadre_id: (30, 1),
        rival.cadre_id: (12, 2),
    }
    assert meeting.entitled == 40 and meeting.present == 36

    # the same clerk cannot confirm their own entry by upload either: 403, nothing confirmed
    response = upload_second(client, candidate, meeting, sheet(rows=rows_for(candidate, rival)))
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert not meeting.confirmed

    client.force_login(second)
    response = upload_second(client, candidate, meeting, sheet(rows=rows_for(candidate, rival, b=13)))
    body = response.content.decode()
    assert response.status_code == 409  # a refusal by the procedure (R1), each differing cell named
    assert "第 8 行“得票数”：李四的得票数与第一次录入不一致" in body
    meeting.refresh_from_db()
    assert not meeting.confirmed and not candidate.record.filter(kind="fact", payload__fact="recommendation").exists()

    response = upload_second(client, candidate, meeting, sheet(rows=rows_for(candidate, rival)))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.confirmed_by == second
    fact = candidate.record.filter(kind="fact", payload__fact="recommendation").get().payload
    assert fact["votes"] == 30 and fact["entered_by"] == staff.username and fact["confirmed_by"] == second.username


def test_blank_vote_on_first_entry_means_not_on_this_ballot(client, staff, candidate, rival):
    client.force_login(staff)
    rows = [(candidate.cadre_id, candidate.cadre.name, "", 30), (rival.cadre_id, "李四", "", None)]
    assert upload_first(client, candidate, sheet(rows=rows)).status_code == 302
    assert list(RecommendationMeeting.objects.get().results.values_list("cadre_id", flat=True)) == [candidate.cadre_id]


def test_blank_vote_on_second_entry_is_an_error(staff, second, candidate, rival):
    meeting = services.recommendation_enter_xlsx(
        actor=staff,
        selection_id=candidate.selection_id,
        unit_id=candidate.cadre.unit_id,
        kind="meeting",
        held_on=TODAY,
        data=sheet(rows=rows_for(candidate, rival)),
    )
    rows = [(candidate.cadre_id, candidate.cadre.name, "", 30), (rival.cadre_id, "李四", "", None)]
    with pytest.raises(services.InvalidInput) as refused:
        services.recommendation_confirm_xlsx(actor=second, meeting_id=meeting.pk, data=sheet(rows=rows))
    assert refused.value.errors == {"file": ["第 8 行“得票数”：未填写"]}
    meeting.refresh_from_db()
    assert not meeting.confirmed


# ---------------------------------------------------------------------------- upload: refusals, nothing written


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda c, r: sheet(rows=rows_for(c, r, a="三十")), ["第 7 行“得票数”：“三十”不是整数"]),
        (lambda c, r: sheet(rows=rows_for(c, r, a=12.5)), ["第 7 行“得票数”：“12.5”不是整数"]),
        (lambda c, r: sheet(rows=rows_for(c, r, b=-1)), ["第 8 行“得票数”：不能为负数"]),
        (lambda c, r: sheet(rows=rows_for(c, r, a=37)), ["第 7 行“得票数”：得票数（37）不能多于实参加人数（36）"]),
        (lambda c, r: sheet(rows=rows_for(c, r, a=36)), None),  # the boundary: every one present voted for them
        (
            lambda c, r: sheet(present=41, rows=rows_for(c, r)),
            ["第 4 行“实参加人数”：实参加人数（41）不能多于应参加人数（40）"],
        ),
        (lambda c, r: sheet(entitled="", rows=rows_for(c, r)), ["第 3 行“应参加人数”：未填写"]),
        (
            lambda c, r: sheet(rows=[*rows_for(c, r), (999999, "王五", "", 3)]),
            ["第 9 行“编号”：编号 999999 不是本次选票上的人选"],
        ),
        (
            lambda c, r: sheet(rows=rows_for(c, r)[:1]),
            lambda c, r: [f"缺少李四（编号 {r.cadre_id}）的一行：选票上的每名人选都应有一行"],
        ),
        (
            lambda c, r: sheet(rows=[*rows_for(c, r), (r.cadre_id, "李四", "", 1)]),
            ["第 9 行“编号”：与第 8 行是同一人选"],
        ),
        (
            lambda c, r: sheet(rows=[(c.cadre_id, "李四", "", 3), (r.cadre_id, "李四", "", 1)]),
            lambda c, r: [f"第 7 行“姓名”：编号 {c.cadre_id} 是{c.cadre.name}，表中写的是“李四”"],
        ),
    ],
)
def test_each_bad_cell_is_named_and_nothing_is_written(staff, candidate, rival, build, expected):
    before = RecordEntry.objects.count()
    call = lambda: services.recommendation_enter_xlsx(  # noqa: E731
        actor=staff,
        selection_id=candidate.selection_id,
        unit_id=candidate.cadre.unit_id,
        kind="meeting",
        held_on=TODAY,
        data=build(candidate, rival),
    )
    if expected is None:
        assert call().results.get(cadre=candidate.cadre).votes == 36
        return
    if callable(expected):
        expected = expected(candidate, rival)
    with pytest.raises(services.InvalidInput) as refused:
        call()
    assert refused.value.errors == {"file": expected}
    nothing_written(before)


def test_several_errors_are_all_listed(staff, candidate, rival):
    with pytest.raises(services.InvalidInput) as refused:
        services.recommendation_enter_xlsx(
            actor=staff,
            selection_id=candidate.selection_id,
            unit_id=candidate.cadre.unit_id,
            kind="meeting",
            held_on=TODAY,
            data=sheet(rows=rows_for(candidate, rival, a="x", b=-2)),
        )
    assert refused.value.errors["file"] == ["第 7 行“得票数”：“x”不是整数", "第 8 行“得票数”：不能为负数"]


def test_not_xlsx_huge_and_zip_bomb_files_are_refused(client, staff, candidate, rival):
    client.force_login(staff)
    before = RecordEntry.objects.count()
    response = upload_first(client, candidate, b"name,votes\n", name="票数.xlsx")
    assert response.status_code == 400 and "不是 Excel 文件" in response.content.decode()
    response = upload_first(client, candidate, b"PK\x03\x04" + b"\x00" * 3 * 1024 * 1024)
    assert response.status_code == 400 and "文件超过 2 MB" in response.content.decode()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (60 * 1024 * 1024))
    response = upload_first(client, candidate, bomb.getvalue())
    assert response.status_code == 400 and "解压后过大" in response.content.decode()
    nothing_written(before)


def test_form_fields_are_still_checked(client, staff, candidate, rival):
    client.force_login(staff)
    before = RecordEntry.objects.count()
    response = client.post(
        url(candidate),
        {
            "action": "upload",
            "up-unit": candidate.cadre.unit_id,
            "up-kind": "meeting",
            "up-held_on": (TODAY.replace(year=TODAY.year + 1)).isoformat(),
            "up-file": SimpleUploadedFile("票数.xlsx", sheet(rows=rows_for(candidate, rival))),
        },
    )
    assert response.status_code == 400 and "推荐日期" in response.content.decode()
    nothing_written(before)


def test_read_only_users_cannot_upload(client, supervisor, candidate, rival):
    client.force_login(supervisor)
    response = upload_first(client, candidate, sheet(rows=rows_for(candidate, rival)))
    assert response.status_code == 403
    assert not RecommendationMeeting.objects.exists()


# ---------------------------------------------------------------------------- export


def test_export_has_confirmed_tallies_only(client, staff, second, candidate, rival, supervisor):
    first = services.recommendation_enter_xlsx(
        actor=staff,
        selection_id=candidate.selection_id,
        unit_id=candidate.cadre.unit_id,
        kind="meeting",
        held_on=TODAY,
        data=sheet(rows=rows_for(candidate, rival)),
    )
    services.recommendation_confirm_xlsx(actor=second, meeting_id=first.pk, data=sheet(rows=rows_for(candidate, rival)))
    services.recommendation_enter_xlsx(  # a pending one: its numbers must not leave the page
        actor=staff,
        selection_id=candidate.selection_id,
        unit_id=candidate.cadre.unit_id,
        kind="talk",
        held_on=TODAY,
        data=sheet(entitled=20, present=19, rows=rows_for(candidate, rival, a=17, b=2)),
    )
    client.force_login(supervisor)
    response = client.get(url(candidate), {"format": "xlsx"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[1][:9] == [
        "推荐单位",
        "推荐方式",
        "推荐日期",
        "应参加人数",
        "实参加人数",
        "名次",
        "干部",
        "得票",
        "得票率",
    ]
    assert len(values) == 4
    unit = candidate.cadre.unit.name
    assert values[2][:8] == [unit, "会议推荐", values[2][2], 40, 36, 1, candidate.cadre.name, 30]
    assert values[2][2].date() == TODAY and ws["C3"].number_format == "yyyy-mm-dd"
    assert values[2][8] == pytest.approx(30 / 36) and ws["I3"].number_format == "0.0%"
    assert values[3][5:8] == [2, "李四", 12]
    assert values[3][10] == "未过半"
    assert all(17 not in row and 19 not in row for row in values)
