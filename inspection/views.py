"""Browser pages of inspection 考察 and deliberation 酝酿. Thin: parse, call a service, render."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods

from cadre.forms import call_service
from cadre.models import Stage
from cadre.selectors import can_work_on, get_candidate_for_user, get_selection_for_user, selections_for_user
from cadre.services import candidate_check

from . import selectors, services
from .forms import (
    AuditForm,
    ComparisonForm,
    ConsultationForm,
    FactorRowForm,
    MemberForm,
    NoticeForm,
    OpinionForm,
    ProcedureForm,
    ReportForm,
    TalkForm,
    TeamCandidateForm,
    TeamForm,
)
from .models import Comparison, Factor

GET_POST = require_http_methods(["GET", "POST"])


def _ensure(allowed: bool):
    if not allowed:
        raise PermissionDenied("您没有执行此操作的权限")


def _selection_nav(selection):
    return {"selection": selection, "positions": list(selection.positions.select_related("unit"))}


# ---------------------------------------------------------------------------- candidate: inspection
#
# One page per candidate (issue #11): every part visible at once, each a small form that saves
# inline with htmx (the response is the part again, with its errors or a saved marker, plus the
# checklist and the next step out of band) and, without JavaScript, by a normal post + redirect.


@dataclass(frozen=True)
class Part:
    form: type
    service: object
    who: str  # "record" = assigned staff or a member of the candidate's team, "work" = assigned staff
    done: str
    title: str
    rules: str
    form_title: str = ""


PARTS = {
    "procedure": Part(
        ProcedureForm,
        services.procedure_create,
        "record",
        gettext_noop("考察程序已记录"),
        gettext_noop("考察程序"),
        "I3",
        gettext_noop("记录考察程序"),
    ),
    "talk": Part(
        TalkForm,
        services.talk_create,
        "record",
        gettext_noop("谈话记录已保存"),
        gettext_noop("个别谈话"),
        "I4",
        gettext_noop("记录个别谈话"),
    ),
    "factor": Part(
        FactorRowForm,
        services.factor_assess,
        "record",
        gettext_noop("要素评价已保存"),
        gettext_noop("五项必考要素"),
        "I5",
    ),
    "opinion": Part(
        OpinionForm,
        services.opinion_create,
        "work",
        gettext_noop("部门意见已记录"),
        gettext_noop("纪检等部门意见"),
        "I6",
        gettext_noop("记录部门意见"),
    ),
    "audit": Part(
        AuditForm,
        services.audit_create,
        "work",
        gettext_noop("任前审计结论已记录"),
        gettext_noop("任前经济责任审计"),
        "I7 ◇",
        gettext_noop("记录任前审计结论"),
    ),
}


def _factor_forms(factors, *, bound=None) -> dict:
    """One small form per factor, filled with its current assessment; `bound`: (factor, form) posted."""
    current = {f.factor: f for f in factors}
    forms = {}
    for value in Factor.values:
        if bound and bound[0] == value:
            forms[value] = bound[1]
            continue
        row = current.get(value)
        initial = {"factor": value, "grade": row.grade, "text": row.text} if row else {"factor": value}
        forms[value] = FactorRowForm(prefix=f"factor-{value}", factor=value, initial=initial)
    return forms


def _bind(action: str, data):
    """The posted part's form (for factors, the row named by `row`)."""
    part = PARTS[action]
    if action == "factor":
        row = data.get("row")
        if row not in Factor.values:
            raise PermissionDenied("未知的考察要素")
        return row, FactorRowForm(data, prefix=f"factor-{row}", factor=row)
    return None, part.form(data, prefix=action)


@login_required
@GET_POST
def inspection(request, pk):
    candidate = selectors.get_inspection_candidate_for_user(user=request.user, pk=pk)
    can_work = can_work_on(user=request.user, selection=candidate.selection)
    can_record = selectors.can_record_inspection(user=request.user, candidate=candidate)
    allowed = {"record": can_record, "work": can_work}
    htmx = request.headers.get("HX-Request") == "true"
    posted, bound, saved, saved_row, status = None, None, None, None, 200
    if request.method == "POST":
        posted = request.POST.get("action")
        if posted not in PARTS:
            raise PermissionDenied("未知的操作")
        part = PARTS[posted]
        _ensure(allowed[part.who])
        row, form = _bind(posted, request.POST)
        bound, status = (row, form), 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            if row is not None:
                data["factor"] = row  # the row decides which factor, not a hidden field
            done, status = call_service(form, part.service, actor=request.user, candidate=candidate, **data)
            if done is not None:
                text = _("%(done)s，并已记入全程纪实") % {"done": _(part.done)}
                if not htmx:
                    messages.success(request, text)
                    return redirect(f"{reverse('inspection:inspection', args=[candidate.pk])}#part-{posted}")
                bound, saved, saved_row = None, text, row
    context = _inspection_context(request, candidate, can_work=can_work, can_record=can_record)
    context["parts"] = _parts(context, allowed, posted=posted, bound=bound, saved=saved, saved_row=saved_row)
    if htmx and posted:
        context["part"] = next(p for p in context["parts"] if p["name"] == posted)
        return render(request, "inspection/_part_response.html", context, status=status)
    return render(request, "inspection/inspection.html", context, status=status)


def _inspection_context(request, candidate, *, can_work, can_record) -> dict:
    check = candidate_check(candidate=candidate, transition="deliberate")
    return {
        "candidate": candidate,
        "can_work": can_work,
        "can_record": can_record,
        "can_view_selection": selections_for_user(user=request.user).filter(pk=candidate.selection_id).exists(),
        "in_stage": candidate.stage == Stage.INSPECTION,
        "checklist": selectors.checklist(evaluation=check, rule_ids=selectors.INSPECTION_RULES),
        "check": check,
        **selectors.inspection_data(user=request.user, candidate=candidate),
    }


def _parts(context, allowed, *, posted, bound, saved, saved_row=None) -> list[dict]:
    """Each part with its rows, its form(s) (only for those who may write, in the stage) and its state."""
    rows = {
        "procedure": context["procedures"],
        "talk": context["talks"],
        "factor": context["factors"],
        "opinion": context["opinions"],
        "audit": context["audits"],
    }
    parts = []
    for name, part in PARTS.items():
        writable = allowed[part.who] and context["in_stage"]
        mine = bound if posted == name else None
        if name == "factor":
            forms = _factor_forms(rows[name], bound=mine) if writable else {}
            form = None
        else:
            forms = None
            form = (mine[1] if mine else part.form(prefix=name)) if writable else None
        parts.append(
            {
                "name": name,
                "title": _(part.title),
                "rules": part.rules,
                "form_title": _(part.form_title) if part.form_title else "",
                "rows": rows[name],
                "form": form,
                "factor_rows": _factor_rows(rows[name], forms) if name == "factor" else None,
                "writable": writable,
                "saved": saved if posted == name else None,
                "failed": posted == name and bound is not None,
                "row": mine[0] if mine else saved_row,
            }
        )
    return parts


def _factor_rows(factors, forms) -> list[dict]:
    current = {f.factor: f for f in factors}
    return [
        {"value": value, "label": label, "current": current.get(value), "form": (forms or {}).get(value)}
        for value, label in Factor.choices
    ]


# ---------------------------------------------------------------------------- candidate: deliberation


def _deliberating(selection):
    return selectors.open_candidates(selection=selection).filter(stage=Stage.DELIBERATION)


@login_required
@GET_POST
def deliberation(request, pk):
    candidate = get_candidate_for_user(user=request.user, pk=pk)
    selection = candidate.selection
    can_work = can_work_on(user=request.user, selection=selection)
    choices = _deliberating(selection)
    form, status = ConsultationForm(candidates=choices, initial={"candidates": [candidate.pk]}), 200
    if request.method == "POST":
        _ensure(can_work)
        form, status = ConsultationForm(request.POST, candidates=choices), 400
        if form.is_valid():
            data = form.cleaned_data
            done, status = call_service(
                form,
                services.consultation_create,
                actor=request.user,
                selection=selection,
                level=data["level"],
                held_on=data["held_on"],
                participants=data["participants"],
                opinions=data["opinions"],
                candidates=list(data["candidates"]),
                disagreement=data["disagreement"],
                disagreement_text=data["disagreement_text"],
            )
            if done is not None:
                text = _("酝酿情况已记录，并已记入全程纪实")
                if data["disagreement"]:
                    text += _("；重大分歧已作为重要情况记实")
                messages.success(request, text)
                return redirect("inspection:deliberation", pk=candidate.pk)
    check = candidate_check(candidate=candidate, transition="decide")
    context = {
        "candidate": candidate,
        "can_work": can_work,
        "can_view_selection": True,
        "in_stage": candidate.stage == Stage.DELIBERATION,
        "form": form,
        "consultations": selectors.consultations_for_candidate(candidate=candidate),
        "comparison": selectors.comparison_for(selection=selection, position=candidate.position),
        "checklist": selectors.checklist(evaluation=check, rule_ids=selectors.DELIBERATION_RULES),
        "check": check,
    }
    return render(request, "inspection/deliberation.html", context, status=status)


# ---------------------------------------------------------------------------- selection: notice, team


@login_required
@GET_POST
def notice(request, pk):
    selection = get_selection_for_user(user=request.user, pk=pk)
    can_work = can_work_on(user=request.user, selection=selection)
    form, status = NoticeForm(), 200
    if request.method == "POST":
        _ensure(can_work)
        form, status = NoticeForm(request.POST), 400
        if form.is_valid():
            done, status = call_service(
                form, services.notice_publish, actor=request.user, selection=selection, **form.cleaned_data
            )
            if done is not None:
                messages.success(request, _("考察预告已登记，并已记入各考察对象的全程纪实"))
                return redirect("inspection:notice", pk=selection.pk)
    context = {
        **_selection_nav(selection),
        "can_work": can_work,
        "form": form,
        "notices": selectors.notices_for_selection(selection=selection),
    }
    return render(request, "inspection/notice.html", context, status=status)


@login_required
@GET_POST
def team(request, pk):
    selection = get_selection_for_user(user=request.user, pk=pk)
    can_work = can_work_on(user=request.user, selection=selection)
    unassigned = selectors.open_candidates(selection=selection).filter(
        stage__in=[Stage.RECOMMENDATION, Stage.INSPECTION], inspection_assignment__isnull=True
    )
    teams = list(selectors.teams_for_selection(selection=selection))
    create_form = TeamForm(candidates=unassigned, prefix="team")
    # One member form and one assignment form per team; only the submitted one is bound.
    team_forms = {
        t.pk: {
            "member": MemberForm(prefix=f"member-{t.pk}"),
            "assign": TeamCandidateForm(candidates=unassigned, prefix=f"assign-{t.pk}"),
        }
        for t in teams
    }
    status = 200
    if request.method == "POST":
        _ensure(can_work)
        action, status = request.POST.get("action"), 400
        if action == "create":
            create_form = TeamForm(request.POST, candidates=unassigned, prefix="team")
            if create_form.is_valid():
                data = create_form.cleaned_data
                done, status = call_service(
                    create_form,
                    services.team_create,
                    actor=request.user,
                    selection=selection,
                    **{**data, "candidates": list(data["candidates"])},
                )
                if done is not None:
                    messages.success(request, _("考察组已登记，并已记入各考察对象的全程纪实"))
                    return redirect("inspection:team", pk=selection.pk)
        elif action in ("member", "assign"):
            target = next((t for t in teams if str(t.pk) == request.POST.get("team")), None)
            if target is None:
                raise PermissionDenied("考察组不存在")
            if action == "member":
                form = MemberForm(request.POST, prefix=f"member-{target.pk}")
                service, fields, done_message = (
                    services.team_member_add,
                    ("user", "cadre"),
                    gettext_noop("已增加考察组成员"),
                )
            else:
                form = TeamCandidateForm(request.POST, candidates=unassigned, prefix=f"assign-{target.pk}")
                service, fields, done_message = (
                    services.team_candidate_add,
                    ("candidate",),
                    gettext_noop("已为考察组分配考察对象"),
                )
            team_forms[target.pk][action] = form
            if form.is_valid():
                done, status = call_service(
                    form, service, actor=request.user, team=target, **{f: form.cleaned_data[f] for f in fields}
                )
                if done is not None:
                    messages.success(request, _("%(done)s，并已记入全程纪实") % {"done": _(done_message)})
                    return redirect("inspection:team", pk=selection.pk)
        else:
            raise PermissionDenied("未知的操作")
    context = {
        **_selection_nav(selection),
        "can_work": can_work,
        "teams": [{"team": t, **team_forms[t.pk]} for t in teams],
        "create_form": create_form,
        "has_unassigned": unassigned.exists(),
    }
    return render(request, "inspection/team.html", context, status=status)


# ---------------------------------------------------------------------------- selection + post: report, comparison


@login_required
@GET_POST
def report(request, pk, position_pk):
    selection = get_selection_for_user(user=request.user, pk=pk)
    position = selectors.get_position_for_selection(selection=selection, pk=position_pk)
    can_work = can_work_on(user=request.user, selection=selection)
    candidates = selectors.open_candidates(selection=selection, position=position)
    current = selectors.report_for(selection=selection, position=position)
    initial = {}
    if current is not None:
        initial = {
            "comparison": current.comparison,
            "recommendation": current.recommendation,
            "recommended": current.recommended_id,
            "heard_on": current.heard_on,
        }
    form, status = ReportForm(candidates=candidates, initial=initial), 200
    if request.method == "POST":
        _ensure(can_work)
        form, status = ReportForm(request.POST, candidates=candidates), 400
        if form.is_valid():
            done, status = call_service(
                form,
                services.report_save,
                actor=request.user,
                selection=selection,
                position=position,
                **form.cleaned_data,
            )
            if done is not None:
                messages.success(request, _("考察对比分析报告已保存，并已记入该职位各人选的全程纪实"))
                return redirect("inspection:report", pk=selection.pk, position_pk=position.pk)
    context = {
        **_selection_nav(selection),
        "position": position,
        "can_work": can_work,
        "form": form,
        "report": current,
        "candidates": candidates,
    }
    return render(request, "inspection/report.html", context, status=status)


@login_required
@GET_POST
def comparison(request, pk, position_pk):
    selection = get_selection_for_user(user=request.user, pk=pk)
    position = selectors.get_position_for_selection(selection=selection, pk=position_pk)
    can_work = can_work_on(user=request.user, selection=selection)
    current = selectors.comparison_for(selection=selection, position=position)
    initial = {a: getattr(current, a) for a in Comparison.ASPECTS} if current else {}
    form, status = ComparisonForm(initial=initial), 200
    if request.method == "POST":
        _ensure(can_work)
        form, status = ComparisonForm(request.POST), 400
        if form.is_valid():
            done, status = call_service(
                form,
                services.comparison_save,
                actor=request.user,
                selection=selection,
                position=position,
                **form.cleaned_data,
            )
            if done is not None:
                messages.success(request, _("人选比较已保存，并已记入该职位各人选的全程纪实"))
                return redirect("inspection:comparison", pk=selection.pk, position_pk=position.pk)
    context = {
        **_selection_nav(selection),
        "position": position,
        "can_work": can_work,
        "form": form,
        "comparison": current,
        "candidates": selectors.open_candidates(selection=selection, position=position),
    }
    return render(request, "inspection/comparison.html", context, status=status)
