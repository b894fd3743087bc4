"""Rules of the committee decision 讨论决定 (V1, V3, V4, V6, V7).

Each function is one rule of DOMAIN.md, registered under its id for the transitions where it
applies. They read; they never write. V9 (a result cannot be changed) is enforced by the services
and the admin; V8 (recusal) is part of every counted result.
"""

from django.utils.translation import gettext_noop

from cadre.rules import Finding, register

from .models import Brief
from .selectors import STEP_LABELS, approvals_for_post, current_result, missing_steps, open_complaints, tally

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
