"""Browser pages of the decision stage 讨论决定. Thin: parse, call the service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cadre import rules
from cadre.forms import call_service
from cadre.models import Stage
from cadre.selectors import can_work_on, get_candidate_for_user, get_selection_for_user
from cadre.services import candidate_check
from cadre.thresholds import snapshot

from . import selectors, services
from .forms import AgendaForm, BriefForm, MeetingForm, OpenForm, ResultForm

GET_POST = require_http_methods(["GET", "POST"])


def _violations(evaluation):
    return [{"v": v, "url": None} for v in evaluation.violations]


def _result_rows(results, thresholds):
    return [{"result": r, "tally": selectors.tally(r, thresholds)} for r in results]


# ---------------------------------------------------------------------------- candidate page


@login_required
@GET_POST
def decision(request, pk):
    candidate = get_candidate_for_user(user=request.user, pk=pk)
    brief = selectors.brief_of(candidate)
    initial = {f: getattr(brief, f) for f in brief.FIELDS} if brief else None
    form, status = BriefForm(initial=initial), 200
    if request.method == "POST":
        form, status = BriefForm(request.POST), 400
        if form.is_valid():
            saved, status = call_service(
                form, services.brief_save, actor=request.user, candidate_id=candidate.pk, **form.cleaned_data
            )
            if saved is not None:
                messages.success(request, _("任职推荐材料已保存并记入全程纪实"))
                return redirect("voting:decision", pk=candidate.pk)
    thresholds = snapshot()
    checks = []
    publicize = None
    if candidate.stage == Stage.DELIBERATION:
        decide = candidate_check(candidate=candidate, transition="decide", thresholds=thresholds)
        checks.append((_("提交讨论决定"), _violations(decide)))
    if candidate.stage == Stage.DECISION:
        publicize = candidate_check(candidate=candidate, transition="publicize", thresholds=thresholds)
        checks.append((_("进入任前公示"), _violations(publicize)))
    # V6 as the rule sees it, from the registry (the whole `publicize` check once in decision).
    publicize = publicize or rules.evaluate(candidate, "publicize", thresholds=thresholds, only=["V6"])
    v6 = publicize.result("V6")["inputs"]
    context = {
        "candidate": candidate,
        "can_work": can_work_on(user=request.user, selection=candidate.selection),
        "brief": brief,
        "form": form,
        "brief_editable": candidate.stage in services.BRIEF_STAGES,
        "results": _result_rows(selectors.results_of_candidate(candidate), thresholds),
        "missing_steps": [selectors.STEP_LABELS[s] for s in v6["missing_steps"]],
        "open_complaints": v6["open_complaints"],
        "meetings": selectors.meetings_of_selection(selection=candidate.selection),
        "checks": checks,
    }
    return render(request, "voting/decision.html", context, status=status)


@login_required
@require_GET
def brief_pdf(request, pk):
    """V7 as a printable PDF (WeasyPrint, CJK font from Debian)."""
    from weasyprint import HTML

    candidate = get_candidate_for_user(user=request.user, pk=pk)
    brief = selectors.brief_of(candidate)
    if brief is None:
        raise Http404("尚未形成任职推荐材料")
    html = render_to_string("voting/brief_pdf.html", {"candidate": candidate, "cadre": candidate.cadre, "brief": brief})
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="brief-{candidate.pk}.pdf"'
    return response


# ---------------------------------------------------------------------------- meetings (selection)


@login_required
@GET_POST
def meetings(request, pk):
    selection = get_selection_for_user(user=request.user, pk=pk)
    form, status = MeetingForm(), 200
    if request.method == "POST":
        form, status = MeetingForm(request.POST), 400
        if form.is_valid():
            meeting, status = call_service(
                form, services.meeting_create, actor=request.user, selection=selection, **form.cleaned_data
            )
            if meeting is not None:
                messages.success(request, _("会议已登记，请在开会前列入议题"))
                return redirect("voting:meeting", pk=meeting.pk)
    context = {
        "selection": selection,
        "can_work": can_work_on(user=request.user, selection=selection),
        "meetings": selectors.meetings_of_selection(selection=selection),
        "form": form,
    }
    return render(request, "voting/meetings.html", context, status=status)


@login_required
@GET_POST
def meeting(request, pk):
    meeting = selectors.meeting_detail(meeting=selectors.get_meeting_for_user(user=request.user, pk=pk))
    on_agenda = {item.candidate_id for item in meeting.agenda.all()}
    agenda_choices = [
        c
        for c in meeting.selection.candidates.select_related("cadre", "position__unit")
        if c.stage in services.AGENDA_STAGES and c.pk not in on_agenda
    ]
    agenda_form = AgendaForm(candidates=agenda_choices)
    open_form = OpenForm(initial={"present": meeting.entitled})
    result_form, result_for, status = None, None, 200
    if request.method == "POST":
        action, actor = request.POST.get("action"), request.user
        if action == "agenda":
            agenda_form = AgendaForm(request.POST, candidates=agenda_choices)
            done, status = None, 400
            if agenda_form.is_valid():
                done, status = call_service(
                    agenda_form,
                    services.agenda_add,
                    actor=actor,
                    meeting_id=meeting.pk,
                    candidate_id=agenda_form.cleaned_data["candidate"],
                )
            message = _("人选已列入会议议题")
        elif action == "open":
            open_form = OpenForm(request.POST)
            done, status = None, 400
            if open_form.is_valid():
                done, status = call_service(
                    open_form, services.meeting_open, actor=actor, meeting_id=meeting.pk, **open_form.cleaned_data
                )
            message = _("会议已开始，议题已锁定")
        elif action == "result":
            result_form = ResultForm(request.POST)
            done, status = None, 400
            if result_form.is_valid():
                data = dict(result_form.cleaned_data)
                result_for = data.pop("candidate")
                done, status = call_service(
                    result_form,
                    services.decision_result_record,
                    actor=actor,
                    meeting_id=meeting.pk,
                    candidate_id=result_for,
                    **data,
                )
            else:
                result_for = result_form.data.get("candidate")
            message = _("票决结果已录入，不能更改")
        else:
            return HttpResponse("未知操作", status=400)
        if done is not None:
            messages.success(request, message)
            return redirect("voting:meeting", pk=meeting.pk)
    thresholds = snapshot()
    results = {r.candidate_id: r for r in meeting.results.all()}
    rows = []
    for item in meeting.agenda.all():
        result = results.get(item.candidate_id)
        form = None
        if result is None and meeting.is_open:
            if result_form is not None and str(result_for) == str(item.candidate_id):
                form = result_form
            else:
                form = ResultForm(initial={"candidate": item.candidate_id, "recused": 0}, auto_id=f"id_{item.pk}_%s")
        rows.append(
            {
                "item": item,
                "result": result,
                "tally": selectors.tally(result, thresholds) if result else None,
                "form": form,
            }
        )
    quorum, pass_share = thresholds["V1.quorum"], thresholds["V3.pass_share"]
    context = {
        "meeting": meeting,
        "selection": meeting.selection,
        "can_work": can_work_on(user=request.user, selection=meeting.selection),
        "rows": rows,
        "agenda_form": agenda_form,
        "agenda_choices": agenda_choices,
        "open_form": open_form,
        "quorum": quorum,
        "quorum_needed": selectors.quorum_needed(entitled=meeting.entitled, quorum=quorum),
        "quorum_met": selectors.quorum_met(present=meeting.present, entitled=meeting.entitled, quorum=quorum),
        "pass_needed": selectors.votes_to_pass(entitled=meeting.entitled, pass_share=pass_share),
    }
    return render(request, "voting/meeting.html", context, status=status)
