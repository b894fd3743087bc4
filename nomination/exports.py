"""民主推荐 in Excel: the confirmed tallies as .xlsx, the tally template, and reading a filled template.

Only confirmed meetings are exported: a first entry awaiting its second, blind entry never leaves the
page it was typed on. The template lists the ballot's cadres in the ballot's fixed order (never in a
first entry's ranking) with empty vote cells; `read_tally` turns a filled one into the arguments of
`services.recommendation_enter` / `recommendation_confirm`, each bad cell named by row and column.
"""

from dataclasses import dataclass, field

from cadre import xlsx
from cadre.errors import InvalidInput
from cadre.people import person_name

from . import selectors

ENTITLED, PRESENT = "应参加人数", "实参加人数"
HEADERS = ["编号", "姓名", "单位", "得票数"]
ID_COL, NAME_COL, VOTES_COL = 0, 1, 3


def tally_sheets(selection) -> list[xlsx.Sheet]:
    rows = []
    for table in selectors.meeting_tables(selection=selection):
        m = table["meeting"]
        if not m.confirmed:
            continue
        for row in table["rows"]:
            r = row.result
            rows.append(
                [
                    m.unit.name,
                    str(m.get_kind_display()),
                    m.held_on,
                    m.entitled,
                    m.present,
                    r.rank,
                    r.cadre.name,
                    r.votes,
                    float(row.share),
                    "有效" if row.valid else "已过期",
                    "过半" if row.majority else "未过半",
                    "是" if row.own_unit else "否",
                    person_name(m.entered_by),
                    person_name(m.confirmed_by),
                ]
            )
    headers = [
        "推荐单位",
        "推荐方式",
        "推荐日期",
        "应参加人数",
        "实参加人数",
        "名次",
        "干部",
        "得票",
        "得票率",
        "R2 有效期",
        "R3 过半数",
        "本单位",
        "录入人",
        "核对确认人",
    ]
    caption = f"{selection.title}：已确认的民主推荐结果（两人录入核对一致）"
    return [xlsx.Sheet("民主推荐结果", headers, rows, caption=caption, percent={8})]


def template_sheets(cadres, *, title: str) -> list[xlsx.Sheet]:
    """应参加/实参加 on top, then one row per cadre of the ballot with an empty 得票数 cell."""
    return [
        xlsx.Sheet(
            "推荐票数",
            ["项目", "人数"],
            [[ENTITLED, None], [PRESENT, None]],
            caption=f"{title}：请对照纸质选票填写人数和得票数，不要改动编号、姓名和行的顺序",
            more=[(HEADERS, [[c.pk, c.name, c.unit.name if c.unit_id else "", None] for c in cadres])],
        )
    ]


@dataclass
class Tally:
    entitled: int | None = None
    present: int | None = None
    votes: dict[int, int] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)  # service field → "第 n 行“列”"
    errors: list[str] = field(default_factory=list)


def _at(row: int, column: str) -> str:
    return f"第 {row} 行“{column}”"


def read_tally(data: bytes, *, cadres, blank_means_absent: bool) -> Tally:
    """The numbers of a filled template. Every problem is collected; any problem raises one InvalidInput
    under "file" listing them (row, column, reason) — the caller writes nothing then.

    `cadres`: the ballot's cadres, each of which must have its row (a deleted or foreign row is an
    error). A blank 得票数 means "not on this ballot" when `blank_means_absent` (the first entry, as
    the typed form), else it is an error (the second entry re-enters every number of the first)."""
    rows = xlsx.read_rows(data)
    tally = Tally()
    expected = {c.pk: c for c in cadres}
    seen: dict[int, int] = {}
    header_at = None
    for number, values in enumerate(rows, start=1):
        cells = [xlsx.cell_text(v) for v in values]
        label = cells[0] if cells else ""
        if header_at is None and label in (ENTITLED, PRESENT):
            key = "entitled" if label == ENTITLED else "present"
            raw = values[1] if len(values) > 1 else None
            try:
                setattr(tally, key, xlsx.cell_count(raw))
            except ValueError as exc:
                tally.errors.append(f"{_at(number, label)}：{exc}")
            tally.where[key] = _at(number, label)
            continue
        if header_at is None:
            if cells[: len(HEADERS)] == HEADERS:
                header_at = number
            continue
        if not any(cells):
            continue
        _read_cadre_row(tally, number, values, cells, expected, seen, blank_means_absent)
    if header_at is None:
        raise InvalidInput({"file": ["找不到“编号、姓名、单位、得票数”表头，请使用下载的模板填写"]})
    for key, label in (("entitled", ENTITLED), ("present", PRESENT)):
        if key not in tally.where:
            tally.errors.append(f"缺少“{label}”一行，请使用下载的模板填写")
    for pk, cadre in expected.items():
        if pk not in seen:
            tally.errors.append(f"缺少{cadre.name}（编号 {pk}）的一行：选票上的每名人选都应有一行")
    if tally.present is not None:
        for pk, count in tally.votes.items():
            if count > tally.present:
                tally.errors.append(
                    f"{tally.where[f'votes_{pk}']}：得票数（{count}）不能多于实参加人数（{tally.present}）"
                )
    if tally.errors:
        raise InvalidInput({"file": tally.errors})
    return tally


def _read_cadre_row(tally, number, values, cells, expected, seen, blank_means_absent) -> None:
    try:
        pk = int(cells[ID_COL])
    except ValueError:
        tally.errors.append(f"{_at(number, '编号')}：“{cells[ID_COL][:20]}”不是选票上的人选编号")
        return
    cadre = expected.get(pk)
    if cadre is None:
        tally.errors.append(f"{_at(number, '编号')}：编号 {pk} 不是本次选票上的人选")
        return
    if pk in seen:
        tally.errors.append(f"{_at(number, '编号')}：与第 {seen[pk]} 行是同一人选")
        return
    seen[pk] = number
    name = cells[NAME_COL] if len(cells) > NAME_COL else ""
    if name != cadre.name:
        tally.errors.append(f"{_at(number, '姓名')}：编号 {pk} 是{cadre.name}，表中写的是“{name[:20]}”")
        return
    raw = values[VOTES_COL] if len(values) > VOTES_COL else None
    if xlsx.cell_text(raw) == "" and blank_means_absent:
        return  # not on this ballot, as a blank box in the typed form
    try:
        tally.votes[pk] = xlsx.cell_count(raw)
    except ValueError as exc:
        tally.errors.append(f"{_at(number, '得票数')}：{exc}")
        return
    tally.where[f"votes_{pk}"] = _at(number, "得票数")


def located(exc, tally: Tally):
    """The service's errors about the sheet's numbers as messages naming the cells they came from;
    errors about the form's own fields (unit, kind, date) stay on those fields."""
    errors: dict[str, list[str]] = {}
    for key, texts in exc.errors.items():
        where = tally.where.get(key)
        sheet = where or key in ("entitled", "present", "__all__") or key.startswith("votes_")
        target = errors.setdefault("file" if sheet else key, [])
        target += [f"{where}：{t}" if where else str(t) for t in texts]
    return type(exc)(errors)  # an EntryMismatch stays one
