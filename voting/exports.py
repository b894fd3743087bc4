"""The decision stage's lists as .xlsx (cadre/xlsx.py): a meeting's results, a closed ballot's tally.

Only counted numbers leave the system: a paper result waiting for its second entry is shown as 待核对
with no numbers, since the second clerk must type blind (the same as the meeting page).
"""

from django.http import Http404
from django.utils import timezone

from cadre import xlsx
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
