"""Rules of publicity and appointment (P1, P2, P3, A1, A2), all guarding `appoint`; P2 guards
`resume` too: a suspended candidate goes back into publicity only when every complaint about them
is concluded and none was substantiated — the same test as for appointment, so resuming cannot
undo what a complaint stopped.

A3 (the post's holder set within quota) is done by cadre.services on `appoint`, after M3.
"""

from django.utils.translation import gettext_noop

from cadre.rules import Finding, register
from cadre.selectors import is_promotion

from .models import Complaint
from .selectors import appointment_of, latest_publicity, talks_of
from .workdays import CalendarUnavailableError, count_working_days

NO_PUBLICITY = "尚未发布任前公示"


@register(
    "P1",
    title=gettext_noop("任前公示不少于规定的工作日数"),
    source="条例; 000 一",
    transitions=["appoint"],
)
def publicity_period(candidate, ctx):
    publicity = latest_publicity(candidate)
    required = ctx.thresholds["P1.working_days"]
    if publicity is None:
        return Finding({"publicity": None, "required": required}, [NO_PUBLICITY])
    inputs = {
        "publicity": publicity.pk,
        "starts_on": publicity.starts_on.isoformat(),
        "ends_on": publicity.ends_on.isoformat(),
        "required": required,
        "today": ctx.today.isoformat(),
    }
    try:
        days = count_working_days(publicity.starts_on, publicity.ends_on)
    except CalendarUnavailableError as exc:
        return Finding(inputs, [exc.message])
    inputs["working_days"] = days
    problems = []
    if days < required:
        problems.append(f"公示期只有 {days} 个工作日，少于 {required} 个工作日")
    if ctx.today <= publicity.ends_on:
        problems.append(f"公示期至 {publicity.ends_on:%Y-%m-%d}，尚未期满")
    return Finding(inputs, problems)


@register(
    "P2",
    title=gettext_noop("举报须查核了结，属实的不得任用"),
    source="001 附件4 (三)6; 000 二",
    transitions=["appoint", "resume"],
)
def complaints_cleared(candidate, ctx):
    complaints = list(Complaint.objects.filter(candidate=candidate).values("pk", "status", "substantiated"))
    open_ = [c["pk"] for c in complaints if c["status"] != Complaint.Status.CONCLUDED]
    substantiated = [c["pk"] for c in complaints if c["substantiated"]]
    inputs = {"complaints": len(complaints), "open": open_, "substantiated": substantiated}
    problems = []
    if open_:
        problems.append(f"有 {len(open_)} 件举报尚未查核办结（第 {'、'.join(map(str, open_))} 号）")
    if substantiated:
        stopped = "不能恢复公示" if ctx.transition == "resume" else "不得任用"
        problems.append(f"举报反映的问题经核查属实（第 {'、'.join(map(str, substantiated))} 号），{stopped}")
    return Finding(inputs, problems)


@register(
    "P3",
    title=gettext_noop("公示内容与举报渠道"),
    source="001 三(三)1, (五)1",
    transitions=["appoint"],
)
def notice_complete(candidate, ctx):
    publicity = latest_publicity(candidate)
    if publicity is None:
        return Finding({"publicity": None}, [NO_PUBLICITY])
    missing = publicity.channels_missing()
    inputs = {"publicity": publicity.pk, "published_at": publicity.published_at, "missing_channels": missing}
    problems = []
    if missing:
        problems.append("公示未载明举报渠道：" + "、".join(missing))
    if not publicity.notice_text.strip():
        problems.append("公示内容为空")
    return Finding(inputs, problems)


@register(
    "A1",
    title=gettext_noop("任前谈话"),
    source="001 三(一)5",
    transitions=["appoint"],
)
def talk_done(candidate, ctx):
    talk = talks_of(candidate).first()
    if talk is None:
        return Finding({"talk": None}, ["尚未进行任前谈话"])
    return Finding({"talk": talk.pk, "talked_on": talk.talked_on.isoformat()})


@register(
    "A2",
    title=gettext_noop("任职文件与试用期"),
    source="000 四",
    transitions=["appoint"],
)
def appointment_document(candidate, ctx):
    appointment = appointment_of(candidate)
    promotion = is_promotion(candidate)
    if appointment is None or not appointment.document_number.strip():
        return Finding({"appointment": None, "promotion": promotion}, ["尚未登记任职文号"])
    inputs = {
        "appointment": appointment.pk,
        "document_number": appointment.document_number,
        "promotion": promotion,
        "probation_ends_on": appointment.probation_ends_on,
    }
    if promotion and appointment.probation_ends_on is None:
        return Finding(inputs, ["新提拔干部须确定试用期"])
    return Finding(inputs)
