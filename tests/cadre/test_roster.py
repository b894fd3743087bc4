"""干部名册 in Excel (issue 9): template, preview with per-cell errors, apply through the services, export."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cadre import roles, roster
from cadre.errors import InvalidInput
from cadre.models import Cadre, RecordEntry

from ..conftest import advance
from ..factories import CadreFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in roster.COLUMNS]


def xlsx(*rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person(unit, **extra) -> dict:
    return {
        "姓名": "李明",
        "性别": "男",
        "出生年月": "1982.03",
        "学历": "大学本科",
        "参加工作时间": "2004.07",
        "单位": unit.name,
        **extra,
    }


def upload(client, data: bytes, name="名册.xlsx"):
    return client.post(reverse("cadre:roster_import"), {"file": _file(data, name)})


def _file(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_id_number_check_digit():
    assert roster.id_number_ok("11010519491231002X")
    assert not roster.id_number_ok("110105194912310021")
    assert not roster.id_number_ok("1101051949123100")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1980.05", date(1980, 5, 1)),
        ("1980.5.12", date(1980, 5, 12)),
        ("1980-05-12", date(1980, 5, 12)),
        ("1980/05", date(1980, 5, 1)),
        ("198005", date(1980, 5, 1)),
        ("19800512", date(1980, 5, 12)),
        ("1980年5月", date(1980, 5, 1)),
        ("1980年5月12日", date(1980, 5, 12)),
    ],
)
def test_dates_as_rosters_write_them(text, expected):
    assert roster.parse_date(text) == expected


def test_preview_reports_each_bad_cell_with_row_and_column_and_writes_nothing(staff):
    unit = UnitFactory()
    data = xlsx(
        person(unit),
        person(unit, 姓名="王芳", 性别="女性", 出生年月="1980.13", 单位="不存在的单位"),
        person(unit, 姓名="赵强", 学历="初中", 身份证号="110105198203120011"),
    )
    rows = roster.read(data)
    assert [r.action for r in rows] == ["create", "error", "error"]
    bad = {(r.number, column) for r in rows for column, _ in r.errors}
    assert bad == {(3, "性别"), (3, "出生年月"), (3, "单位"), (4, "学历"), (4, "身份证号")}
    assert any("1980.13" in reason for _, reason in rows[1].errors)
    assert Cadre.objects.count() == 0


def test_missing_required_columns_and_files_that_are_not_xlsx():
    with pytest.raises(InvalidInput) as refused:
        roster.read(xlsx({"姓名": "张三"}, headers=["姓名", "性别"]))
    assert "缺少必填列" in refused.value.errors["file"][0] and "出生年月" in refused.value.errors["file"][0]
    with pytest.raises(InvalidInput) as refused:
        roster.read(b"name,gender\n")  # a CSV renamed to .xlsx
    assert "不是 Excel 文件" in refused.value.errors["file"][0]
    with pytest.raises(InvalidInput):
        roster.read(b"PK\x03\x04" + b"\x00" * 100)  # looks like a zip, is not one


def test_apply_creates_and_updates_through_the_services_in_one_go(staff, candidate, django_capture_on_commit_callbacks):
    unit = UnitFactory()
    known = candidate.cadre  # a candidate in an open selection: the change enters its record
    advance(candidate, staff, "nominate")
    data = xlsx(
        person(unit),
        person(
            known.unit,
            姓名=known.name,
            性别=known.get_gender_display(),
            出生年月=known.birth_date.strftime("%Y.%m"),
            学历=known.get_education_display(),
            参加工作时间=known.work_start_date.strftime("%Y.%m.%d"),
            专业技术职务="高级经济师",
        ),
    )
    token, rows = roster.preview_save(actor=staff, data=data)
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[1].changes == {"专业技术职务": ("", "高级经济师")}
    before = RecordEntry.objects.filter(candidate=candidate).count()
    with django_capture_on_commit_callbacks(execute=True):
        assert roster.apply(actor=staff, token=token) == {"created": 1, "updated": 1, "skipped": 0}
    known.refresh_from_db()
    assert known.professional_title == "高级经济师"
    assert RecordEntry.objects.filter(candidate=candidate).count() == before + 1
    assert Cadre.objects.filter(name="李明", birth_date=date(1982, 3, 1), unit=unit).exists()
    with pytest.raises(InvalidInput):  # the token is used up
        roster.apply(actor=staff, token=token)


def test_bad_rows_block_the_import_unless_skipped(staff):
    unit = UnitFactory()
    data = xlsx(person(unit), person(unit, 姓名="王芳", 性别="?"))
    token, _ = roster.preview_save(actor=staff, data=data)
    with pytest.raises(InvalidInput):
        roster.apply(actor=staff, token=token)
    assert Cadre.objects.count() == 0
    assert roster.apply(actor=staff, token=token, skip_bad=True) == {"created": 1, "updated": 0, "skipped": 1}


def test_the_same_person_twice_and_ambiguous_matches_are_errors(staff):
    unit = UnitFactory()
    CadreFactory(name="重名", birth_date=date(1980, 5, 3))
    CadreFactory(name="重名", birth_date=date(1980, 5, 20))
    data = xlsx(person(unit), person(unit), person(unit, 姓名="重名", 出生年月="1980.05"))
    rows = roster.read(data)
    assert rows[1].errors == [("姓名", "与第 2 行是同一人")]
    assert rows[2].errors and rows[2].errors[0][0] == "身份证号"


def test_a_token_is_the_uploaders_only(staff, other_staff):
    token, _ = roster.preview_save(actor=staff, data=xlsx(person(UnitFactory())))
    with pytest.raises(InvalidInput):
        roster.apply(actor=other_staff, token=token)
    with pytest.raises(InvalidInput):
        roster.apply(actor=staff, token="../../etc/passwd")
    assert Cadre.objects.count() == 0


def test_import_pages_walk(client, staff):
    client.force_login(staff)
    template = client.get(reverse("cadre:roster_template"))
    assert template.status_code == 200
    assert [c.value for c in load_workbook(io.BytesIO(template.content)).active[1]] == HEADERS
    assert upload(client, b"not excel").status_code == 400
    unit = UnitFactory()
    preview = upload(client, xlsx(person(unit), person(unit, 姓名="王芳", 性别="?")))
    body = preview.content.decode()
    assert preview.status_code == 200 and "第 3 行" in body and "性别" in body and Cadre.objects.count() == 0
    token = preview.context["token"]
    refused = client.post(reverse("cadre:roster_import"), {"token": token})
    assert refused.status_code == 400 and Cadre.objects.count() == 0
    done = client.post(reverse("cadre:roster_import"), {"token": token, "skip_bad": "1"}, follow=True)
    assert "新增 1 人" in done.content.decode() and Cadre.objects.get().name == "李明"


def test_roster_list_exports_what_the_import_reads(client, staff):
    unit = UnitFactory(name="县财政局")
    CadreFactory.create_batch(3, unit=unit)
    CadreFactory()  # another unit
    client.force_login(staff)
    page = client.get(reverse("cadre:roster"), {"unit": unit.pk})
    assert page.status_code == 200 and page.context["page"].paginator.count == 3
    exported = client.get(reverse("cadre:roster"), {"unit": unit.pk, "format": "xlsx"})
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert [c.value for c in sheet[1]] == HEADERS and sheet.max_row == 4
    rows = roster.read(exported.content)  # edited and imported back: matched, nothing to change
    assert [r.action for r in rows] == ["same", "same", "same"]


def test_roster_roles(client, staff, candidate):
    for role, reads, imports in [
        (roles.ORG_STAFF, 200, 200),
        (roles.SUPERVISOR, 200, 403),
        (roles.COMMITTEE_MEMBER, 403, 403),
    ]:
        client.force_login(UserFactory(roles=[role]))
        assert client.get(reverse("cadre:roster")).status_code == reads
        assert client.get(reverse("cadre:roster_import")).status_code == imports
    client.force_login(staff)
    sheet = client.get(reverse("cadre:selection_candidates_xlsx", args=[candidate.selection_id]))
    assert sheet.status_code == 200
    assert load_workbook(io.BytesIO(sheet.content)).active["A2"].value == candidate.cadre.name


def test_roster_pages_by_unit_keep_the_order_of_one_sort(client, staff, monkeypatch, django_assert_num_queries):
    """Issue #10: the roster is read unit by unit (cadre.roster_views._ByUnit); page after page it
    lists exactly what ORDER BY unit name, name, id lists — two units of one name interleave by name."""
    from cadre import roster_views

    monkeypatch.setattr(roster_views, "PAGE_SIZE", 3)
    twin_a, twin_b, first = UnitFactory(name="乙局"), UnitFactory(name="乙局"), UnitFactory(name="甲局")
    for unit, names in ((twin_a, ["张三", "李四", "王五"]), (twin_b, ["赵六", "李四", "陈七"]), (first, ["周八"])):
        for name in names:
            CadreFactory(unit=unit, name=name)
    CadreFactory.create_batch(4, unit=UnitFactory(name="丙局"))
    expected = list(Cadre.objects.order_by("unit__name", "name", "pk").values_list("pk", flat=True))
    client.force_login(staff)

    def listed(**params):
        shown, number = [], 1
        while True:
            page = client.get(reverse("cadre:roster"), {**params, "page": number}).context["page"]
            shown += [c.pk for c in page.object_list]
            if not page.has_next():
                return shown, page
            number += 1

    shown, last = listed()
    assert shown == expected and last.paginator.count == 11 and last.number == 4
    shown, _ = listed(q="李四")
    assert shown == list(Cadre.objects.filter(name="李四").order_by("unit__name", "pk").values_list("pk", flat=True))
    shown, _ = listed(unit=twin_b.pk)
    assert shown == list(twin_b.cadres.order_by("name", "pk").values_list("pk", flat=True))
    client.get(reverse("cadre:roster"))
    with django_assert_num_queries(len(_roster_queries(client, 1))):
        client.get(reverse("cadre:roster"), {"page": 4})
    assert "共 11 人" in client.get(reverse("cadre:roster")).content.decode()


def _roster_queries(client, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("cadre:roster"), {"page": page})
    return ctx.captured_queries
