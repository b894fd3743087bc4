"""Import 干部任免审批表 files (.lrmx, or a zip of them): a preview first, nothing written; then,
on the user's word, one transaction through the cadre services (cadre_create, cadre_update,
cadre_facts_replace: one delete and one bulk insert per kind of fact), so every open candidacy of
a changed cadre records it.

Hostile input is refused with a Chinese message before anything is written: over-size uploads,
zips whose entries add up to too much or compress suspiciously well (zip bombs), a non-zip with a
.zip name, XML with a DTD or entities (defusedxml), wrong encodings, a photo that is not an image.
"""

import hashlib
import io
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from . import citations, lrm_legacy, lrmx, roles, selectors, services
from .errors import Conflict, InvalidInput, NotAllowed
from .models import (
    ApprovalFormImport,
    ApprovalFormKept,
    Assessment,
    AssessmentGrade,
    Cadre,
    Education,
    EducationRecord,
    FamilyMember,
    Gender,
    ResumeEntry,
    RewardPunishment,
    Unit,
)

MAX_UPLOAD = 20 * 1024 * 1024  # one upload
MAX_TOTAL = 200 * 1024 * 1024  # a zip's entries, uncompressed, together
MAX_ENTRY = lrmx.MAX_FILE_BYTES  # one .lrmx
MAX_RATIO = 100  # uncompressed / compressed, for entries above RATIO_FROM
RATIO_FROM = 1024 * 1024
MAX_ENTRIES = 1000
MAX_PIXELS = 40_000_000
FORM_SUFFIXES = (".lrmx", ".lrm", ".pic")  # .lrm + .pic: the 2.0 form and its photo (cadre/lrm_legacy.py)
UTF8_FLAG = 0x800


def _refuse(message: str):
    raise InvalidInput({"file": [message]})


# ---------------------------------------------------------------------------- reading the upload


def _read_upload(upload) -> tuple[str, bytes]:
    if upload is None:
        _refuse("请选择要导入的文件（.lrmx 或 .zip）")
    name = upload.name or ""
    if (upload.size or 0) > MAX_UPLOAD:
        _refuse(f"文件过大：上传文件不能超过 {MAX_UPLOAD // 1024 // 1024} MB")
    chunks, size = [], 0
    for chunk in upload.chunks():
        size += len(chunk)
        if size > MAX_UPLOAD:
            _refuse(f"文件过大：上传文件不能超过 {MAX_UPLOAD // 1024 // 1024} MB")
        chunks.append(chunk)
    return name, b"".join(chunks)


def _entry_name(info: zipfile.ZipInfo) -> str:
    """Entry names made on Windows are GBK without the UTF-8 flag; zipfile read them as cp437."""
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _zip_entries(data: bytes) -> list[tuple[str, bytes]]:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        _refuse("文件扩展名为 .zip，但不是有效的 zip 压缩包")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidInput({"file": ["zip 压缩包已损坏，无法读取"]}) from exc
    if len(infos) > MAX_ENTRIES:
        _refuse(f"压缩包内文件过多（超过 {MAX_ENTRIES} 个）")
    if sum(i.file_size for i in infos) > MAX_TOTAL:
        _refuse(f"压缩包解压后超过 {MAX_TOTAL // 1024 // 1024} MB，拒绝导入")
    entries = []
    total = 0
    for info in infos:
        name = _entry_name(info)
        if name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1].startswith("."):
            continue
        if not name.lower().endswith(FORM_SUFFIXES):
            continue
        if info.file_size > MAX_ENTRY:
            _refuse(f"「{name}」解压后超过 {MAX_ENTRY // 1024 // 1024} MB，拒绝导入")
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            _refuse(f"「{name}」压缩比异常（疑似压缩炸弹），拒绝导入")
        if info.flag_bits & 0x1:
            _refuse(f"「{name}」已加密，无法读取")
        try:
            with archive.open(info) as handle:
                content = handle.read(MAX_ENTRY + 1)  # never more than the limit, whatever the header says
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            raise InvalidInput({"file": [f"「{name}」无法解压：压缩包已损坏"]}) from exc
        if len(content) > MAX_ENTRY:
            _refuse(f"「{name}」解压后超过 {MAX_ENTRY // 1024 // 1024} MB，拒绝导入")
        total += len(content)
        if total > MAX_TOTAL:
            _refuse(f"压缩包解压后超过 {MAX_TOTAL // 1024 // 1024} MB，拒绝导入")
        entries.append((name, content))
    if not any(entry.lower().endswith((".lrmx", ".lrm")) for entry, _content in entries):
        _refuse("压缩包中没有 .lrmx 或 .lrm 文件")
    return entries


def _check_photo(name: str, photo: bytes) -> None:
    if not photo:
        return
    from PIL import Image

    try:
        with Image.open(io.BytesIO(photo)) as image:
            if image.width * image.height > MAX_PIXELS:
                _refuse(f"「{name}」的照片尺寸过大")
            image.verify()
    except InvalidInput:
        raise
    except Exception as exc:  # Pillow raises many kinds for what is not an image
        raise InvalidInput({"file": [f"「{name}」的照片（ZhaoPian）不是有效的图片"]}) from exc


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0].lower()


def read_persons(name: str, data: bytes) -> list[tuple[str, lrmx.Person]]:
    """(entry name, Person) of every form in the upload; refuses the upload as a whole. A 2.0
    .lrm takes its photo from the .pic of the same stem (none when there is no .pic)."""
    lower = name.lower()
    if lower.endswith(".zip") or data[:4] == b"PK\x03\x04":
        entries = _zip_entries(data)
    elif lower.endswith((".lrmx", ".lrm")):
        entries = [(name, data)]
    elif lower.endswith(".pic"):
        _refuse("只有照片（.pic）：请同时选择同名的 .lrm 文件")
    else:
        _refuse("只能导入 .lrmx、.lrm（可附同名 .pic 照片）文件或由它们组成的 zip 压缩包")
    pictures = {_stem(entry): content for entry, content in entries if entry.lower().endswith(".pic")}
    persons = []
    for entry, content in entries:
        try:
            if entry.lower().endswith(".lrm"):
                person = lrm_legacy.load(content, pictures.get(_stem(entry), b""))
            elif entry.lower().endswith(".lrmx"):
                person = lrmx.load(content)
            else:
                continue
        except lrmx.LrmxError as exc:
            raise InvalidInput({"file": [f"「{entry}」：{exc}"]}) from exc
        _check_photo(entry, person.photo)
        persons.append((entry, person))
    return persons


def pack_uploads(uploads) -> tuple[str, bytes]:
    """Several uploaded files (an .lrm and its .pic, or a few forms) as one zip, so the upload
    is kept and read back as one file."""
    buffer = io.BytesIO()
    total = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for upload in uploads:
            entry, content = _read_upload(upload)
            total += len(content)
            if total > MAX_UPLOAD:
                _refuse(f"文件过大：上传文件合计不能超过 {MAX_UPLOAD // 1024 // 1024} MB")
            archive.writestr(entry.replace("\\", "/").rsplit("/", 1)[-1] or "form", content)  # UTF-8 flag set
    return "upload.zip", buffer.getvalue()


# ---------------------------------------------------------------------------- what a form means for a cadre

GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE}
GRADE_VALUES = {str(label): value for value, label in AssessmentGrade.choices}
GRADE_VALUES.update(
    {"优秀": "excellent", "称职": "competent", "基本称职": "basically_competent", "不称职": "incompetent"}
)
TEXT_FIELDS = {
    "ethnicity": "ethnicity",
    "native_place": "native_place",
    "birthplace": "birthplace",
    "health": "health",
    "professional_title": "professional_title",
    "specialty": "specialty",
    "id_number": "id_number",
}
MONTH_FIELDS = {"birth": "birth_date", "work_start": "work_start_date"}


def _education_value(levels: list[tuple[str, str]]) -> str | None:
    """The cadre's highest education (Cadre.education) from the form's 学历 and 学位."""
    best = None
    order = Education.values
    for level, degree in levels:
        text = f"{level}{degree}"
        if not text:
            continue
        if "博士" in text:
            value = Education.DOCTOR
        elif "研究生" in text or "硕士" in text:
            value = Education.MASTER
        elif "大学" in text or "本科" in text or "学士" in text:
            value = Education.BACHELOR
        elif "大专" in text or "专科" in text:
            value = Education.ASSOCIATE
        else:
            value = Education.SECONDARY
        if best is None or order.index(value) > order.index(best):
            best = value
    return best


def _reward_date(text: str, fallback: date) -> date:
    match = re.search(r"(\d{4})\s*[年.．\-/]\s*(\d{1,2})?", text)
    if match and 1900 <= int(match[1]) <= 2100 and 1 <= int(match[2] or 1) <= 12:
        return date(int(match[1]), int(match[2] or 1), 1)
    return fallback


@dataclass
class Plan:
    entry: str
    person: lrmx.Person
    cadre: Cadre | None
    fields: dict = field(default_factory=dict)  # cadre field -> new value
    changes: dict = field(default_factory=dict)  # field -> [old, new] (JSON)
    facts: dict = field(default_factory=dict)  # model -> (rows to add as dicts, ids to delete)
    kept: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.cadre is None:
            return "create"
        return "update" if self.changes else "none"


def _match(person: lrmx.Person, *, user, seen: dict) -> tuple[Cadre | None, list[str]]:
    """By ID number, then by name and birth month; ambiguity is an error."""
    visible = selectors.cadres_for_user(user=user)
    if person.id_number:
        found = list(visible.filter(id_number__iexact=person.id_number)[:2])
        if len(found) == 1:
            return found[0], []
        if len(found) > 1:
            return None, [f"身份证号 {person.id_number} 对应多名干部，请先在系统中核实"]
    born = lrmx.parse_month(person.birth)
    if person.plain_name and born:
        found = list(visible.filter(name=person.plain_name, birth_date__year=born[0], birth_date__month=born[1])[:2])
        if len(found) == 1:
            if person.id_number and found[0].id_number and found[0].id_number.upper() != person.id_number:
                return None, [f"同名同出生年月的干部身份证号不同（{found[0].id_number}），请核实"]
            return found[0], []
        if len(found) > 1:
            return None, [f"{person.plain_name}（{person.birth}）对应多名干部，请补充身份证号"]
    return None, []


def _resume_rows(person: lrmx.Person, plan: Plan) -> list[dict]:
    rows = []
    for number, item in enumerate(person.resume, start=1):
        starts = lrmx.month_date(item.starts)
        if starts is None:
            plan.warnings.append(f"简历第 {number} 条没有起始时间，未导入：{item.text[:30]}")
            continue
        description = item.text
        undated = [sub.text for sub in item.during if not sub.starts]
        if undated:
            description += "（其间：" + "；".join(undated) + "）"
        rows.append({"starts": starts, "ends": lrmx.month_date(item.ends), "description": description})
        for sub in item.during:
            if sub.starts:
                rows.append(
                    {
                        "starts": lrmx.month_date(sub.starts),
                        "ends": lrmx.month_date(sub.ends),
                        "description": lrmx.SUB_PREFIX + sub.text,
                    }
                )
    for row in rows:
        if len(row["description"]) > 300:
            plan.errors.append(f"简历“{row['description'][:20]}…”超过 300 字")
    return rows


def _fact_rows(person: lrmx.Person, plan: Plan) -> dict:
    today = timezone.localdate()
    filled = lrmx.month_date(person.filled_on[:6]) or today
    education = []
    for full_time, level, degree, school in (
        (True, person.ft_level, person.ft_degree, person.ft_school),
        (False, person.pt_level, person.pt_degree, person.pt_school),
    ):
        if level or degree or school:
            if not level:
                plan.errors.append(("全日制" if full_time else "在职") + "教育缺少学历")
            education.append({"full_time": full_time, "degree_level": level, "degree": degree, "school": school})
    assessments = []
    for year, grade in lrmx.parse_assessments(person.assessments):
        if grade not in GRADE_VALUES:
            plan.warnings.append(f"{year} 年度考核“{grade}”不是系统中的等次，未导入")
            continue
        assessments.append({"year": year, "grade": GRADE_VALUES[grade]})
    family = []
    for member in person.family:
        if not (member.relation or member.name):
            continue
        birth = lrmx.month_date(member.birth) if member.birth else None
        if member.birth and birth is None:
            plan.errors.append(f"家庭成员 {member.name} 的出生年月“{member.birth}”无法识别")
        family.append(
            {
                "relation": member.relation,
                "name": member.name,
                "birth_date": birth,
                "political_status": member.political_status,
                "work": member.work,
            }
        )
    return {
        EducationRecord: education,
        ResumeEntry: _resume_rows(person, plan),
        RewardPunishment: [{"on": _reward_date(text, filled), "text": text} for text in person.rewards],
        Assessment: assessments,
        FamilyMember: family,
    }


def _fact_text(model, row: dict) -> str:
    if model is ResumeEntry:
        ends = f"{row['ends']:%Y.%m}" if row["ends"] else "至今"
        return f"{row['starts']:%Y.%m}--{ends}  {row['description']}"
    if model is Assessment:
        return f"{row['year']}年：{AssessmentGrade(row['grade']).label}"
    if model is RewardPunishment:
        return row["text"]
    if model is FamilyMember:
        birth = f"{row['birth_date']:%Y.%m}" if row["birth_date"] else ""
        return " ".join(v for v in (row["relation"], row["name"], birth, row["political_status"], row["work"]) if v)
    return " ".join(
        v for v in ("全日制" if row["full_time"] else "在职", row["degree_level"], row["degree"], row["school"]) if v
    )


FACT_KEYS = {
    EducationRecord: "education_records",
    ResumeEntry: "resume",
    RewardPunishment: "rewards",
    Assessment: "assessments",
    FamilyMember: "family",
}


def _existing(model, cadre: Cadre) -> list[tuple[int, dict]]:
    _name, allowed = services.CADRE_FACTS[model]
    return [(row.pk, {f: getattr(row, f) for f in allowed}) for row in model.objects.filter(cadre=cadre).order_by("pk")]


def _same_key(model, values: dict):
    """What makes an existing row the file's row: dates to the month (the file has no days), a
    reward by its text (its date is read from the text when it has one)."""
    if model is RewardPunishment:
        return values["text"]
    return tuple(
        (name, date(value.year, value.month, 1) if isinstance(value, date) else value)
        for name, value in sorted(values.items())
    )


def _diff_facts(plan: Plan, rows_by_model: dict) -> None:
    """Per kind of fact the file has (an empty element is "unknown": nothing removed), the rows to
    add and the ids to delete; rows already there, to the month, stay."""
    for model, rows in rows_by_model.items():
        if not rows:
            continue
        old = _existing(model, plan.cadre) if plan.cadre else []
        remaining = list(old)
        add = []
        for row in rows:
            key = _same_key(model, row)
            match = next((i for i, (_pk, values) in enumerate(remaining) if _same_key(model, values) == key), None)
            if match is None:
                add.append(row)
            else:
                remaining.pop(match)
        delete = [pk for pk, _values in remaining]
        if add or delete:
            plan.facts[model] = (add, delete)
            plan.changes[FACT_KEYS[model]] = [
                [_fact_text(model, values) for _pk, values in old],
                [_fact_text(model, row) for row in rows],
            ]


def _kept(person: lrmx.Person, party_note: str) -> dict:
    values = {
        "version": person.version,
        "reporting_unit": person.reporting_unit,
        "pre_reform_age_limit": person.pre_reform_age_limit,
        "filled_by": person.filled_by,
        "current_post": person.current_post,
        "reasons": person.reasons,
        "party_note": party_note,
        "ft_degree_school": person.ft_degree_school if person.ft_degree_school != person.ft_school else "",
        "pt_degree_school": person.pt_degree_school if person.pt_degree_school != person.pt_school else "",
        "assessments": person.assessments if not lrmx.parse_assessments(person.assessments) else "",
        "unknown": [list(pair) for pair in person.unknown],
    }
    return {k: v for k, v in values.items() if v}


def _plain_value(value):
    return value.isoformat() if isinstance(value, date) else value


def plan_person(entry: str, person: lrmx.Person, *, user, unit: Unit | None, seen: dict) -> Plan:
    cadre, errors = _match(person, user=user, seen=seen)
    plan = Plan(entry=entry, person=person, cadre=cadre, errors=errors)
    if not person.plain_name:
        plan.errors.append("缺少姓名")
    key = person.id_number or f"{person.plain_name}/{person.birth}"
    if key in seen:
        plan.errors.append(f"与「{seen[key]}」是同一人，请只保留一份")
    seen[key] = entry
    target: dict = {"name": person.plain_name}
    if person.gender:
        if person.gender not in GENDERS:
            plan.errors.append(f"性别“{person.gender}”无法识别")
        else:
            target["gender"] = GENDERS[person.gender]
    for attr, name in MONTH_FIELDS.items():
        value = getattr(person, attr)
        if value:
            parsed = lrmx.month_date(value)
            if parsed is None:
                plan.errors.append(f"{Cadre._meta.get_field(name).verbose_name}“{value}”无法识别")
            else:
                target[name] = parsed
    party_match = re.match(r"^\s*(\d{6}|\d{4}\.\d{1,2})\s*[；;]?\s*(.*)$", person.party)
    party_note = person.party
    if party_match and lrmx.month_date(party_match[1]):
        target["party_date"] = lrmx.month_date(party_match[1])
        party_note = party_match[2]
    for attr, name in TEXT_FIELDS.items():
        value = getattr(person, attr)
        max_length = Cadre._meta.get_field(name).max_length
        if value and len(value) > max_length:
            plan.errors.append(f"{Cadre._meta.get_field(name).verbose_name}超过 {max_length} 字")
        if value:  # an empty element is "unknown" (../shared/LRMX.md), never a reason to blank a field
            target[name] = value
    education = _education_value([(person.ft_level, person.ft_degree), (person.pt_level, person.pt_degree)])
    if education:
        target["education"] = education
    if person.photo:
        target["photo"] = person.photo
    if cadre is None:
        for name, label in (
            ("gender", "性别"),
            ("birth_date", "出生年月"),
            ("work_start_date", "参加工作时间"),
            ("education", "学历"),
        ):
            if name not in target:
                plan.errors.append(f"新干部缺少{label}")
        if unit is None:
            plan.errors.append("该干部在系统中不存在：请选择新干部所在的单位")
        else:
            target["unit"] = unit
        plan.fields = target
        plan.changes = {
            name: [None, _plain_value(value) if name != "photo" else "（照片）"]
            for name, value in target.items()
            if name != "unit"
        }
    else:
        if not selectors.can_edit_cadre(user=user, cadre=cadre):
            plan.errors.append("该干部是正在进行的选任工作的人选，只有承办该选任工作的组工干部和管理员可以修改其信息")
        for name, value in target.items():
            old = getattr(cadre, name)
            if name in ("birth_date", "work_start_date", "party_date") and old and value:
                if (old.year, old.month) == (value.year, value.month):
                    continue
            if name == "photo":
                if _photo_bytes(cadre) != value:
                    plan.fields["photo"] = value
                    plan.changes["photo"] = ["（原照片）" if cadre.photo else None, "（新照片）"]
                continue
            if old != value:
                plan.fields[name] = value
                plan.changes[name] = [_plain_value(old), _plain_value(value)]
        if cadre.position_id and person.current_post and str(cadre.position) != person.current_post:
            plan.warnings.append(
                f"现任职务只能通过任职或职务变动变更，未按文件修改（文件为“{person.current_post}”，"
                f"系统为“{cadre.position}”）"
            )
    _diff_facts(plan, _fact_rows(person, plan))
    plan.kept = _kept(person, party_note)
    return plan


def _photo_bytes(cadre: Cadre) -> bytes:
    if not cadre.photo:
        return b""
    try:
        with cadre.photo.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        return b""


def _plans(*, actor, name: str, data: bytes, unit: Unit | None) -> list[Plan]:
    seen: dict = {}
    return [plan_person(entry, person, user=actor, unit=unit, seen=seen) for entry, person in read_persons(name, data)]


def _unit(unit_id) -> Unit | None:
    if unit_id in (None, ""):
        return None
    if not str(unit_id).isdigit():
        raise InvalidInput({"unit": ["单位编号必须是整数"]})
    unit = Unit.objects.filter(pk=int(unit_id)).first()
    if unit is None:
        raise InvalidInput({"unit": ["单位不存在"]})
    return unit


def _ensure_importer(actor) -> None:
    if not roles.can_write_cadres(actor):
        raise NotAllowed("只有组工干部和管理员可以导入干部任免审批表")


# ---------------------------------------------------------------------------- preview and apply


FACT_LABELS = {
    "resume": "简历",
    "family": "家庭主要成员及重要社会关系",
    "assessments": "年度考核结果",
    "rewards": "奖惩情况",
    "education_records": "学历学位",
}


def _label(name: str) -> str:
    if name in FACT_LABELS:
        return FACT_LABELS[name]
    return str(Cadre._meta.get_field(name).verbose_name)


def _shown(value) -> str:
    if isinstance(value, list):
        return "\n".join(value) or "（无）"
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def plan_summary(plan: Plan) -> dict:
    """One person of the preview; `shown` is for the page (labels in Chinese), the rest for the API."""
    return {
        "shown": [
            {"label": _label(name), "old": _shown(old), "new": _shown(new)} for name, (old, new) in plan.changes.items()
        ],
        "entry": plan.entry,
        "cadre": plan.cadre.pk if plan.cadre else None,
        "name": plan.person.plain_name,
        "action": plan.action,
        "changes": plan.changes,
        "errors": plan.errors,
        "warnings": plan.warnings,
    }


def import_preview(*, actor, upload, unit_id=None) -> dict:
    """Read the upload, say per person what would change; keep the file under a token. Nothing
    of the cadres is written."""
    _ensure_importer(actor)
    unit = _unit(unit_id)
    if isinstance(upload, (list, tuple)):
        uploads = [u for u in upload if u is not None]
        name, data = _read_upload(uploads[0] if uploads else None) if len(uploads) <= 1 else pack_uploads(uploads)
    else:
        name, data = _read_upload(upload)
    plans = _plans(actor=actor, name=name, data=data, unit=unit)
    token = secrets.token_urlsafe(24)
    ApprovalFormImport.objects.create(token=token, file_name=name[:255], data=data, unit=unit, created_by=actor)
    return {
        "token": token,
        "file_name": name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "rows": [plan_summary(plan) for plan in plans],
        "ok": not any(plan.errors for plan in plans),
    }


def preview_json(result: dict) -> dict:
    rows = [{k: v for k, v in row.items() if k != "shown"} for row in result["rows"]]
    return {"preview": rows, "token": result["token"], "ok": result["ok"]}


@transaction.atomic
def import_apply(*, actor, token: str) -> dict:
    """Apply a previewed upload in one transaction through the cadre services; any error → nothing."""
    _ensure_importer(actor)
    upload = ApprovalFormImport.objects.select_for_update().filter(token=str(token)[:64], created_by=actor).first()
    if upload is None:
        raise InvalidInput({"token": ["导入不存在或已过期，请重新上传"]})
    if upload.applied_at is not None:
        # A once-only fact that exists (一事一记): the procedure's 409 S1, not bad input.
        raise Conflict("该文件已导入，不能重复导入", rule="S1", source=citations.source_for("S1"), field="token")
    plans = _plans(actor=actor, name=upload.file_name, data=bytes(upload.data), unit=upload.unit)
    errors = [f"{plan.entry}（{plan.person.plain_name}）：{e}" for plan in plans for e in plan.errors]
    if errors:
        raise InvalidInput({"file": errors})
    created, updated = [], []
    for plan in plans:
        cadre = _apply_one(actor, plan)
        if plan.cadre is None:
            created.append(cadre.pk)
        elif plan.changes:
            updated.append(cadre.pk)
    upload.applied_at = timezone.now()
    upload.result = {"created": created, "updated": updated}
    upload.save(update_fields=["applied_at", "result"])
    return {"created": created, "updated": updated}


def _photo_file(data: bytes) -> ContentFile:
    return ContentFile(data, name=f"lrmx-{hashlib.sha256(data).hexdigest()[:16]}.jpg")


def _apply_one(actor, plan: Plan) -> Cadre:
    fields = dict(plan.fields)
    photo = fields.pop("photo", None)
    if plan.cadre is None:
        cadre = services.cadre_create(actor=actor, **fields)
        if photo:
            cadre = services.cadre_update(actor=actor, cadre=cadre, photo=_photo_file(photo))
    else:
        cadre = plan.cadre
        if photo:
            fields["photo"] = _photo_file(photo)
        if fields:
            cadre = services.cadre_update(actor=actor, cadre=cadre, **fields)
    for model, (add, delete) in plan.facts.items():  # one delete + one bulk insert per kind
        services.cadre_facts_replace(actor=actor, cadre=cadre, model=model, rows=add, delete=delete)
    ApprovalFormKept.objects.update_or_create(cadre=cadre, defaults={"values": plan.kept})
    return cadre
