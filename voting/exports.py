"""The decision stage's lists as .xlsx (cadre/xlsx.py): a meeting's results, a closed ballot's tally.

Only counted numbers leave the system: a paper result waiting for its second entry is shown as 待核对
with no numbers, since the second clerk must type blind (the same as the meeting page).
"""

from dataclasses import dataclass, field

from django.http import Http404
from django.utils import timezone

from cadre import xlsx
from cadre.errors import InvalidInput
from cadre.thresholds import snapshot

from . import selectors, ui
from .models import BallotSession, DecisionMeeting

PASSED = {True: "通过", False: "未通过"}


def _fraction(parts: str) -> float | None:
    """'3/4' (the tally's exact share) as 0.75 for a percent cell."""
    try:
        part, whole = (int(x) for x in str(parts).split("/"))
    except ValueError:
        return None
    return part / whole if whole else None


def meeting_sheets(meeting: DecisionMeeting) -> list[xlsx.Sheet]:
    """One row per agenda item: 同意 / 不同意 / 弃权 / 回避 and passed (V3) once counted."""
    thresholds = snapshot()
    results = {r.candidate_id: r for r in meeting.results.all()}
    entries = {e.candidate_id for e in meeting.entries.all()}
    rows = []
    for item in meeting.agenda.all():
        candidate, result = item.candidate, results.get(item.candidate_id)
        head = [candidate.cadre.name, str(candidate.position)]
        if result is None:
            state = "待核对" if item.candidate_id in entries else ("待录入" if meeting.is_open else "未开会")
            rows.append([*head, None, None, None, None, state, ""])
            continue
        tally = selectors.tally(result, thresholds)
        how = "纸质计票，两人录入核对一致" if result.confirmed_by_id else "网上无记名投票"
        rows.append(
            [*head, result.approve, result.disapprove, result.abstain, result.recused, PASSED[tally.passed], how]
        )
    present = f"实到会 {meeting.present} 人" if meeting.is_open else "尚未开会"
    caption = f"{meeting.title}（{meeting.held_on:%Y-%m-%d}）：应到会 {meeting.entitled} 人，{present}"
    headers = ["人选", "拟任职务", "同意", "不同意", "弃权", "回避", "结果", "计票方式"]
    return [xlsx.Sheet("票决结果", headers, rows, caption=caption)]


def meeting_filename(meeting: DecisionMeeting) -> str:
    return f"{meeting.title}-票决结果-{meeting.held_on:%Y%m%d}.xlsx"


def ballot_sheets(session: BallotSession) -> list[xlsx.Sheet]:
    """The tally announced at closing, in the page's columns; 404 before the session is counted."""
    rows_in = ui.tally_rows(session)
    if session.status != BallotSession.Status.CLOSED or not rows_in:
        raise Http404("本次投票尚未计票")
    result = session.result
    closed = timezone.localtime(session.closed_at).strftime("%Y-%m-%d %H:%M") if session.closed_at else ""
    caption = f"{session.title}（{closed} 计票）：收回选票 {result.get('ballots', 0)} 张"
    if session.kind == BallotSession.Kind.DECISION:
        caption += f"，应到会 {result.get('entitled', 0)} 人，实到会 {result.get('present', 0)} 人"
        headers = ["人选", "拟任职务", "同意", "不同意", "弃权", "回避", "结果"]
        rows = [
            [
                r["candidate_name"],
                r["position_name"],
                r["approve"],
                r["disapprove"],
                r["abstain"],
                r["recused"],
                PASSED[r["passed"]],
            ]
            for r in rows_in
        ]
        return [xlsx.Sheet("计票结果", headers, rows, caption=caption)]
    if session.kind == BallotSession.Kind.RECOMMENDATION:
        headers = ["职位", "可推荐人数", "名次", "干部", "得票", "得票率", "过半数"]
        rows = [
            [
                r["position_name"],
                r["vacancies"],
                c["rank"],
                c["name"],
                c["votes"],
                _fraction(c["share"]),
                "是" if c["passed"] else "否",
            ]
            for r in rows_in
            for c in r["cadres"]
        ]
        return [xlsx.Sheet("计票结果", headers, rows, caption=caption, percent={5})]
    headers = ["干部", "优秀", "称职", "基本称职", "不称职", "合计", "结果"]
    rows = [
        [
            r["cadre_name"],
            r["excellent"],
            r["competent"],
            r["basically_competent"],
            r["incompetent"],
            r["total"],
            "符合" if r["passed"] else "不符合",
        ]
        for r in rows_in
    ]
    return [xlsx.Sheet("计票结果", headers, rows, caption=caption)]


def ballot_filename(session: BallotSession) -> str:
    return f"{session.title}-计票结果.xlsx"


# ---------------------------------------------------------------------------- 民主测评 on paper: template and reading

BALLOTS = "收回测评票数"
EVALUATION_HEADERS = ["编号", "姓名", "单位", "优秀", "称职", "基本称职", "不称职"]
GRADES = ("excellent", "competent", "basically_competent", "incompetent")


def evaluation_template_sheets(cadres, *, title: str) -> list[xlsx.Sheet]:
    """收回测评票数 on top, then one row per cadre with four empty cells (no numbers of anyone's entry)."""
    return [
        xlsx.Sheet(
            "测评票数",
            ["项目", "票数"],
            [[BALLOTS, None]],
            caption=f"{title}：请对照纸质测评票填写，不要改动编号、姓名",
            more=[
                (
                    EVALUATION_HEADERS,
                    [[c.pk, c.name, c.unit.name if c.unit_id else "", None, None, None, None] for c in cadres],
                )
            ],
        )
    ]


@dataclass
class EvaluationTally:
    ballots: int | None = None
    rows: dict[int, dict[str, int]] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _at(row: int, column: str) -> str:
    return f"第 {row} 行“{column}”"


def read_evaluation(data: bytes, *, cadres_by_pk, expected=None) -> EvaluationTally:
    """The numbers of a filled evaluation template; any problem → one InvalidInput under "file" listing
    each (row, column, reason). `cadres_by_pk(ids)` → {pk: Cadre} of those the clerk may rate.
    `expected` (second entry): the first entry's cadres — each must have its row, all four filled;
    first entry: a row left wholly blank is a cadre not rated on this sheet."""
    tally, seen, header_at, raw_rows = EvaluationTally(), {}, None, []
    for number, values in enumerate(xlsx.read_rows(data), start=1):
        cells = [xlsx.cell_text(v) for v in values]
        if header_at is None and cells and cells[0] == BALLOTS:
            try:
                tally.ballots = xlsx.cell_count(values[1] if len(values) > 1 else None)
            except ValueError as exc:
                tally.errors.append(f"{_at(number, BALLOTS)}：{exc}")
            tally.where["ballots"] = _at(number, BALLOTS)
        elif header_at is None:
            if cells[: len(EVALUATION_HEADERS)] == EVALUATION_HEADERS:
                header_at = number
        elif any(cells):
            raw_rows.append((number, values, cells))
    if header_at is None:
        raise InvalidInput(
            {"file": ["找不到“编号、姓名、单位、优秀、称职、基本称职、不称职”表头，请使用下载的模板填写"]}
        )
    if "ballots" not in tally.where:
        tally.errors.append(f"缺少“{BALLOTS}”一行，请使用下载的模板填写")
    ids = [int(c[0]) for _, _, c in raw_rows if c[0].isdigit() and len(c[0]) < 12]
    known = expected if expected is not None else cadres_by_pk(ids)
    for number, values, cells in raw_rows:
        _evaluation_row(tally, number, values, cells, known, seen, blank_allowed=expected is None)
    for pk, cadre in (expected or {}).items():
        if pk not in seen:
            tally.errors.append(f"缺少{cadre.name}（编号 {pk}）的一行：第一次录入的每名干部都应有一行")
    if tally.ballots is not None:
        for pk, counts in tally.rows.items():
            total = sum(counts.values())
            if total > tally.ballots:
                tally.errors.append(
                    f"{tally.where[f'total_{pk}']}：四项票数合计（{total}）不能多于收回测评票数（{tally.ballots}）"
                )
    if tally.errors:
        raise InvalidInput({"file": tally.errors})
    return tally


def _evaluation_row(tally, number, values, cells, known, seen, *, blank_allowed: bool) -> None:
    try:
        pk = int(cells[0])
    except ValueError:
        tally.errors.append(f"{_at(number, '编号')}：“{cells[0][:20]}”不是干部编号")
        return
    cadre = known.get(pk)
    if cadre is None:
        tally.errors.append(f"{_at(number, '编号')}：编号 {pk} 不是可测评的干部")
        return
    if pk in seen:
        tally.errors.append(f"{_at(number, '编号')}：与第 {seen[pk]} 行是同一名干部")
        return
    seen[pk] = number
    name = cells[1] if len(cells) > 1 else ""
    if name != cadre.name:
        tally.errors.append(f"{_at(number, '姓名')}：编号 {pk} 是{cadre.name}，表中写的是“{name[:20]}”")
        return
    raw = [values[i] if len(values) > i else None for i in range(3, 7)]
    if blank_allowed and all(xlsx.cell_text(v) == "" for v in raw):
        return  # not rated on this sheet
    counts, bad = {}, False
    for grade, header, value in zip(GRADES, EVALUATION_HEADERS[3:], raw, strict=True):
        try:
            counts[grade] = xlsx.cell_count(value)
        except ValueError as exc:
            tally.errors.append(f"{_at(number, header)}：{exc}")
            bad = True
        tally.where[f"{grade}_{pk}"] = _at(number, header)
    tally.where[f"total_{pk}"] = f"第 {number} 行"
    if not bad:
        tally.rows[pk] = counts


def evaluation_located(exc: InvalidInput, tally: EvaluationTally) -> InvalidInput:
    """The service's field errors as messages naming the sheet's cells (title and year stay on theirs)."""
    errors: dict[str, list[str]] = {}
    for key, texts in exc.errors.items():
        where = tally.where.get(key)
        target = errors.setdefault("file" if where or key in ("ballots", "__all__") else key, [])
        target += [f"{where}：{t}" if where else str(t) for t in texts]
    return InvalidInput(errors)
