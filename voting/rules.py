"""Rules of the committee decision 讨论决定 (V1, V3, V4, V6, V7, and V5, V9 on the ways out).

Each function is one rule of DOMAIN.md, registered under its id for the transitions where it
applies. They read; they never write. V9 (a result cannot be changed) is enforced by the services
and the admin, and as a rule on the transitions that would undo the committee's decision (`reject`
of a candidate who passed, `eliminate` of one who passed, `send_back` once the committee has
voted); V5 makes `reject` (票决未通过) rest on a counted result that failed, and keeps a failed vote
from being side-stepped by `eliminate` or `withdraw` (the committee chooses a second vote or
未通过, which N4 counts). V8 (recusal) is part of every counted result.
"""

from django.utils.translation import gettext_noop

from cadre.models import Stage
from cadre.rules import Finding, register

from .models import Brief
from .selectors import (
    STEP_LABELS,
    approvals_for_post,
    current_result,
    missing_steps,
    open_complaints,
    results_of_candidate,
    tally,
)

NO_RESULT = "尚未录入本次讨论决定的票决结果"


@register(
    "V1",
    title=gettext_noop("到会人数须达应到会人数的三分之二"),
    source="条例; 001 附件2 第十条(四)",
    transitions=["publicize"],
)
def quorum(candidate, ctx):
    result = current_result(candidate)
    if result is None:
        return Finding({"result": None}, [NO_RESULT])
    t = tally(result, ctx.thresholds)
    inputs = {"meeting": result.meeting_id, "entitled": t.entitled, "present": t.present, "quorum": str(t.quorum)}
    if not t.quorum_met:
        return Finding(inputs, [f"实到会 {t.present} 人，未达到应到会 {t.entitled} 人的 {t.quorum}"])
    return Finding(inputs)


@register(
    "V3",
    title=gettext_noop("赞成票超过应到会人数半数"),
    source="001 附件3; 000 二",
    transitions=["publicize"],
)
def passed(candidate, ctx):
    result = current_result(candidate)
    if result is None:
        return Finding({"result": None}, [NO_RESULT])
    t = tally(result, ctx.thresholds)
    inputs = {"meeting": result.meeting_id, **t.as_dict(), "pass_share": str(t.pass_share)}
    if not t.passed:
        return Finding(inputs, [f"赞成票 {t.approve} 票，未超过应到会 {t.entitled} 人的 {t.pass_share}"])
    return Finding(inputs)


@register(
    "V4",
    title=gettext_noop("差额票决每个职位只能赞成一名"),
    source="001 附件3",
    transitions=["publicize"],
)
def one_approval_per_post(candidate, ctx):
    result = current_result(candidate)
    if result is None:
        return Finding({"result": None}, [NO_RESULT])
    total = approvals_for_post(result)
    present = result.meeting.present or 0
    inputs = {"meeting": result.meeting_id, "approvals_for_post": total, "present": present}
    if total > present:
        return Finding(
            inputs,
            [f"同一职位各人选赞成票合计 {total} 票，超过实到会 {present} 人，每人每职位只能赞成一名，计票有误"],
        )
    return Finding(inputs)


@register(
    "V6",
    title=gettext_noop("四个不批"),
    source="000 二",
    transitions=["publicize"],
)
def four_no_approvals(candidate, ctx):
    problems = []
    missing = missing_steps(candidate)
    if missing:
        problems.append("程序不全：纪实记录中没有" + "、".join(STEP_LABELS[s] for s in missing) + "环节")
    complaints = open_complaints(candidate)
    if complaints:
        problems.append(f"有 {complaints} 件举报尚未查核了结")
    inputs = {"missing_steps": missing, "open_complaints": complaints}
    result = current_result(candidate)
    if result is None:
        return Finding({**inputs, "result": None}, [*problems, NO_RESULT])
    t = tally(result, ctx.thresholds)
    inputs.update(t.as_dict(), negative_share=str(t.negative_share))
    if t.negative_concentrated:
        problems.append(f"反映问题集中：不赞成票 {t.disapprove}/{t.present}，达到 {t.negative_share}")
    if t.fewer_than_half:
        problems.append(f"赞成票 {t.approve}/{t.present}，不足半数")
    return Finding(inputs, problems)


@register(
    "V7",
    title=gettext_noop("讨论决定前提供任职推荐材料"),
    source="001 附件2 第九条, 附件3",
    transitions=["decide"],
)
def brief_ready(candidate, ctx):
    brief = Brief.objects.filter(candidate=candidate).first()
    if brief is None:
        return Finding({"brief": None}, ["尚未准备任职推荐材料（推荐、考察评价、主要特点、不足、理由）"])
    missing = brief.missing()
    inputs = {"brief": brief.pk, "missing": missing}
    if missing:
        return Finding(inputs, ["任职推荐材料缺少：" + "、".join(missing)])
    return Finding(inputs)


WAYS_OUT = {"eliminate": "列为未列入/落选", "withdraw": "撤回"}


def _result_inputs(result, t) -> dict:
    return {"result": result.pk, "meeting": result.meeting_id, **t.as_dict(), "passed": t.passed}


@register(
    "V5",
    title=gettext_noop("票决未通过的，由常委会决定再次票决或不予通过"),
    source="001 附件3",
    transitions=["reject", "eliminate", "withdraw"],
)
def committee_choice_after_failed_vote(candidate, ctx):
    """`reject` needs the counted result it records; a failed vote is answered only by the committee."""
    result = current_result(candidate) if candidate.stage == Stage.DECISION else None
    if result is None:
        if ctx.transition == "reject":
            return Finding({"result": None}, ["尚未录入本次讨论决定的票决结果：票决未通过须以常委会的计票结果为依据"])
        return Finding({"result": None})
    t = tally(result, ctx.thresholds)
    if ctx.transition in WAYS_OUT and not t.passed:
        return Finding(
            _result_inputs(result, t),
            [
                f"票决未通过（赞成 {t.approve} 票，未超过应到会 {t.entitled} 人的 {t.pass_share}）："
                f"应由常委会决定再次票决，或按票决未通过处理，不能{WAYS_OUT[ctx.transition]}"
            ],
        )
    return Finding(_result_inputs(result, t))


@register(
    "V9",
    title=gettext_noop("任何人不得改变常委会的决定"),
    source="001 附件2 第十条(六)",
    transitions=["reject", "eliminate", "send_back"],
)
def decision_stands(candidate, ctx):
    """Once the committee has voted on the candidate, nothing takes its decision back."""
    latest = results_of_candidate(candidate).first()
    if latest is None:
        return Finding({"result": None})
    t = tally(latest, ctx.thresholds)
    inputs = _result_inputs(latest, t)
    meeting = f"{latest.meeting.held_on:%Y-%m-%d}《{latest.meeting.title}》"
    if ctx.transition == "send_back":
        return Finding(inputs, [f"常委会已于 {meeting} 票决，退回将改变常委会的决定"])
    if t.passed:
        done = (
            "不能按票决未通过处理"
            if ctx.transition == "reject"
            else "不能再列为未列入/落选（确需停止任用的，撤回并写明理由）"
        )
        return Finding(
            inputs,
            [
                f"常委会已于 {meeting} 票决通过（赞成 {t.approve} 票，"
                f"超过应到会 {t.entitled} 人的 {t.pass_share}），{done}"
            ],
        )
    return Finding(inputs)
