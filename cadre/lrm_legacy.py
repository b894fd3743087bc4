"""The 2.0 任免审批表 file (.lrm, with its photo in a .pic of the same stem), read into the same
`cadre.lrmx.Person` that `lrmx.load` gives, so the import's preview and apply are unchanged.

../shared/LRMX.md: a GBK text file, quoted fields separated by `","`, sub-fields by `@` / `#`.
The layout read here:
- the fields are the 3.x elements of the .lrmx in their documented order, XingMing … ShenFenZheng
  (32 fields; the photo is the .pic, not a field); an optional 33rd field is the Version;
- 简历 and 奖惩情况 lines are joined by CRLF (or `@`, as some 2.0 files do);
- 家庭成员: members separated by `@`, a member's 称谓#姓名#出生年月#政治面貌#工作单位及职务 by `#`.
The .pic is the photo's bytes (a JPEG, or any image Pillow verifies); the caller checks it.
"""

import re

from . import lrmx

MAX_FILE_BYTES = 2 * 1024 * 1024  # a 2.0 form is a few KB of text
MAX_PIC_BYTES = 5 * 1024 * 1024
FIELDS = [attr for tag, attr in lrmx.ELEMENTS if tag not in lrmx.NEW_ONLY and attr not in ("photo", "version")]


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise lrmx.LrmxError("文件内容不是有效的文本（编码有误）") from exc
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise lrmx.LrmxError("文件内容不是有效的 GBK 文本，请用任免审批表软件重新导出") from exc


def split_fields(text: str) -> list[str]:
    body = text.strip().lstrip("\ufeff")
    if len(body) < 2 or not body.startswith('"') or not body.endswith('"'):
        raise lrmx.LrmxError('文件不是 .lrm 任免审批表（字段应以英文双引号括起、以 "," 分隔）')
    return body[1:-1].split('","')


def _lines(text: str) -> list[str]:
    return [line.strip() for line in re.split(r"\r\n|\r|\n|@", text) if line.strip()]


def _member(text: str) -> lrmx.Member:
    parts = (text.split("#") + [""] * 5)[:5]
    relation, name, birth, status, work = (p.strip() for p in parts)
    return lrmx.Member(
        relation=relation,
        name=lrmx.plain_name(name),
        birth=lrmx.normal_month(birth),
        political_status=status,
        work=work,
    )


def load(data: bytes, photo: bytes = b"") -> lrmx.Person:
    """A Person from .lrm bytes (and the .pic's); a Chinese LrmxError for what cannot be read."""
    if len(data) > MAX_FILE_BYTES:
        raise lrmx.LrmxError(f"文件过大（.lrm 文件不能超过 {MAX_FILE_BYTES // 1024 // 1024} MB）")
    if len(photo) > MAX_PIC_BYTES:
        raise lrmx.LrmxError(f"照片文件过大（.pic 不能超过 {MAX_PIC_BYTES // 1024 // 1024} MB）")
    if b"\x00" in data:
        raise lrmx.LrmxError("文件不是 .lrm 任免审批表（含有二进制内容）")
    values = split_fields(_decode(data))
    if len(values) < len(FIELDS):
        raise lrmx.LrmxError(f"文件不是完整的 .lrm 任免审批表（应有 {len(FIELDS)} 个字段，只有 {len(values)} 个）")
    person = lrmx.Person()
    for attr, value in zip(FIELDS, values, strict=False):
        if attr == "resume":
            person.resume = lrmx.parse_resume("\r\n".join(_lines(value)))
        elif attr == "rewards":
            lines = _lines(value)
            person.rewards = [] if lines in ([], [lrmx.NONE], ["无。"]) else lines
        elif attr == "family":
            person.family = [_member(item) for item in value.split("@") if item.strip("# \r\n")]
        elif attr in ("birth", "work_start"):
            setattr(person, attr, lrmx.normal_month(value))
        elif attr == "name":
            person.name = lrmx.plain_name(value)
        elif attr == "id_number":
            person.id_number = re.sub(r"\s+", "", value).upper()
        else:
            setattr(person, attr, value.strip())
    extra = values[len(FIELDS) :]
    if extra and re.fullmatch(r"\d+(\.\d+)+", extra[0].strip()):
        person.version = extra[0].strip()
    person.photo = photo
    return person
