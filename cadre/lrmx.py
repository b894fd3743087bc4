"""The 干部任免审批表 exchange file (.lrmx): one person's form as plain data, from a cadre, to and
from the file exactly as ../shared/LRMX.md lays it out.

`Person` holds the form's values as the file writes them (dates yyyyMM, text as is); `from_cadre`
fills it from the database, `dump` writes the bytes (newer layout, or the 3.x one), `load` reads
what other software writes (any order, CRLF, BOM, padded names, 其间 sub-entries, 至今, unknown
elements kept for the next export). Parsing is hardened (defusedxml: no DTD, no entities).

cadre imports no stage app: the candidate's 任免理由 (the brief's, in voting) is passed in by the
caller (`reasons=`).
"""

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import date
from xml.etree.ElementTree import Element, tostring
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone

from .retirement import retirement_yyyymm

DEFAULT_VERSION = "3.2.1.16"
CRLF = "\r\n"
NONE = "无"
SUB_PREFIX = "其间："  # a résumé entry kept as a 其间 sub-entry of the entry before it
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNKNOWN_CHARS = 1024 * 1024  # unknown elements are kept per cadre: not a store for anything


def version_setting() -> str:
    return getattr(settings, "LRMX_VERSION", DEFAULT_VERSION) or DEFAULT_VERSION


def layout_setting() -> str:
    return "3" if str(getattr(settings, "LRMX_LAYOUT", "new")) == "3" else "new"


class LrmxError(ValueError):
    """A file that cannot be read as a 任免审批表; the message is Chinese, for the user."""


@dataclass
class ResumeItem:
    starts: str = ""  # yyyyMM ("" for an undated 其间 note)
    ends: str = ""  # yyyyMM, "" while open (至今)
    text: str = ""
    during: list["ResumeItem"] = field(default_factory=list)  # 其间 sub-entries


@dataclass
class Member:
    relation: str = ""
    name: str = ""
    birth: str = ""  # yyyyMM
    political_status: str = ""
    work: str = ""


@dataclass
class Person:
    name: str = ""
    gender: str = ""  # 男 / 女
    birth: str = ""  # yyyyMM
    ethnicity: str = ""
    native_place: str = ""
    birthplace: str = ""
    party: str = ""  # RuDangShiJian as written: yyyyMM, a party's name, or both
    work_start: str = ""
    retirement: str = ""  # 到龄年月, computed on export
    health: str = ""
    professional_title: str = ""
    specialty: str = ""
    ft_level: str = ""
    ft_degree: str = ""
    ft_school: str = ""
    ft_degree_school: str = ""
    pt_level: str = ""
    pt_degree: str = ""
    pt_school: str = ""
    pt_degree_school: str = ""
    current_post: str = ""
    proposed_post: str = ""
    removed_post: str = ""
    resume: list[ResumeItem] = field(default_factory=list)
    rewards: list[str] = field(default_factory=list)  # [] is written 无
    assessments: str = ""  # 2023年：优秀；2024年：称职
    reasons: str = ""
    family: list[Member] = field(default_factory=list)
    reporting_unit: str = ""
    pre_reform_age_limit: str = ""
    age_date: str = ""  # yyyyMMdd
    filled_on: str = ""  # yyyyMMdd
    filled_by: str = ""
    id_number: str = ""
    photo: bytes = b""
    version: str = ""
    political_status: str = ""  # read, never written (入党时间 carries it)
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (tag, the element's XML), kept

    @property
    def plain_name(self) -> str:
        return plain_name(self.name)


# (tag, attribute) in the documented order; "new" marks the two elements of the post-2025 layout.
ELEMENTS = [
    ("XingMing", "name"),
    ("XingBie", "gender"),
    ("ChuShengNianYue", "birth"),
    ("MinZu", "ethnicity"),
    ("JiGuan", "native_place"),
    ("ChuShengDi", "birthplace"),
    ("RuDangShiJian", "party"),
    ("CanJiaGongZuoShiJian", "work_start"),
    ("DaoLingNianYue", "retirement"),
    ("JianKangZhuangKuang", "health"),
    ("ZhuanYeJiShuZhiWu", "professional_title"),
    ("ShuXiZhuanYeYouHeZhuanChang", "specialty"),
    ("QuanRiZhiJiaoYu_XueLi", "ft_level"),
    ("QuanRiZhiJiaoYu_XueWei", "ft_degree"),
    ("QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi", "ft_school"),
    ("QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi", "ft_degree_school"),
    ("ZaiZhiJiaoYu_XueLi", "pt_level"),
    ("ZaiZhiJiaoYu_XueWei", "pt_degree"),
    ("ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi", "pt_school"),
    ("ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi", "pt_degree_school"),
    ("XianRenZhiWu", "current_post"),
    ("NiRenZhiWu", "proposed_post"),
    ("NiMianZhiWu", "removed_post"),
    ("JianLi", "resume"),
    ("JiangChengQingKuang", "rewards"),
    ("NianDuKaoHeJieGuo", "assessments"),
    ("RenMianLiYou", "reasons"),
    ("JiaTingChengYuan", "family"),
    ("ChengBaoDanWei", "reporting_unit"),
    ("GaiGeQianRenZhiNianLingJieXian", "pre_reform_age_limit"),
    ("JiSuanNianLingShiJian", "age_date"),
    ("TianBiaoShiJian", "filled_on"),
    ("TianBiaoRen", "filled_by"),
    ("ShenFenZheng", "id_number"),
    ("ZhaoPian", "photo"),
    ("Version", "version"),
]
NEW_ONLY = {"DaoLingNianYue", "GaiGeQianRenZhiNianLingJieXian"}
MEMBER_ELEMENTS = [
    ("ChengWei", "relation"),
    ("XingMing", "name"),
    ("ChuShengRiQi", "birth"),
    ("ZhengZhiMianMao", "political_status"),
    ("GongZuoDanWeiJiZhiWu", "work"),
]
READ_ONLY = {"ZhengZhiMianMao": "political_status"}  # the person's, read but never written
FILL_DATE_TAGS = ("JiSuanNianLingShiJian", "TianBiaoShiJian")
TAG_OF = {attr: tag for tag, attr in ELEMENTS}


# ---------------------------------------------------------------------------- small formats


def pad_name(name: str) -> str:
    """A two-character name is written with two ASCII spaces between the characters."""
    name = plain_name(name)
    return f"{name[0]}  {name[1]}" if len(name) == 2 else name


def plain_name(name: str) -> str:
    return re.sub(r"[\s\u3000]+", "", name or "")


def yyyymm(value: date | None) -> str:
    return f"{value.year:04d}{value.month:02d}" if value else ""


_MONTH = re.compile(r"^\s*(\d{4})\s*[.．\-/年]?\s*(\d{1,2})?\s*月?(?:\s*[.．\-/]?\s*\d{1,2}\s*日?)?\s*$")


def parse_month(text: str) -> tuple[int, int] | None:
    """(year, month) of yyyyMM, yyyyMMdd, yyyy.MM(.dd), yyyy-MM, yyyy年MM月; None otherwise."""
    text = (text or "").strip()
    digits = re.fullmatch(r"(\d{4})(\d{2})(\d{2})?", text)
    if digits:
        year, month = int(digits[1]), int(digits[2])
    else:
        match = _MONTH.match(text)
        if not match:
            return None
        year, month = int(match[1]), int(match[2] or 1)
    return (year, month) if 1 <= month <= 12 and 1900 <= year <= 2100 else None


def month_date(text: str) -> date | None:
    parsed = parse_month(text)
    return date(parsed[0], parsed[1], 1) if parsed else None


def normal_month(text: str) -> str:
    """A date as yyyyMM when it reads as one, else the text unchanged (the import names it)."""
    parsed = parse_month(text)
    return f"{parsed[0]:04d}{parsed[1]:02d}" if parsed else (text or "").strip()


def dotted(value: str) -> str:
    """yyyyMM → yyyy.MM (the paper's and the résumé's form)."""
    parsed = parse_month(value)
    return f"{parsed[0]:04d}.{parsed[1]:02d}" if parsed else value


# ---------------------------------------------------------------------------- résumé lines

_DASH = r"(?:-{1,2}|—{1,2}|～|~|－{1,2}|至|到)"
_DATE = r"\d{4}(?:\s*[.．/年]\s*\d{1,2}|\d{2})\s*月?"
_LINE = re.compile(rf"^\s*({_DATE})\s*{_DASH}\s*({_DATE}|至今|今)?\s*(.*)$", re.S)


def _date_of(text: str) -> str:
    return normal_month(text) if text and "今" not in text else ""


def _item(text: str) -> ResumeItem:
    match = _LINE.match(text)
    if not match:
        return ResumeItem(text=text.strip())
    return ResumeItem(starts=_date_of(match[1]), ends=_date_of(match[2] or ""), text=match[3].strip())


_DURING = re.compile(r"[（(]\s*其间\s*[：:，,]?\s*(.*?)\s*[）)]\s*$", re.S)


def _split_during(item: ResumeItem) -> ResumeItem:
    """Move trailing （其间：…；…） of the description into sub-entries."""
    while True:
        match = _DURING.search(item.text)
        if not match:
            return item
        parts = [p for p in re.split(r"\s*[；;]\s*", match[1]) if p.strip()]
        item.during[:0] = [_item(p) for p in parts]
        item.text = item.text[: match.start()].rstrip()


def parse_resume(text: str) -> list[ResumeItem]:
    """Entries of a 简历: one a line; a line without a date joins the previous one; a line in
    parentheses is a 其间 entry of the previous one."""
    items: list[ResumeItem] = []
    for raw in re.split(r"\r\n|\r|\n", text or ""):
        line = raw.strip().strip("\u3000")
        if not line:
            continue
        if line[0] in "（(" and items:
            body = re.sub(r"^[（(]\s*(?:其间\s*[：:，,]?)?\s*", "", line)
            body = re.sub(r"\s*[）)]\s*$", "", body)
            items[-1].during.extend(_item(p) for p in re.split(r"\s*[；;]\s*", body) if p.strip())
        elif _LINE.match(line) or not items:
            items.append(_split_during(_item(line)))
        else:
            items[-1].text += line
            _split_during(items[-1])
    return items


def _span(item: ResumeItem) -> str:
    if not item.starts:
        return ""
    ends = dotted(item.ends) if item.ends else " " * 7
    return f"{dotted(item.starts)}--{ends}  "


def resume_line(item: ResumeItem) -> str:
    line = _span(item) + item.text
    if item.during:
        line += "（其间：" + "；".join(_span(sub) + sub.text for sub in item.during) + "）"
    return line


def resume_text(items: list[ResumeItem]) -> str:
    return CRLF.join(resume_line(item) for item in items)


# ---------------------------------------------------------------------------- assessments

GRADES = ("基本称职", "不称职", "优秀", "称职", "不定等次")
_ASSESSMENT = re.compile(r"(\d{4})\s*年?度?[^0-9；;，,、]*?(" + "|".join(GRADES) + ")")


def parse_assessments(text: str) -> list[tuple[int, str]]:
    """(year, grade) pairs of 2023年：优秀；2024年：称职 (and the looser forms people type)."""
    seen: dict[int, str] = {}
    for match in _ASSESSMENT.finditer(text or ""):
        seen.setdefault(int(match[1]), match[2])
    return sorted(seen.items())


def assessments_text(pairs) -> str:
    return "；".join(f"{year}年：{grade}" for year, grade in sorted(pairs))


# ---------------------------------------------------------------------------- from the database


def _education(records, full_time: bool) -> tuple[str, str, str, str]:
    rows = [r for r in records if r.full_time == full_time]
    if not rows:
        return "", "", "", ""
    row = rows[-1]
    return row.degree_level, row.degree, row.school, ""


def _resume_items(entries) -> list[ResumeItem]:
    items: list[ResumeItem] = []
    rows = sorted(entries, key=lambda e: (e.starts, e.description.startswith(SUB_PREFIX), e.pk or 0))
    for entry in rows:
        item = ResumeItem(starts=yyyymm(entry.starts), ends=yyyymm(entry.ends), text=entry.description)
        if entry.description.startswith(SUB_PREFIX) and items:
            item.text = entry.description[len(SUB_PREFIX) :]
            items[-1].during.append(item)
        else:
            items.append(item)
    return items


def _photo_jpeg(photo) -> bytes:
    if not photo:
        return b""
    try:
        with photo.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return b""
    if data[:2] == b"\xff\xd8":
        return data
    import io

    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=90)
        return out.getvalue()
    except OSError:
        return b""


def from_cadre(
    cadre,
    candidate=None,
    *,
    reasons: str | None = None,
    filled_by: str = "",
    today: date | None = None,
) -> Person:
    """The form of a cadre now; of a candidate at decision time, with 拟任 (the selection's post),
    拟免 (the current post when it is another) and 任免理由 (`reasons`, the brief's: the caller
    reads it, cadre imports no stage app). Values the cadre cannot hold come from the form kept at
    the last import (`ApprovalFormKept`)."""
    from .models import ApprovalFormKept

    today = today or timezone.localdate()
    kept_row = ApprovalFormKept.objects.filter(cadre_id=cadre.pk).first()
    kept = dict(kept_row.values) if kept_row else {}
    education = list(cadre.education_records.all().order_by("pk"))
    ft = _education(education, True)
    pt = _education(education, False)
    party = yyyymm(cadre.party_date)
    if kept.get("party_note"):
        party = f"{party}；{kept['party_note']}" if party else kept["party_note"]
    assessments = [(a.year, a.get_grade_display()) for a in cadre.assessments.all().order_by("year")]
    current = str(cadre.position) if cadre.position_id else kept.get("current_post", "")
    person = Person(
        name=pad_name(cadre.name),
        gender=cadre.get_gender_display() if cadre.gender else "",
        birth=yyyymm(cadre.birth_date),
        ethnicity=cadre.ethnicity,
        native_place=cadre.native_place,
        birthplace=cadre.birthplace,
        party=party,
        work_start=yyyymm(cadre.work_start_date),
        retirement=retirement_yyyymm(cadre.birth_date, cadre.gender),
        health=cadre.health,
        professional_title=cadre.professional_title,
        specialty=cadre.specialty,
        ft_level=ft[0],
        ft_degree=ft[1],
        ft_school=ft[2],
        ft_degree_school=kept.get("ft_degree_school", ""),
        pt_level=pt[0],
        pt_degree=pt[1],
        pt_school=pt[2],
        pt_degree_school=kept.get("pt_degree_school", ""),
        current_post=current,
        resume=_resume_items(cadre.resume.all()),
        rewards=[r.text for r in cadre.rewards.all().order_by("on", "pk")],
        assessments=assessments_text(assessments) if assessments else kept.get("assessments", ""),
        reasons=kept.get("reasons", "") if reasons is None else reasons,
        family=[
            Member(m.relation, m.name, yyyymm(m.birth_date), m.political_status, m.work)
            for m in cadre.family.all().order_by("pk")
        ],
        reporting_unit=kept.get("reporting_unit", "") or getattr(settings, "LRMX_REPORTING_UNIT", ""),
        pre_reform_age_limit=kept.get("pre_reform_age_limit", ""),
        age_date=today.strftime("%Y%m%d"),
        filled_on=today.strftime("%Y%m%d"),
        filled_by=filled_by or kept.get("filled_by", ""),
        id_number=cadre.id_number,
        photo=_photo_jpeg(cadre.photo),
        version=kept.get("version", "") or version_setting(),
        unknown=[tuple(pair) for pair in kept.get("unknown", [])],
    )
    if candidate is not None:
        person.proposed_post = str(candidate.position)
        person.removed_post = current if cadre.position_id and cadre.position_id != candidate.position_id else ""
    return person


# ---------------------------------------------------------------------------- writing


def _text_of(person: Person, tag: str, attr: str) -> str:
    value = getattr(person, attr)
    if tag == "XingMing":
        return pad_name(value)
    if tag == "JianLi":
        return resume_text(value)
    if tag == "JiangChengQingKuang":
        return CRLF.join(value) if value else NONE
    if tag == "ZhaoPian":
        return base64.b64encode(value).decode("ascii") if value else ""
    if tag == "Version":
        return value or version_setting()
    return value or ""


def dump(person: Person, layout: str = "new") -> bytes:
    """The .lrmx bytes: UTF-8, no BOM, root Person, every element in the documented order (the
    3.x layout without DaoLingNianYue and GaiGeQianRenZhiNianLingJieXian), unknown elements kept
    from an import after them."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<Person>"]
    for tag, attr in ELEMENTS:
        if layout == "3" and tag in NEW_ONLY:
            continue
        if tag == "JiaTingChengYuan":
            lines.append("  <JiaTingChengYuan>")
            for member in person.family:
                lines.append("    <Item>")
                for mtag, mattr in MEMBER_ELEMENTS:
                    lines.append(f"      <{mtag}>{escape(getattr(member, mattr) or '')}</{mtag}>")
                lines.append("    </Item>")
            lines.append("  </JiaTingChengYuan>")
            continue
        lines.append(f"  <{tag}>{escape(_text_of(person, tag, attr))}</{tag}>")
    for _tag, xml in person.unknown:
        lines.append(f"  {xml}")
    lines.append("</Person>")
    return (CRLF.join(lines) + CRLF).encode("utf-8")


def file_name(person: Person, *, on: date | None = None, number: int | None = None) -> str:
    """yyyy.MM.dd 干部任免审批表 姓名.lrmx; in a batch yyyy.MM.dd N.干部任免审批表 姓名.lrmx."""
    on = on or timezone.localdate()
    prefix = f"{on:%Y.%m.%d} " + (f"{number}." if number is not None else "")
    return f"{prefix}干部任免审批表 {person.plain_name}.lrmx"


# ---------------------------------------------------------------------------- reading

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?\?>", re.S)
_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([A-Za-z0-9_\-]+)[\"']")
GBK_NAMES = {"gbk", "gb2312", "gb18030", "cp936"}


def _xml_text(data: bytes) -> bytes:
    """The document as UTF-8 bytes without its declaration; a wrong encoding is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise LrmxError("文件编码无法识别（UTF-16 内容有误）") from exc
        data = data.lstrip("\ufeff".encode())
    declaration = _DECLARATION.match(data)
    encoding = "utf-8"
    if declaration:
        found = _ENCODING.search(declaration.group(0))
        if found:
            encoding = found.group(1).decode("ascii").lower()
        data = data[declaration.end() :]
    if encoding in GBK_NAMES:
        try:
            return data.decode("gb18030").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise LrmxError("文件声明为 GBK 编码，但内容不是有效的 GBK 文本") from exc
    if encoding not in {"utf-8", "utf8", "utf-16", "utf16"}:
        raise LrmxError(f"不支持的文件编码：{encoding}（应为 UTF-8）")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LrmxError("文件内容不是有效的 UTF-8 文本（可能是其他编码保存的），请用任免审批表软件重新导出") from exc
    return data


def _text(element) -> str:
    return "".join(element.itertext()) if element is not None else ""


def load(data: bytes) -> Person:
    """A Person from .lrmx bytes. Accepts any element order, both layouts, a BOM, CRLF, padded
    names; keeps unknown elements. Refuses DTDs, entities, wrong encodings and broken XML."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    if len(data) > MAX_FILE_BYTES:
        raise LrmxError(f"文件过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB）")
    body = _xml_text(data)
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise LrmxError("文件含有 DTD 或实体声明，为安全起见拒绝读取") from exc
    except Exception as exc:  # ParseError and expat's own errors
        raise LrmxError(f"文件不是有效的任免审批表（XML 格式错误：{exc}）") from exc
    if root.tag != "Person":
        raise LrmxError("文件不是任免审批表（根元素应为 Person）")
    person = Person()
    known = {tag: attr for tag, attr in ELEMENTS}
    try:
        for child in root:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in known:
                _read(person, tag, known[tag], child)
            elif tag in READ_ONLY:
                setattr(person, READ_ONLY[tag], _text(child).strip())
            elif tag:
                person.unknown.append((tag, tostring(child, encoding="unicode").strip()))
    except RecursionError as exc:
        raise LrmxError("文件结构嵌套过深，拒绝读取") from exc
    if sum(len(xml) for _tag, xml in person.unknown) > MAX_UNKNOWN_CHARS:
        raise LrmxError("文件中未知元素的内容过多，拒绝读取")
    return person


def _read(person: Person, tag: str, attr: str, element) -> None:
    text = _text(element)
    if tag == "JiaTingChengYuan":
        person.family = [_member(item) for item in element if item.tag == "Item"]
    elif tag == "JianLi":
        person.resume = parse_resume(text)
    elif tag == "JiangChengQingKuang":
        lines = [line.strip() for line in re.split(r"\r\n|\r|\n", text) if line.strip()]
        person.rewards = [] if lines in ([], [NONE], ["无。"]) else lines
    elif tag == "ZhaoPian":
        compact = re.sub(r"\s+", "", text)
        if compact.startswith("data:"):
            compact = compact.split(",", 1)[-1]
        try:
            person.photo = base64.b64decode(compact, validate=True) if compact else b""
        except (binascii.Error, ValueError) as exc:
            raise LrmxError("照片（ZhaoPian）不是有效的 base64 数据") from exc
    elif tag in ("ChuShengNianYue", "CanJiaGongZuoShiJian", "DaoLingNianYue"):
        setattr(person, attr, normal_month(text))
    elif tag == "XingMing":
        person.name = plain_name(text)
    elif tag == "ShenFenZheng":
        person.id_number = re.sub(r"\s+", "", text).upper()
    else:
        setattr(person, attr, text.strip())


def _member(item) -> Member:
    values = {child.tag: _text(child).strip() for child in item}
    member = Member(**{attr: values.get(tag, "") for tag, attr in MEMBER_ELEMENTS})
    member.name = plain_name(member.name)
    member.birth = normal_month(member.birth)
    return member


def element_for(tag: str, text: str) -> str:
    """An element's XML (for tests and callers building unknown elements)."""
    element = Element(tag)
    element.text = text
    return tostring(element, encoding="unicode")
