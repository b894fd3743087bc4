"""干部名册 in Excel: the template, reading a roster into a preview, applying it, and lists as .xlsx.

Reading is openpyxl with our own per-cell parsers rather than django-import-export: its import saves
model rows itself, and every change of a cadre must go through `cadre.services` (cadre_create,
cadre_update), which write the candidates' record entries (S1). The preview reports each bad cell as
(row, column, reason) in Chinese; nothing is written until the user applies it, and then in one
transaction, all rows or — when the user chose to skip them — all valid rows.
"""

import io
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from . import services, xlsx
from .errors import InvalidInput
from .models import Cadre, Education, Gender, Unit

MAX_BYTES = 10 * 1024 * 1024  # a county's whole roster is well under 1 MB
MAX_ROWS = 10_000


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    kind: str = "text"  # text, date, gender, education, unit, id_number
    max_length: int = 200
    example: str = ""


COLUMNS = (
    Column("姓名", "name", True, max_length=50, example="张三"),
    Column("性别", "gender", True, "gender", example="男"),
    Column("民族", "ethnicity", max_length=20, example="汉族"),
    Column("出生年月", "birth_date", True, "date", example="1980.05"),
    Column("身份证号", "id_number", kind="id_number", example=""),
    Column("籍贯", "native_place", max_length=100, example="某某县"),
    Column("出生地", "birthplace", max_length=100, example="某某县"),
    Column("成长地", "hometown", max_length=100, example="某某县"),
    Column("学历", "education", True, "education", example="大学本科"),
    Column("入党时间", "party_date", kind="date", example="2003.07"),
    Column("参加工作时间", "work_start_date", True, "date", example="2002.08"),
    Column("单位", "unit", True, "unit", example=""),
    Column("健康状况", "health", max_length=50, example="健康"),
    Column("专业技术职务", "professional_title", max_length=100),
    Column("熟悉专业有何专长", "specialty", max_length=200),
)
BY_HEADER = {c.header: c for c in COLUMNS}
DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})[.\-/年](?P<m>\d{1,2})(?:[.\-/月](?P<d>\d{1,2})日?)?月?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?$"),
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


class BadFile(InvalidInput):
    def __init__(self, message: str):
        super().__init__({"file": [message]})


# ---------------------------------------------------------------------------- cells


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value) -> date:
    """A date as rosters write it: a date cell, 1980.05, 1980.5.12, 1980-05, 1980/05/12, 198005, 1980年5月."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace(" ", "")
    for pattern in DATE_PATTERNS:
        found = pattern.match(text)
        if found:
            try:
                return date(int(found["y"]), int(found["m"]), int(found["d"] or 1))
            except ValueError:
                raise ValueError(f"“{text}”不是有效日期") from None
    raise ValueError("日期格式应为“1980.05”或“1980-05-12”")


def id_number_ok(text: str) -> bool:
    """GB 11643: 17 digits and a check character."""
    if not re.fullmatch(r"\d{17}[\dX]", text):
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == text[17]


def _cell(column: Column, raw, units: dict[str, Unit]):
    """The field's value, or raises ValueError with the reason in Chinese."""
    if column.kind == "date":
        return parse_date(raw)
    text = _text(raw)
    if column.kind == "gender":
        found = {str(g.label): g.value for g in Gender}.get(text)
        if found is None:
            raise ValueError("应填写“男”或“女”")
        return found
    if column.kind == "education":
        found = {str(e.label): e.value for e in Education}.get(text)
        if found is None:
            raise ValueError("应为：" + "、".join(str(e.label) for e in Education))
        return found
    if column.kind == "unit":
        if text not in units:
            raise ValueError(f"没有名为“{text}”的单位，请先在系统中建立该单位")
        return units[text]
    if column.kind == "id_number":
        text = text.upper()
        if not id_number_ok(text):
            raise ValueError("身份证号应为 18 位且校验位正确")
        return text
    if len(text) > column.max_length:
        raise ValueError(f"不能超过 {column.max_length} 个字")
    return text


# ---------------------------------------------------------------------------- reading


@dataclass
class Row:
    number: int  # the row number in the sheet, as Excel shows it
    fields: dict = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, reason)
    cadre: Cadre | None = None
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)  # header -> (old, new), as shown

    @property
    def action(self) -> str:
        if self.errors:
            return "error"
        if self.cadre is None:
            return "create"
        return "update" if self.changes else "same"


def _rows(data: bytes):
    if len(data) > MAX_BYTES:
        raise BadFile(f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请分批导入")
    xlsx.check_upload(data, max_bytes=MAX_BYTES)  # not a zip, or one that unzips to far too much
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise BadFile("无法读取该 Excel 文件，请用模板重新填写") from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    missing = [c.header for c in COLUMNS if c.required and c.header not in header]
    if missing:
        raise BadFile("第 1 行缺少必填列：" + "、".join(missing) + "（请使用下载的模板）")
    positions = {h: i for i, h in enumerate(header) if h in BY_HEADER}
    for number, values in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            raise BadFile(f"一次最多导入 {MAX_ROWS} 行")
        cells = {h: values[i] if i < len(values) else None for h, i in positions.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue  # blank lines between blocks are common in hand-kept rosters
        yield number, cells
    book.close()


def _shown(column: Column, value) -> str:
    if value is None or value == "":
        return ""
    if column.kind == "date":
        return value.strftime("%Y.%m.%d")
    if column.kind == "gender":
        return str(Gender(value).label)
    if column.kind == "education":
        return str(Education(value).label)
    if column.kind == "unit":
        return value.name
    return str(value)


def read(data: bytes) -> list[Row]:
    """Every row of the roster, checked and matched; writes nothing."""
    units = {u.name: u for u in Unit.objects.all()}
    parsed: list[Row] = []
    for number, cells in _rows(data):
        row = Row(number=number)
        for header, raw in cells.items():
            column = BY_HEADER[header]
            if _text(raw) == "" and not isinstance(raw, date):
                if column.required:
                    row.errors.append((header, "必填"))
                continue
            try:
                row.fields[column.field] = _cell(column, raw, units)
            except ValueError as exc:
                row.errors.append((header, str(exc)))
        id_number, birth = row.fields.get("id_number"), row.fields.get("birth_date")
        if id_number and birth and id_number[6:12] != birth.strftime("%Y%m"):
            row.errors.append(("身份证号", "身份证号中的出生年月与“出生年月”列不一致"))
        dates = {k: row.fields[k] for k in services.CADRE_DATE_FIELDS if k in row.fields}
        for name, messages in services.cadre_errors(dates).items():
            header = next(c.header for c in COLUMNS if c.field == name)
            row.errors += [(header, str(m)) for m in messages]
        parsed.append(row)
    _match(parsed)
    return parsed


def _match(rows: list[Row]) -> None:
    """An existing cadre by ID number, else by name + birth month; the same person twice in the file is an error."""
    ids = [r.fields["id_number"] for r in rows if r.fields.get("id_number")]
    by_id = {c.id_number: c for c in Cadre.objects.filter(id_number__in=ids).select_related("unit")}
    names = {r.fields["name"] for r in rows if r.fields.get("name")}
    by_name: dict[tuple, list[Cadre]] = {}
    for cadre in Cadre.objects.filter(name__in=names).select_related("unit"):
        by_name.setdefault((cadre.name, cadre.birth_date.year, cadre.birth_date.month), []).append(cadre)
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.errors:
            continue
        person = (row.fields["name"], row.fields["birth_date"].year, row.fields["birth_date"].month)
        key = ("id", row.fields["id_number"]) if row.fields.get("id_number") else ("name", *person)
        if key in seen:
            row.errors.append(("姓名", f"与第 {seen[key]} 行是同一人"))
            continue
        seen[key] = row.number
        cadre = by_id.get(row.fields.get("id_number") or "")
        if cadre is None:
            same = by_name.get(person, [])
            if len(same) > 1:
                row.errors.append(("身份证号", "系统中有多名同名且出生年月相同的干部，请填写身份证号以区分"))
                continue
            cadre = same[0] if same and not (row.fields.get("id_number") and same[0].id_number) else None
        row.cadre = cadre
        if cadre is not None:
            for column in COLUMNS:
                if column.field not in row.fields:
                    continue
                old, new = getattr(cadre, column.field), row.fields[column.field]
                if old != new:
                    row.changes[column.header] = (_shown(column, old), _shown(column, new))


# ---------------------------------------------------------------------------- preview and apply


def preview_save(*, actor: User, data: bytes) -> tuple[str, list[Row]]:
    """Checks the upload and keeps it under a token for `apply`; nothing else is written."""
    rows = read(data)
    if not rows:
        raise BadFile("表中没有数据行")
    token = secrets.token_urlsafe(16)
    default_storage.save(_stored(actor, token), ContentFile(data))
    return token, rows


def _stored(actor: User, token: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{10,40}", token or ""):
        raise InvalidInput({"token": ["导入预览已失效，请重新上传"]})
    return f"roster_imports/{actor.pk}-{token}.xlsx"


def preview_exists(*, actor: User, token: str) -> bool:
    try:
        return default_storage.exists(_stored(actor, token))
    except InvalidInput:
        return False


def preview_load(*, actor: User, token: str) -> list[Row]:
    name = _stored(actor, token)
    if not default_storage.exists(name):
        raise InvalidInput({"token": ["导入预览已失效，请重新上传"]})
    with default_storage.open(name, "rb") as stored:
        return read(stored.read())


def apply(*, actor: User, token: str, skip_bad: bool = False) -> dict:
    """Writes the previewed roster in one transaction, through the cadre services: every row, or with
    `skip_bad` every valid row. Returns {"created", "updated", "skipped"}."""
    services.ensure_cadre_writer(actor)
    name = _stored(actor, token)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()  # one apply at a time per user
        rows = preview_load(actor=actor, token=token)  # read again: the database may have changed
        bad = [r for r in rows if r.errors]
        if bad and not skip_bad:
            raise InvalidInput({"file": [f"有 {len(bad)} 行有错误：请修改后重新上传，或选择跳过有错误的行"]})
        created = updated = 0
        for row in rows:
            if row.errors:
                continue
            fields = dict(row.fields)
            if row.cadre is None:
                services.cadre_create(actor=actor, **fields)
                created += 1
            elif row.changes:
                changed = {k: v for k, v in fields.items() if getattr(row.cadre, k) != v}
                services.cadre_update(actor=actor, cadre=row.cadre, **changed)
                updated += 1
        transaction.on_commit(lambda: default_storage.delete(name))
    return {"created": created, "updated": updated, "skipped": len(bad)}


# ---------------------------------------------------------------------------- writing .xlsx


def workbook(title: str, headers: list[str], rows) -> bytes:
    """One sheet through the shared writer (cadre/xlsx.py): bold Chinese headers, dates as dates."""
    return xlsx.workbook_bytes([xlsx.Sheet(title, headers, rows)])


def template() -> bytes:
    """The roster template: the headers (required ones marked in the example row's note) and one example."""
    example = [c.example for c in COLUMNS]
    return workbook("干部名册", [c.header for c in COLUMNS], [example])


def cadre_rows(cadres) -> list[list]:
    """The roster of these cadres, in the template's columns (so an export can be edited and imported back)."""
    return [
        [
            _shown(column, getattr(cadre, column.field)) if column.kind != "date" else getattr(cadre, column.field)
            for column in COLUMNS
        ]
        for cadre in cadres
    ]
