"""Importing .lrmx files and zips of them: preview (nothing written), apply through the cadre
services (candidates' records get their entries), the round trip, and hostile input refused."""

import base64
import io
import re
import zipfile
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cadre import lrmx, lrmx_import, roles
from cadre.models import (
    ApprovalFormImport,
    ApprovalFormKept,
    Cadre,
    FamilyMember,
    RecordEntry,
    RecordKind,
    ResumeEntry,
)
from tests.factories import CadreFactory, UnitFactory, UserFactory

from .test_lrmx import HAND, rich_cadre

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def _upload(name: str, data: bytes):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _without_fill_dates(data: bytes) -> bytes:
    return re.sub(rb"<(JiSuanNianLingShiJian|TianBiaoShiJian)>\d*</\1>", b"", data)


def _jpeg(color="blue") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 32), color).save(out, format="JPEG")
    return out.getvalue()


def _gbk_zip(files: dict[str, bytes]) -> bytes:
    """A zip as Windows tools write it: GBK entry names, no UTF-8 flag."""
    out = io.BytesIO()
    placeholders = {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (name, data) in enumerate(files.items()):
            raw = name.encode("gbk")
            placeholder = f"{i:0{len(raw)}d}"[: len(raw)].encode()
            placeholders[placeholder] = raw
            archive.writestr(placeholder.decode(), data)
    data = out.getvalue()
    for placeholder, raw in placeholders.items():
        data = data.replace(placeholder, raw)
    return data


# ---------------------------------------------------------------------------- preview and apply


def test_a_hand_written_file_previews_then_applies(staff):
    unit = UnitFactory()
    before = Cadre.objects.count()
    preview = lrmx_import.import_preview(actor=staff, upload=_upload("王五.lrmx", HAND.encode()), unit_id=unit.pk)
    assert Cadre.objects.count() == before  # nothing written
    [row] = preview["rows"]
    assert row["cadre"] is None and row["action"] == "create" and row["errors"] == []
    assert row["name"] == "王五"
    assert row["changes"]["birth_date"] == [None, "1970-05-01"]
    assert len(row["changes"]["resume"][1]) == 5  # four entries and one 其间 sub-entry
    result = lrmx_import.import_apply(actor=staff, token=preview["token"])
    [pk] = result["created"]
    cadre = Cadre.objects.get(pk=pk)
    assert cadre.unit == unit and cadre.gender == "F" and cadre.party_date == date(1994, 6, 1)
    descriptions = list(cadre.resume.order_by("starts", "pk").values_list("description", flat=True))
    assert lrmx.SUB_PREFIX + "江苏省委党校法学专业在职研究生学习" in descriptions
    assert "某县教育局局长，兼任县教师进修学校校长" in descriptions
    assert cadre.resume.get(description__startswith="某县教育局局长").ends is None
    assert list(cadre.assessments.values_list("year", "grade")) == [
        (2022, "competent"),
        (2023, "excellent"),
        (2024, "basically_competent"),
    ]
    assert FamilyMember.objects.get(cadre=cadre).name == "李明"
    kept = ApprovalFormKept.objects.get(cadre=cadre).values
    assert kept["version"] == "3.2.1.6" and kept["unknown"][0][0] == "BeiZhu"
    written = lrmx.dump(lrmx.from_cadre(cadre)).decode()
    assert "<BeiZhu>另附说明<Ci>一</Ci></BeiZhu>" in written
    assert "（其间：2003.09--2006.07  江苏省委党校法学专业在职研究生学习）" in written
    assert "<DaoLingNianYue>202507</DaoLingNianYue>" in written  # woman cadre born 1970-05: 55 岁 2 个月
    with pytest.raises(lrmx_import.Conflict, match="已导入") as exc:  # a once-only fact that exists: S1
        lrmx_import.import_apply(actor=staff, token=preview["token"])
    assert exc.value.rule == "S1"


def test_round_trip_through_an_empty_database(staff):
    cadres = [rich_cadre(n) for n in range(20)]
    for cadre in cadres[:3]:
        cadre.photo.save("p.jpg", ContentFile(_jpeg()))
    first = {c.name: lrmx.dump(lrmx.from_cadre(c)) for c in cadres}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for n, (name, data) in enumerate(first.items(), start=1):
            z.writestr(f"2026.01.02 {n}.干部任免审批表 {name}.lrmx", data)
    unit = cadres[0].unit
    Cadre.objects.all().delete()
    preview = lrmx_import.import_preview(actor=staff, upload=_upload("批量.zip", archive.getvalue()), unit_id=unit.pk)
    assert preview["ok"], [r["errors"] for r in preview["rows"] if r["errors"]]
    assert {r["action"] for r in preview["rows"]} == {"create"}
    result = lrmx_import.import_apply(actor=staff, token=preview["token"])
    assert len(result["created"]) == 20
    for cadre in Cadre.objects.all():
        again = lrmx.dump(lrmx.from_cadre(cadre))
        assert _without_fill_dates(again) == _without_fill_dates(first[cadre.name]), cadre.name
    # importing the same files again changes nothing
    preview = lrmx_import.import_preview(actor=staff, upload=_upload("批量.zip", archive.getvalue()), unit_id=unit.pk)
    assert {r["action"] for r in preview["rows"]} == {"none"}, [r["changes"] for r in preview["rows"]]


def test_gbk_entry_names_are_read(staff):
    data = _gbk_zip({"张三.lrmx": HAND.encode(), "说明.txt": b"x"})
    preview = lrmx_import.import_preview(actor=staff, upload=_upload("a.zip", data), unit_id=UnitFactory().pk)
    assert [r["entry"] for r in preview["rows"]] == ["张三.lrmx"]


def test_a_matched_cadre_changes_through_the_services_and_the_candidate_records_it(staff, candidate):
    cadre = candidate.cadre
    cadre.id_number = "32010219700501002X"
    cadre.save()
    ResumeEntry.objects.create(cadre=cadre, starts=date(1988, 9, 1), ends=date(1992, 7, 1), description="旧的简历")
    preview = lrmx_import.import_preview(actor=staff, upload=_upload("王五.lrmx", HAND.encode()))
    [row] = preview["rows"]
    assert row["cadre"] == cadre.pk and row["action"] == "update"
    assert row["changes"]["name"] == [cadre.name, "王五"]
    assert row["changes"]["gender"] == ["M", "F"]
    assert "旧的简历" in row["changes"]["resume"][0][0]
    entries = RecordEntry.objects.filter(candidate=candidate, kind=RecordKind.CADRE_CHANGED)
    assert not entries.exists()
    lrmx_import.import_apply(actor=staff, token=preview["token"])
    cadre.refresh_from_db()
    assert cadre.name == "王五" and cadre.birth_date == date(1970, 5, 1)
    facts = set(entries.values_list("payload__fact", flat=True))
    assert {"cadre", "resume_entry", "family_member", "assessment"} <= facts
    assert not cadre.resume.filter(description="旧的简历").exists()


def test_matching_by_name_and_birth_month(staff):
    cadre = CadreFactory(name="王五", birth_date=date(1970, 5, 20), gender="F", ethnicity="回族")
    preview = lrmx_import.import_preview(
        actor=staff, upload=_upload("x.lrmx", HAND.replace("32010219700501002x", "").encode())
    )
    [row] = preview["rows"]
    assert row["cadre"] == cadre.pk
    assert "birth_date" not in row["changes"]  # same month
    assert row["changes"]["ethnicity"] == ["回族", "汉族"]


def test_a_new_person_needs_a_unit(staff):
    preview = lrmx_import.import_preview(actor=staff, upload=_upload("x.lrmx", HAND.encode()))
    assert not preview["ok"]
    assert "单位" in preview["rows"][0]["errors"][0]
    with pytest.raises(lrmx_import.InvalidInput):
        lrmx_import.import_apply(actor=staff, token=preview["token"])
    assert not Cadre.objects.filter(name="王五").exists()


def test_someone_elses_token_is_refused(staff, other_staff):
    preview = lrmx_import.import_preview(actor=staff, upload=_upload("x.lrmx", HAND.encode()), unit_id=UnitFactory().pk)
    with pytest.raises(lrmx_import.InvalidInput, match="不存在"):
        lrmx_import.import_apply(actor=other_staff, token=preview["token"])


def test_a_failure_in_the_middle_writes_nothing(staff):
    unit = UnitFactory()
    bad = HAND.replace("2024年：基本称职", "2099年：优秀")  # a future year: the service refuses it
    first = HAND.replace("王  五", "赵  七").replace("32010219700501002x", "")
    data = _zip_of({"a.lrmx": first.encode(), "b.lrmx": bad.encode()})
    preview = lrmx_import.import_preview(actor=staff, upload=_upload("a.zip", data), unit_id=unit.pk)
    count = Cadre.objects.count()
    with pytest.raises(lrmx_import.InvalidInput):
        lrmx_import.import_apply(actor=staff, token=preview["token"])
    assert Cadre.objects.count() == count
    assert ApprovalFormImport.objects.get(token=preview["token"]).applied_at is None


# ---------------------------------------------------------------------------- hostile input


def _photo_element(data: bytes) -> str:
    return HAND.replace("</Person>", f"<ZhaoPian>{base64.b64encode(data).decode()}</ZhaoPian></Person>")


def _zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]><Person><XingMing>&lol9;</XingMing></Person>"
)
EXTERNAL = (
    b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<Person><XingMing>&x;</XingMing></Person>"
)


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("bomb.lrmx", lambda: BOMB, "DTD"),
        ("xxe.lrmx", lambda: EXTERNAL, "DTD"),
        ("big.lrmx", lambda: b"<Person>" + b" " * (20 * 1024 * 1024 + 10) + b"</Person>", "文件过大"),
        ("fake.zip", lambda: b"this is not a zip at all", "不是有效的 zip"),
        ("gbk.lrmx", lambda: HAND.encode("gbk", errors="ignore"), "UTF-8"),
        ("photo.lrmx", lambda: _photo_element(b"<script>not an image</script>").encode(), "不是有效的图片"),
        ("bomb.zip", lambda: _zip_of({"a.lrmx": b"<Person>" + b" " * (15 * 1024 * 1024) + b"</Person>"}), "压缩比异常"),
        ("huge.zip", lambda: _zip_of({"a.lrmx": b"0" * (21 * 1024 * 1024)}), "超过 20 MB"),
        (
            "many.zip",
            lambda: _zip_of({f"{i}.lrmx": b"0" * (19 * 1024 * 1024) for i in range(11)}),
            "超过 200 MB",
        ),
        ("inner-bomb.zip", lambda: _zip_of({"a.lrmx": BOMB}), "DTD"),
        ("notes.txt", lambda: b"hello", "只能导入"),
        ("empty.zip", lambda: _zip_of({"readme.txt": b"x"}), "没有 .lrmx"),
    ],
)
def test_hostile_input_is_refused_and_nothing_written(client, staff, name, make, message):
    client.force_login(staff)
    cadres = Cadre.objects.count()
    response = client.post(reverse("cadre:cadre_import"), {"file": _upload(name, make()), "unit": UnitFactory().pk})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Cadre.objects.count() == cadres
    assert not ApprovalFormImport.objects.exists()


def test_a_good_photo_is_imported(staff):
    preview = lrmx_import.import_preview(
        actor=staff, upload=_upload("p.lrmx", _photo_element(_jpeg()).encode()), unit_id=UnitFactory().pk
    )
    [pk] = lrmx_import.import_apply(actor=staff, token=preview["token"])["created"]
    assert lrmx.from_cadre(Cadre.objects.get(pk=pk)).photo == _jpeg()


# ---------------------------------------------------------------------------- page and API


def test_the_page_upload_preview_apply(client, staff, selection):
    client.force_login(staff)
    assert reverse("cadre:cadre_import") in client.get(reverse("cadre:selections")).content.decode()
    page = client.get(reverse("cadre:cadre_import"))
    assert page.status_code == 200
    unit = UnitFactory()
    response = client.post(
        reverse("cadre:cadre_import"), {"file": _upload("王五.lrmx", HAND.encode()), "unit": unit.pk}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="lrmx-preview"' in html and "王五" in html and "简历" in html
    token = ApprovalFormImport.objects.get().token
    assert not Cadre.objects.filter(name="王五").exists()
    done = client.post(reverse("cadre:cadre_import_apply", args=[token]))
    assert done.status_code == 200 and 'id="lrmx-done"' in done.content.decode()
    assert Cadre.objects.filter(name="王五", unit=unit).exists()


def test_the_api(client, staff):
    client.force_login(staff)
    unit = UnitFactory()
    response = client.post("/api/v1/cadres/import/", {"file": _upload("王五.lrmx", HAND.encode()), "unit": unit.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= {"preview", "token"}
    assert body["preview"][0]["cadre"] is None and body["preview"][0]["name"] == "王五"
    assert "changes" in body["preview"][0] and body["preview"][0]["errors"] == []
    applied = client.post(f"/api/v1/cadres/import/{body['token']}/apply/")
    assert applied.status_code == 200
    assert len(applied.json()["created"]) == 1 and applied.json()["updated"] == []
    again = client.post(f"/api/v1/cadres/import/{body['token']}/apply/")
    assert again.status_code == 409 and [v["rule"] for v in again.json()["violations"]] == ["S1"]
    hostile = client.post("/api/v1/cadres/import/", {"file": _upload("x.lrmx", BOMB)})
    assert hostile.status_code == 400 and "DTD" in hostile.json()["errors"]["file"][0]


@pytest.mark.parametrize("role", [roles.SUPERVISOR, roles.INSPECTOR, roles.COMMITTEE_MEMBER])
def test_only_staff_and_admins_import(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("cadre:cadre_import")).status_code == 403
    response = client.post("/api/v1/cadres/import/", {"file": _upload("x.lrmx", HAND.encode())})
    assert response.status_code == 403
    assert not ApprovalFormImport.objects.exists()


def test_a_roster_xlsx_shares_the_endpoint(client, staff):
    from openpyxl import Workbook

    from cadre.roster import COLUMNS

    unit = UnitFactory()
    values = {
        "name": "钱八",
        "gender": "男",
        "birth_date": "1980.05",
        "education": "大学本科",
        "work_start_date": "2002.08",
        "unit": unit.name,
    }
    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in COLUMNS])
    sheet.append([values.get(c.field, "") for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    client.force_login(staff)
    response = client.post("/api/v1/cadres/import/", {"file": _upload("名册.xlsx", out.getvalue())})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token"].startswith("xlsx.") and body["preview"][0]["errors"] == []
    assert not Cadre.objects.filter(name="钱八").exists()
    applied = client.post(f"/api/v1/cadres/import/{body['token']}/apply/")
    assert applied.status_code == 200 and applied.json()["created"] == 1
    assert Cadre.objects.filter(name="钱八", unit=unit).exists()


def test_the_bulk_apply_records_one_entry_per_kind_in_the_candidates_record(staff, candidate):
    cadre = candidate.cadre
    cadre.id_number = "32010219700501002X"
    cadre.save()
    old = ResumeEntry.objects.create(
        cadre=cadre, starts=date(1988, 9, 1), ends=date(1992, 7, 1), description="旧的简历"
    )
    preview = lrmx_import.import_preview(actor=staff, upload=_upload("王五.lrmx", HAND.encode()))
    lrmx_import.import_apply(actor=staff, token=preview["token"])
    entries = RecordEntry.objects.filter(candidate=candidate, kind=RecordKind.CADRE_CHANGED, payload__action="replace")
    by_fact = {e.payload["fact"]: e.payload for e in entries}
    assert sorted(by_fact) == ["assessment", "education_record", "family_member", "resume_entry"]  # 奖惩: 无
    assert entries.count() == 4  # one per kind, not one per row
    resume = by_fact["resume_entry"]
    assert resume["fact_ids"]["deleted"] == [old.pk]
    assert len(resume["fact_ids"]["created"]) == 5 == cadre.resume.count()
    assert resume["changes"]["deleted"] == [
        {"starts": ["1988-09-01", None], "ends": ["1992-07-01", None], "description": ["旧的简历", None]}
    ]
    assert "删除简历" in resume["summary"] and "旧的简历" in resume["summary"]
    assert [row["year"][1] for row in by_fact["assessment"]["changes"]["created"]] == [2022, 2023, 2024]
