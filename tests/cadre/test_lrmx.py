"""The .lrmx file (../shared/LRMX.md): written exactly as laid out, read as other software writes it."""

import base64
import io
import re
from datetime import date

import pytest
from PIL import Image

from cadre import lrmx
from cadre.models import (
    ApprovalFormKept,
    Assessment,
    AssessmentGrade,
    EducationRecord,
    FamilyMember,
    ResumeEntry,
    RewardPunishment,
)
from tests.factories import CadreFactory, PositionFactory

pytestmark = pytest.mark.django_db

GRADES = [AssessmentGrade.EXCELLENT, AssessmentGrade.COMPETENT, AssessmentGrade.BASICALLY_COMPETENT]


def rich_cadre(n: int, **overrides):
    """A cadre with every part of the form filled: education, résumé (with a 其间 entry and an
    open one), rewards, assessments, family."""
    born = date(1962 + n % 30, 1 + n % 12, 1 + n % 28)
    names = ["张三", "欧阳明华", "李四", "王小二", "赵六"]
    cadre = CadreFactory(
        name=f"{names[n % len(names)]}{'' if n < len(names) else n}",
        gender="MF"[n % 2],
        birth_date=born,
        party_date=date(born.year + 22, 7, 1) if n % 3 else None,
        work_start_date=date(born.year + 22, 8, 1),
        native_place="江苏南京",
        birthplace="江苏南京",
        id_number=f"32{n:04d}{born:%Y%m%d}00X",
        professional_title="高级经济师（2015.12）" if n % 2 else "",
        specialty="财政金融 & 审计 <统计>",
        position=PositionFactory() if n % 2 else None,
        **overrides,
    )
    EducationRecord.objects.create(
        cadre=cadre, full_time=True, degree_level="大学", degree="学士", school="南京大学经济学院经济学专业"
    )
    if n % 2:
        EducationRecord.objects.create(
            cadre=cadre, full_time=False, degree_level="研究生", degree="硕士", school="中央党校经济学专业"
        )
    start = born.year + 18
    ResumeEntry.objects.create(
        cadre=cadre, starts=date(start, 9, 1), ends=date(start + 4, 7, 1), description="南京大学经济学院学习"
    )
    ResumeEntry.objects.create(
        cadre=cadre, starts=date(start + 4, 7, 1), ends=date(start + 12, 6, 1), description="某县财政局科员、副科长"
    )
    ResumeEntry.objects.create(
        cadre=cadre,
        starts=date(start + 6, 9, 1),
        ends=date(start + 9, 7, 1),
        description=lrmx.SUB_PREFIX + "在中央党校研究生院经济学专业在职学习",
    )
    ResumeEntry.objects.create(cadre=cadre, starts=date(start + 12, 6, 1), ends=None, description="某县财政局副局长")
    RewardPunishment.objects.create(cadre=cadre, on=date(2019, 12, 1), text="2019年12月，被评为全省优秀公务员")
    for i, year in enumerate(range(2022, 2025)):
        Assessment.objects.create(cadre=cadre, year=year, grade=GRADES[(i + n) % 3])
    FamilyMember.objects.create(
        cadre=cadre, relation="妻子", name="刘芳", birth_date=date(born.year + 1, 3, 1), political_status="中共党员"
    )
    FamilyMember.objects.create(cadre=cadre, relation="父亲", name="张大", work="已去世")
    return cadre


def _without_fill_dates(data: bytes) -> bytes:
    return re.sub(rb"<(JiSuanNianLingShiJian|TianBiaoShiJian)>\d*</\1>", b"", data)


# ---------------------------------------------------------------------------- writing


def test_dump_lays_out_every_element_in_order():
    cadre = rich_cadre(0)
    data = lrmx.dump(lrmx.from_cadre(cadre, today=date(2026, 3, 5)))
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\r\n<Person>')
    assert not data.startswith(b"\xef\xbb\xbf")
    text = data.decode()
    tags = re.findall(r"^  <(\w+)>", text, re.M)
    assert tags == [tag for tag, _ in lrmx.ELEMENTS]
    assert "<XingMing>张  三</XingMing>" in text
    assert "<XingBie>女</XingBie>" not in text and "<XingBie>男</XingBie>" in text
    assert f"<ChuShengNianYue>{cadre.birth_date:%Y%m}</ChuShengNianYue>" in text
    assert "<DaoLingNianYue>202201</DaoLingNianYue>" in text  # born 1962-01: 60, before the reform
    assert "<JiSuanNianLingShiJian>20260305</JiSuanNianLingShiJian>" in text
    assert "财政金融 &amp; 审计 &lt;统计&gt;" in text
    assert "<NianDuKaoHeJieGuo>2022年：优秀；2023年：称职；2024年：基本称职</NianDuKaoHeJieGuo>" in text
    assert "<Version>3.2.1.16</Version>" in text
    assert "ZhengZhiMianMao>中共党员" in text  # the wife's, in her Item
    assert text.count("<ZhengZhiMianMao>") == 2  # never the person's own


def test_resume_lines_with_sub_entries_and_an_open_end():
    cadre = rich_cadre(0)
    text = lrmx.dump(lrmx.from_cadre(cadre)).decode()
    resume = re.search(r"<JianLi>(.*?)</JianLi>", text, re.S)[1]
    lines = resume.split("\r\n")
    assert lines == [
        "1980.09--1984.07  南京大学经济学院学习",
        "1984.07--1992.06  某县财政局科员、副科长（其间：1986.09--1989.07  在中央党校研究生院经济学专业在职学习）",
        "1992.06--         某县财政局副局长",
    ]


def test_the_3x_layout_has_neither_new_element():
    data = lrmx.dump(lrmx.from_cadre(rich_cadre(1)), layout="3").decode()
    assert "DaoLingNianYue" not in data and "GaiGeQianRenZhiNianLingJieXian" not in data
    assert len(re.findall(r"^  <(\w+)>", data, re.M)) == 34


def test_candidate_form_has_proposed_and_removed_posts_and_reasons(candidate):
    cadre = candidate.cadre
    cadre.position = PositionFactory()
    cadre.save()
    person = lrmx.from_cadre(cadre, candidate, reasons="政治素质好，熟悉财政工作")
    assert person.proposed_post == str(candidate.position)
    assert person.removed_post == str(cadre.position) == person.current_post
    assert person.reasons == "政治素质好，熟悉财政工作"


def test_the_photo_is_base64_jpeg(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.base import ContentFile

    cadre = rich_cadre(2)
    png = io.BytesIO()
    Image.new("RGB", (30, 40), "red").save(png, format="PNG")
    cadre.photo.save("p.png", ContentFile(png.getvalue()))
    text = lrmx.dump(lrmx.from_cadre(cadre)).decode()
    photo = base64.b64decode(re.search(r"<ZhaoPian>(.*?)</ZhaoPian>", text)[1])
    assert photo[:2] == b"\xff\xd8"


def test_file_names():
    person = lrmx.Person(name="张  三")
    assert lrmx.file_name(person, on=date(2026, 3, 5)) == "2026.03.05 干部任免审批表 张三.lrmx"
    assert lrmx.file_name(person, on=date(2026, 3, 5), number=2) == "2026.03.05 2.干部任免审批表 张三.lrmx"


# ---------------------------------------------------------------------------- round trip


def test_round_trip_of_20_generated_cadres():
    for n in range(20):
        cadre = rich_cadre(n)
        first = lrmx.dump(lrmx.from_cadre(cadre, today=date(2026, 1, 2)))
        again = lrmx.dump(lrmx.load(first), layout="new")
        assert _without_fill_dates(again) == _without_fill_dates(first), cadre.name
        assert again == first  # the dates are read back as written
        three = lrmx.dump(lrmx.from_cadre(cadre), layout="3")
        assert lrmx.dump(lrmx.load(three), layout="3") == three


# ---------------------------------------------------------------------------- hand-written files

HAND = (
    '\ufeff<?xml version="1.0" encoding="UTF-8"?>\r\n'
    "<Person>\r\n"
    "<Version>3.2.1.6</Version>\r\n"
    "<XingMing>王  五</XingMing><XingBie>女</XingBie><ChuShengNianYue>1970.05</ChuShengNianYue>\r\n"
    "<MinZu>汉族</MinZu><RuDangShiJian>199406</RuDangShiJian><CanJiaGongZuoShiJian>199207</CanJiaGongZuoShiJian>\r\n"
    "<DaoLingNianYue>202507</DaoLingNianYue>\r\n"
    "<QuanRiZhiJiaoYu_XueLi>大学</QuanRiZhiJiaoYu_XueLi><QuanRiZhiJiaoYu_XueWei>文学学士</QuanRiZhiJiaoYu_XueWei>"
    "<QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>南京师范大学中文系汉语言文学专业</QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>\r\n"
    "<ZhengZhiMianMao>中共党员</ZhengZhiMianMao>\r\n"
    "<JianLi>1988.09—1992.07  南京师范大学中文系汉语言文学专业学习\r\n"
    "1992.07～1999.12  某县教育局科员\r\n"
    "2000.01-2010.06  某县教育局副局长\r\n"
    "（其间：2003.09--2006.07  江苏省委党校法学专业在职研究生学习）\r\n"
    "2010.06--至今  某县教育局局长，兼任县教师进修学校\r\n"
    "校长</JianLi>\r\n"
    "<JiangChengQingKuang>无</JiangChengQingKuang>\r\n"
    "<NianDuKaoHeJieGuo>2022年：称职；2023年：优秀；2024年：基本称职</NianDuKaoHeJieGuo>\r\n"
    "<JiaTingChengYuan><Item><ChengWei>丈夫</ChengWei><XingMing>李  明</XingMing>"
    "<ChuShengRiQi>196903</ChuShengRiQi><ZhengZhiMianMao>群众</ZhengZhiMianMao>"
    "<GongZuoDanWeiJiZhiWu>某公司职员</GongZuoDanWeiJiZhiWu></Item></JiaTingChengYuan>\r\n"
    "<ShenFenZheng>32010219700501002x</ShenFenZheng>\r\n"
    "<BeiZhu>另附说明<Ci>一</Ci></BeiZhu>\r\n"
    "</Person>\r\n"
)


def test_a_hand_written_file_is_read():
    person = lrmx.load(HAND.encode("utf-8"))
    assert person.name == "王五" and person.plain_name == "王五"
    assert person.gender == "女"
    assert person.birth == "197005"
    assert person.retirement == "202507"
    assert person.version == "3.2.1.6"
    assert person.political_status == "中共党员"
    assert person.id_number == "32010219700501002X"
    assert person.rewards == []
    assert [(i.starts, i.ends) for i in person.resume] == [
        ("198809", "199207"),
        ("199207", "199912"),
        ("200001", "201006"),
        ("201006", ""),
    ]
    assert person.resume[2].during[0].starts == "200309"
    assert person.resume[2].during[0].text == "江苏省委党校法学专业在职研究生学习"
    assert person.resume[3].text == "某县教育局局长，兼任县教师进修学校校长"
    assert person.family[0].name == "李明" and person.family[0].birth == "196903"
    assert lrmx.parse_assessments(person.assessments) == [(2022, "称职"), (2023, "优秀"), (2024, "基本称职")]
    assert person.unknown == [("BeiZhu", "<BeiZhu>另附说明<Ci>一</Ci></BeiZhu>")]
    written = lrmx.dump(person).decode()
    assert "<BeiZhu>另附说明<Ci>一</Ci></BeiZhu>" in written
    assert "<Version>3.2.1.6</Version>" in written
    assert "<ZhengZhiMianMao>中共党员</ZhengZhiMianMao>" not in written


@pytest.mark.parametrize(
    ("line", "starts", "ends", "text"),
    [
        ("1990.09--1994.07  描述", "199009", "199407", "描述"),
        ("1990.09-1994.07 描述", "199009", "199407", "描述"),
        ("1990.09—1994.07描述", "199009", "199407", "描述"),
        ("1990.09——1994.07  描述", "199009", "199407", "描述"),
        ("1990.09～1994.07  描述", "199009", "199407", "描述"),
        ("1990.09－1994.07  描述", "199009", "199407", "描述"),
        ("1990.9--1994.7  描述", "199009", "199407", "描述"),
        ("2015.01--至今  局长", "201501", "", "局长"),
        ("2015.01--         局长", "201501", "", "局长"),
        ("199009--199407  描述", "199009", "199407", "描述"),
    ],
)
def test_resume_line_forms(line, starts, ends, text):
    [item] = lrmx.parse_resume(line)
    assert (item.starts, item.ends, item.text) == (starts, ends, text)


def test_sub_entries_inline_with_several_parts():
    [item] = lrmx.parse_resume(
        "2000.01--2010.06  副局长（其间：2003.09--2006.07  党校学习；2008.03--2008.09  挂职锻炼）"
    )
    assert item.text == "副局长"
    assert [(s.starts, s.ends, s.text) for s in item.during] == [
        ("200309", "200607", "党校学习"),
        ("200803", "200809", "挂职锻炼"),
    ]
    assert (
        lrmx.resume_line(item)
        == "2000.01--2010.06  副局长（其间：2003.09--2006.07  党校学习；2008.03--2008.09  挂职锻炼）"
    )


def test_lf_only_and_no_declaration_and_any_order():
    data = "<Person><ChuShengNianYue>198001</ChuShengNianYue><XingMing>欧阳明华</XingMing></Person>".encode()
    person = lrmx.load(data)
    assert person.name == "欧阳明华" and person.birth == "198001"


def test_a_gbk_file_that_says_so_is_read():
    data = '<?xml version="1.0" encoding="GB2312"?><Person><XingMing>张  三</XingMing></Person>'.encode("gbk")
    assert lrmx.load(data).name == "张三"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b"<Person><XingMing>&b;</XingMing></Person>",
            "DTD",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<Person><XingMing>&x;</XingMing></Person>",
            "DTD",
        ),
        ('<?xml version="1.0" encoding="UTF-8"?><Person><XingMing>张三</XingMing></Person>'.encode("gbk"), "UTF-8"),
        (b"<Person><XingMing>x</XingMing>", "XML"),
        (b"<Other/>", "Person"),
        (b"<Person><ZhaoPian>not base64!</ZhaoPian></Person>", "base64"),
        (b'<?xml version="1.0" encoding="EBCDIC-XYZ"?><Person/>', "编码"),
        (b"<Person>" + b"<a>" * 50000 + b"</a>" * 50000 + b"</Person>", "嵌套|XML"),
        (b"<Person><BeiZhu>" + b"x" * (1024 * 1024 + 1) + b"</BeiZhu></Person>", "未知元素"),
    ],
)
def test_hostile_or_broken_files_are_refused(data, message):
    with pytest.raises(lrmx.LrmxError, match=message):
        lrmx.load(data)


def test_kept_values_come_back_on_export():
    cadre = rich_cadre(0)
    ApprovalFormKept.objects.create(
        cadre=cadre,
        values={
            "version": "3.2.1.6",
            "reporting_unit": "中共某县委组织部",
            "unknown": [["BeiZhu", "<BeiZhu>x</BeiZhu>"]],
        },
    )
    text = lrmx.dump(lrmx.from_cadre(cadre)).decode()
    assert "<Version>3.2.1.6</Version>" in text
    assert "<ChengBaoDanWei>中共某县委组织部</ChengBaoDanWei>" in text
    assert text.rstrip().endswith("<BeiZhu>x</BeiZhu>\r\n</Person>")
