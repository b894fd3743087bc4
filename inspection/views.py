"""Browser pages of inspection 考察 and deliberation 酝酿. Thin: parse, call a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
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
    FactorForm,
    MemberForm,
    NoticeForm,
    OpinionForm,
    ProcedureForm,
    ReportForm,
    TalkForm,
    TeamCandidateForm,
    TeamForm,
)
from .models import Comparison

GET_POST = require_http_methods(["GET", "POST"])


def _ensure(allowed: bool):
    if not allowed:
        raise PermissionDenied("您没有执行此操作的权限")


def _selection_nav(selection):
    return {"selection": selection, "positions": list(selection.positions.select_related("unit"))}


# ---------------------------------------------------------------------------- candidate: inspection

# action -> (form class, service, who may: "record" = staff or team member, "work" = assigned staff)
INSPECTION_ACTIONS = {
    "procedure": (ProcedureForm, services.procedure_create, "record", gettext_noop("考察程序已记录")),
    "talk": (TalkForm, services.talk_create, "record", gettext_noop("谈话记录已保存")),
    "factor": (FactorForm, services.factor_assess, "record", gettext_noop("要素评价已保存")),
    "opinion": (OpinionForm, services.opinion_create, "work", gettext_noop("部门意见已记录")),
    "audit": (AuditForm, services.audit_create, "work", gettext_noop("任前审计结论已记录")),
}


@login_required
@GET_POST
def inspection(request, pk):
    candidate = selectors.get_inspection_candidate_for_user(user=request.user, pk=pk)
    can_work = can_work_on(user=request.user, selection=candidate.selection)
    can_record = selectors.can_record_inspection(user=request.user, candidate=candidate)
    allowed = {"record": can_record, "work": can_work}
    forms = {name: spec[0](prefix=name) for name, spec in INSPECTION_ACTIONS.items()}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in INSPECTION_ACTIONS:
            raise PermissionDenied("未知的操作")
        form_class, service, who, done_message = INSPECTION_ACTIONS[action]
        _ensure(allowed[who])
        form = form_class(request.POST, prefix=action)
        forms[action], status = form, 400
        if form.is_valid():
            done, status = call_service(form, service, actor=request.user, candidate=candidate, **form.cleaned_data)
            if done is not None:
                messages.success(request, _("%(done)s，并已记入全程纪实") % {"done": _(done_message)})
                return redirect("inspection:inspection", pk=candidate.pk)
    check = candidate_check(candidate=candidate, transition="deliberate")
    context = {
        "candidate": candidate,
        "can_work": can_work,
        "can_record": can_record,
        "can_view_selection": selections_for_user(user=request.user).filter(pk=candidate.selection_id).exists(),
        "in_stage": candidate.stage == Stage.INSPECTION,
        "forms": forms,
        "checklist": selectors.checklist(evaluation=check, rule_ids=selectors.INSPECTION_RULES),
        "check": check,
        **selectors.inspection_data(user=request.user, candidate=candidate),
    }
    return render(request, "inspection/inspection.html", context, status=status)


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
