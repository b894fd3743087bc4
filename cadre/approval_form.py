"""The 干部任免审批表 rendered: .lrmx (cadre/lrmx.py), Word .docx (python-docx) and PDF (WeasyPrint,
templates/cadre/approval_form_pdf.html), one at a time or several as a zip with the conventional
file names (../shared/LRMX.md, The printed form).

cadre imports no stage app: a candidate's 任免理由 is the brief's (voting's `Brief.reasons`), read
through the app registry by `candidate_reasons` and passed to `cadre.lrmx.from_cadre`.
"""

import base64
import io
import zipfile
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.template.loader import render_to_string
from django.utils import timezone

from . import lrmx
from .people import person_name
from .retirement import retirement

FORMATS = {
    "lrmx": "application/xml",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
# Where a candidate's 任免理由 lives: (app label, model, field), found through the registry.
BRIEF_REASONS = ("voting", "Brief", "reasons")
FAMILY_ROWS = 7
MAX_BATCH = 500
MAX_BATCH_PDF = 50  # about a quarter of a second each: more would hold the request too long


def candidate_reasons(candidate) -> str:
    app_label, model_name, field = BRIEF_REASONS
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return ""
    brief = model.objects.filter(candidate_id=candidate.pk).first()
    return getattr(brief, field, "") if brief else ""


def _user_name(user) -> str:
    if user is None:
        return ""
    return person_name(user)


def person_for_cadre(cadre, *, user=None, today: date | None = None) -> lrmx.Person:
    return lrmx.from_cadre(cadre, filled_by=_user_name(user), today=today)


def person_for_candidate(candidate, *, user=None, today: date | None = None) -> lrmx.Person:
    return lrmx.from_cadre(
        candidate.cadre,
        candidate,
        reasons=candidate_reasons(candidate),
        filled_by=_user_name(user),
        today=today,
    )


# ---------------------------------------------------------------------------- what paper shows


@dataclass
class Paper:
    """The values of the printed form, as the page shows them."""

    person: lrmx.Person
    birth: str
    age: str
    retirement: str
    retirement_age: str
    party: str
    work_start: str
    resume_lines: list[str]
    rewards: str
    family: list[lrmx.Member]
    photo_uri: str


def _age(birth: str, on: str) -> str:
    born = lrmx.parse_month(birth)
    day = lrmx.parse_month(on[:6]) if on else None
    if not born or not day:
        return ""
    years = day[0] - born[0] - (1 if day[1] < born[1] else 0)
    return f"（{years}岁）"


def paper(person: lrmx.Person) -> Paper:
    party = person.party
    parsed = lrmx.parse_month(party[:6]) if party[:6].isdigit() else None
    if parsed:
        party = f"{parsed[0]:04d}.{parsed[1]:02d}" + party[6:]
    born = lrmx.month_date(person.birth)
    gender = {"男": "M", "女": "F"}.get(person.gender)
    reached = retirement(born, gender) if born and gender else None
    photo_uri = ""
    if person.photo:
        photo_uri = "data:image/jpeg;base64," + base64.b64encode(person.photo).decode("ascii")
    members = list(person.family[:FAMILY_ROWS])
    members += [lrmx.Member() for _ in range(FAMILY_ROWS - len(members))]
    for member in members:
        member.birth = lrmx.dotted(member.birth) if member.birth else ""
    return Paper(
        person=person,
        birth=lrmx.dotted(person.birth),
        age=_age(person.birth, person.age_date),
        retirement=reached.dotted if reached else "",
        retirement_age=f"（{reached.age_text}）" if reached else "",
        party=party,
        work_start=lrmx.dotted(person.work_start),
        resume_lines=[lrmx.resume_line(item) for item in person.resume],
        rewards="\n".join(person.rewards) or lrmx.NONE,
        family=members,
        photo_uri=photo_uri,
    )


# ---------------------------------------------------------------------------- PDF


def render_pdf(person: lrmx.Person) -> bytes:
    from weasyprint import HTML

    html = render_to_string("cadre/approval_form_pdf.html", {"p": paper(person), "person": person})
    return HTML(string=html).write_pdf()


# ---------------------------------------------------------------------------- Word


def _set_cell_borders(table, outer: int = 12, inner: int = 8) -> None:
    """Outer border 1.5 pt, inner 1 pt (sizes in eighths of a point)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), str(inner if edge.startswith("inside") else outer))
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)


def _font(run, size: float, name: str = "宋体") -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size)
    run.font.name = name
    r_pr = run._element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(r_fonts)
    r_fonts.set(qn("w:eastAsia"), name)


def _write(cell, text: str, size: float = 14, *, center: bool = True) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    lines = (text or "").split("\n")
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        paragraph = first if i == 0 else cell.add_paragraph()
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(paragraph.add_run(line), size)


def _row_height(row, cm: float) -> None:
    from docx.enum.table import WD_ROW_HEIGHT_RULE
    from docx.shared import Cm

    row.height = Cm(cm)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def render_docx(person: lrmx.Person) -> bytes:
    """Two A4 pages as the form is printed: page 1 the person, their education, posts and résumé;
    page 2 rewards, assessments, reasons, family (seven rows) and the opinions."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt

    p = paper(person)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin = section.right_margin = Cm(2)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run("干部任免审批表"), 24, "方正小标宋简体")

    # ---- page 1: 8 columns
    t = document.add_table(rows=10, cols=8)
    _set_cell_borders(t)
    widths = [2.2, 2.4, 1.6, 2.0, 2.4, 2.4, 2.0, 2.0]
    for row in t.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
    c = t.cell
    _write(c(0, 0), "姓  名")
    _write(c(0, 1), person.plain_name)
    _write(c(0, 2), "性别")
    _write(c(0, 3), person.gender)
    _write(c(0, 4), "出生年月\n（岁）")
    _write(c(0, 5), f"{p.birth}\n{p.age}", 12)
    photo = c(0, 6).merge(c(3, 7))
    if person.photo:
        try:
            photo.paragraphs[0].add_run().add_picture(io.BytesIO(person.photo), width=Cm(3.2))
            photo.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        except Exception:  # a photo python-docx cannot place: the form without it
            _write(photo, "照片")
    else:
        _write(photo, "照片")
    _write(c(1, 0), "民  族")
    _write(c(1, 1), person.ethnicity)
    _write(c(1, 2), "籍贯")
    _write(c(1, 3), person.native_place, 12)
    _write(c(1, 4), "出生地")
    _write(c(1, 5), person.birthplace, 12)
    _write(c(2, 0), "入  党\n时  间")
    _write(c(2, 1), p.party, 12)
    _write(c(2, 2), "参加工\n作时间")
    _write(c(2, 3), p.work_start, 12)
    _write(c(2, 4), "健康状况")
    _write(c(2, 5), person.health, 12)
    _write(c(3, 0), "专业技\n术职务")
    _write(c(3, 1).merge(c(3, 2)), person.professional_title, 12)
    _write(c(3, 3), "熟悉专业\n有何专长")
    _write(c(3, 4).merge(c(3, 5)), person.specialty, 12)
    _write(c(4, 0).merge(c(5, 0)), "学  历\n学  位")
    _write(c(4, 1), "全日制\n教  育")
    _write(c(4, 2).merge(c(4, 3)), "\n".join(v for v in (person.ft_level, person.ft_degree) if v), 12)
    _write(c(4, 4), "毕业院校\n系及专业")
    _write(c(4, 5).merge(c(4, 7)), "\n".join(v for v in (person.ft_school, person.ft_degree_school) if v), 12)
    _write(c(5, 1), "在  职\n教  育")
    _write(c(5, 2).merge(c(5, 3)), "\n".join(v for v in (person.pt_level, person.pt_degree) if v), 12)
    _write(c(5, 4), "毕业院校\n系及专业")
    _write(c(5, 5).merge(c(5, 7)), "\n".join(v for v in (person.pt_school, person.pt_degree_school) if v), 12)
    for row, label, value in (
        (6, "现任职务", person.current_post),
        (7, "拟任职务", person.proposed_post),
        (8, "拟免职务", person.removed_post),
    ):
        _write(c(row, 0), label)
        _write(c(row, 1).merge(c(row, 7)), value, 14, center=False)
    _write(c(9, 0), "简\n\n\n\n历")
    resume = c(9, 1).merge(c(9, 7))
    hang = Pt(6 * 18)  # the width of "yyyy.MM--yyyy.MM  " at 12 pt: wrapped lines sit under the text
    for i, line in enumerate(p.resume_lines or [""]):
        paragraph = resume.paragraphs[0] if i == 0 else resume.add_paragraph()
        paragraph.paragraph_format.left_indent = hang
        paragraph.paragraph_format.first_line_indent = -hang
        _font(paragraph.add_run(line), 12)
    for i in range(9):
        _row_height(t.rows[i], 1.35)
    _row_height(t.rows[9], 13.5)

    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # ---- page 2
    t2 = document.add_table(rows=3 + 1 + FAMILY_ROWS + 3, cols=6)
    _set_cell_borders(t2)
    widths2 = [2.2, 1.8, 2.2, 2.2, 2.4, 6.2]
    for row in t2.rows:
        for cell, width in zip(row.cells, widths2, strict=True):
            cell.width = Cm(width)
    d = t2.cell
    for row, label, value, height in (
        (0, "奖惩\n情况", p.rewards, 3.2),
        (1, "年度考\n核结果", person.assessments, 1.8),
        (2, "任免\n理由", person.reasons, 2.6),
    ):
        _write(d(row, 0), label)
        _write(d(row, 1).merge(d(row, 5)), value, 12, center=False)
        _row_height(t2.rows[row], height)
    first, last = 3, 3 + FAMILY_ROWS
    _write(d(first, 0).merge(d(last, 0)), "家\n庭\n主\n要\n成\n员\n及\n重\n要\n社\n会\n关\n系")
    for col, header in enumerate(("称谓", "姓  名", "出生年月", "政治面貌", "工作单位及职务"), start=1):
        _write(d(first, col), header, 12)
    for i, member in enumerate(p.family, start=first + 1):
        for col, value in enumerate(
            (member.relation, member.name, member.birth, member.political_status, member.work), start=1
        ):
            _write(d(i, col), value, 12, center=col < 5)
        _row_height(t2.rows[i], 0.9)
    for row, label, body in (
        (last + 1, "呈报\n单位", f"{person.reporting_unit}\n\n年    月    日"),
        (last + 2, "审批机\n关意见", "\n（盖章）\n年    月    日"),
        (last + 3, "行政机\n关任免\n意  见", "\n（盖章）\n年    月    日"),
    ):
        _write(d(row, 0), label)
        cell = d(row, 1).merge(d(row, 5))
        _write(cell, body, 12)
        for paragraph in cell.paragraphs[1:]:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _row_height(t2.rows[row], 2.6)
    filler = document.add_paragraph()
    _font(filler.add_run(f"填表人：{person.filled_by}"), 12)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------- one or many


def render(person: lrmx.Person, fmt: str, *, layout: str | None = None) -> bytes:
    if fmt == "lrmx":
        return lrmx.dump(person, layout=layout or lrmx.layout_setting())
    if fmt == "docx":
        return render_docx(person)
    if fmt == "pdf":
        return render_pdf(person)
    raise ValueError(fmt)


def file_name(person: lrmx.Person, fmt: str, *, number: int | None = None, on: date | None = None) -> str:
    return lrmx.file_name(person, on=on, number=number)[: -len(".lrmx")] + f".{fmt}"


def render_zip(persons: list[lrmx.Person], fmt: str, *, layout: str | None = None) -> bytes:
    """Several forms as a zip numbered `yyyy.MM.dd N.干部任免审批表 姓名.ext` (UTF-8 names)."""
    today = timezone.localdate()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, person in enumerate(persons, start=1):
            archive.writestr(file_name(person, fmt, number=number, on=today), render(person, fmt, layout=layout))
    return out.getvalue()


def zip_name(fmt: str) -> str:
    return f"{timezone.localdate():%Y.%m.%d} 干部任免审批表（{fmt}）.zip"


def frozen_lrmx(candidate, *, user=None) -> tuple[bytes, str]:
    """The candidate's form as it stands now (.lrmx, the setting's layout) and its SHA-256: what a
    stage app freezes into the record when the committee votes (`approval_form_sha256`)."""
    import hashlib

    data = lrmx.dump(person_for_candidate(candidate, user=user), layout=lrmx.layout_setting())
    return data, hashlib.sha256(data).hexdigest()
