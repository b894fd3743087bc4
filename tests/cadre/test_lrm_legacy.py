"""The 2.0 任免审批表 (.lrm + .pic) import: hand-written files in the layout of cadre/lrm_legacy.py
(../shared/LRMX.md: GBK, quoted fields separated by "," and sub-fields by @ / #)."""

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cadre import lrm_legacy, lrmx_import
from cadre.models import ApprovalFormImport, Cadre, Education, FamilyMember
from tests.factories import UnitFactory

from .test_lrmx_import import _gbk_zip

pytestmark = pytest.mark.django_db

FIELDS = {
    "name": "李  四",
    "gender": "男",
    "birth": "1968.03",
    "ethnicity": "汉族",
    "native_place": "江苏南京",
    "birthplace": "江苏南京",
    "party": "199003",
    "work_start": "199007",
    "health": "健康",
    "professional_title": "高级经济师",
    "specialty": "经济管理",
    "ft_level": "大学",
    "ft_degree": "经济学学士",
    "ft_school": "南京大学经济系经济学专业",
    "pt_level": "研究生",
    "pt_degree": "",
    "pt_school": "中央党校经济管理专业",
    "current_post": "某县人民政府副县长",
    "resume": (
        "1986.09--1990.07  南京大学经济系经济学专业学习\r\n"
        "1990.07--2010.01  某县财政局科员、副局长@2010.01--  某县人民政府副县长"
    ),
    "rewards": "2015年获评全省优秀公务员",
    "assessments": "2022年：称职；2023年：优秀；2024年：称职",
    "family": "妻子#王芳#197005#中共党员#某县第一中学教师@父亲#李大山#194001#群众#已去世",
    "reporting_unit": "中共某县委",
    "filled_by": "赵一",
    "id_number": "320102196803150011",
}


def lrm(**overrides) -> bytes:
    values = {**FIELDS, **overrides}
    text = '"' + '","'.join(values.get(attr, "") for attr in lrm_legacy.FIELDS) + '"'
    return text.encode("gbk")


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 32), "green").save(out, format="JPEG")
    return out.getvalue()


def _upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_a_gbk_lrm_reads_as_the_same_person():
    person = lrm_legacy.load(lrm(), _jpeg())
    assert person.plain_name == "李四" and person.gender == "男" and person.birth == "196803"
    assert person.ft_school == "南京大学经济系经济学专业" and person.pt_level == "研究生"
    assert [(r.starts, r.ends, r.text) for r in person.resume] == [
        ("198609", "199007", "南京大学经济系经济学专业学习"),
        ("199007", "201001", "某县财政局科员、副局长"),
        ("201001", "", "某县人民政府副县长"),
    ]
    assert [(m.relation, m.name, m.birth, m.political_status, m.work) for m in person.family] == [
        ("妻子", "王芳", "197005", "中共党员", "某县第一中学教师"),
        ("父亲", "李大山", "194001", "群众", "已去世"),
    ]
    assert person.rewards == ["2015年获评全省优秀公务员"]
    assert person.id_number == "320102196803150011"
    assert person.photo == _jpeg()


def test_an_lrm_with_its_pic_imports_through_preview_and_apply(staff):
    unit = UnitFactory()
    preview = lrmx_import.import_preview(
        actor=staff, upload=[_upload("李四.lrm", lrm()), _upload("李四.pic", _jpeg())], unit_id=unit.pk
    )
    [row] = preview["rows"]
    assert row["entry"] == "李四.lrm" and row["action"] == "create" and row["errors"] == []
    assert row["changes"]["photo"] == [None, "（照片）"]
    assert not Cadre.objects.filter(name="李四").exists()
    [pk] = lrmx_import.import_apply(actor=staff, token=preview["token"])["created"]
    cadre = Cadre.objects.get(pk=pk)
    assert cadre.unit == unit and cadre.birth_date == date(1968, 3, 1) and cadre.party_date == date(1990, 3, 1)
    assert cadre.photo and cadre.education == Education.MASTER  # 在职研究生 above 全日制大学
    assert list(FamilyMember.objects.filter(cadre=cadre).order_by("pk").values_list("name", flat=True)) == [
        "王芳",
        "李大山",
    ]
    assert cadre.resume.get(description="某县人民政府副县长").ends is None
    assert list(cadre.assessments.order_by("year").values_list("year", "grade")) == [
        (2022, "competent"),
        (2023, "excellent"),
        (2024, "competent"),
    ]


def test_an_lrm_alone_has_no_photo(staff):
    preview = lrmx_import.import_preview(actor=staff, upload=_upload("李四.lrm", lrm()), unit_id=UnitFactory().pk)
    [row] = preview["rows"]
    assert row["errors"] == [] and "photo" not in row["changes"]
    [pk] = lrmx_import.import_apply(actor=staff, token=preview["token"])["created"]
    assert not Cadre.objects.get(pk=pk).photo


def test_pairs_inside_a_gbk_zip(staff):
    data = _gbk_zip(
        {
            "李四.lrm": lrm(),
            "李四.pic": _jpeg(),
            "周五.lrm": lrm(name="周  五", id_number="320102197001010018", birth="197001"),
            "说明.txt": b"x",
        }
    )
    preview = lrmx_import.import_preview(actor=staff, upload=_upload("批量.zip", data), unit_id=UnitFactory().pk)
    assert [(r["entry"], r["name"], "photo" in r["changes"]) for r in preview["rows"]] == [
        ("李四.lrm", "李四", True),
        ("周五.lrm", "周五", False),
    ]
    assert sorted(lrmx_import.import_apply(actor=staff, token=preview["token"])["created"]) == sorted(
        Cadre.objects.filter(name__in=["李四", "周五"]).values_list("pk", flat=True)
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"李四.lrm": lrm(), "李四.pic": b"not an image at all"}, "「李四.lrm」的照片（ZhaoPian）不是有效的图片"),
        ({"李四.lrm": "李四".encode() + b"\xff\xfe\x00"}, "含有二进制内容"),
        ({"李四.lrm": b'"\x81\x30\xff\xff","x"'}, "不是有效的 GBK 文本"),
        ({"李四.lrm": "李四，男".encode("gbk")}, "不是 .lrm 任免审批表"),
        ({"李四.lrm": '"李四","男"'.encode("gbk")}, "应有 32 个字段，只有 2 个"),
        ({"李四.lrm": b'"' + b"x" * (lrm_legacy.MAX_FILE_BYTES + 1) + b'"'}, "文件过大"),
        ({"李四.pic": _jpeg()}, "只有照片（.pic）"),
    ],
)
def test_hostile_legacy_input_is_refused_and_nothing_written(staff, files, message):
    uploads = [_upload(name, data) for name, data in files.items()]
    cadres, imports = Cadre.objects.count(), ApprovalFormImport.objects.count()
    with pytest.raises(lrmx_import.InvalidInput) as caught:
        lrmx_import.import_preview(actor=staff, upload=uploads)
    assert message in caught.value.errors["file"][0]
    assert Cadre.objects.count() == cadres and ApprovalFormImport.objects.count() == imports


def test_a_bad_pic_inside_a_zip_is_refused(staff):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("李四.lrm", lrm())
        archive.writestr("李四.pic", b"GIF89a broken")
    with pytest.raises(lrmx_import.InvalidInput, match="不是有效的图片"):
        lrmx_import.import_preview(actor=staff, upload=_upload("a.zip", out.getvalue()))
    assert ApprovalFormImport.objects.count() == 0


def test_the_page_takes_an_lrm_and_its_pic(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("cadre:cadre_import"),
        {"file": [_upload("李四.lrm", lrm()), _upload("李四.pic", _jpeg())], "unit": UnitFactory().pk},
    )
    assert response.status_code == 200
    assert "李四" in response.content.decode() and ApprovalFormImport.objects.count() == 1
