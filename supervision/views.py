"""Browser pages of publicity, complaints and appointment; the public notices need no login."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cadre.forms import call_service
from cadre.models import Stage
from cadre.selectors import can_work_on, get_candidate_for_user, is_promotion
from cadre.services import candidate_check
from cadre.thresholds import snapshot

from . import selectors, services
from .forms import (
    AppointmentForm,
    ComplaintActionForm,
    ComplaintForm,
    ConcludeForm,
    PublicityForm,
    TalkForm,
)
from .workdays import CalendarUnavailableError, add_working_days

GET_POST = require_http_methods(["GET", "POST"])


def _appoint_check(candidate):
    if candidate.stage != Stage.PUBLICITY:
        return None
    return [{"v": v, "url": None} for v in candidate_check(candidate=candidate, transition="appoint").violations]


# ---------------------------------------------------------------------------- publicity and complaints


@login_required
@GET_POST
def publicity(request, pk):
    candidate = get_candidate_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    required = snapshot()["P1.working_days"]
    publicity_form = PublicityForm(initial={"starts_on": today})
    complaint_form = ComplaintForm(initial={"received_on": today})
    action_form, action_for, status = None, None, 200
    if request.method == "POST":
        action, actor = request.POST.get("action"), request.user
        done = None
        if action == "publish":
            publicity_form, status = PublicityForm(request.POST), 400
            if publicity_form.is_valid():
                done, status = call_service(
                    publicity_form,
                    services.publicity_start,
                    actor=actor,
                    candidate_id=candidate.pk,
                    **publicity_form.cleaned_data,
                )
            message = _("任前公示已发布")
        elif action == "complaint":
            complaint_form, status = ComplaintForm(request.POST), 400
            if complaint_form.is_valid():
                done, status = call_service(
                    complaint_form,
                    services.complaint_file,
                    actor=actor,
                    candidate_id=candidate.pk,
                    **complaint_form.cleaned_data,
                )
            message = _("举报已登记，并记为重要情况")
        elif action in ("investigate", "conclude"):
            form_class = ConcludeForm if action == "conclude" else ComplaintActionForm
            action_form, status = form_class(request.POST), 400
            action_for = action_form.data.get("complaint")
            if action_form.is_valid():
                data = dict(action_form.cleaned_data)
                complaint = selectors.get_complaint_for_candidate(candidate=candidate, pk=data.pop("complaint"))
                service = services.complaint_conclude if action == "conclude" else services.complaint_investigate
                done, status = call_service(action_form, service, actor=actor, complaint_id=complaint.pk, **data)
            message = _("举报已办结") if action == "conclude" else _("举报已转入调查核实")
        else:
            return HttpResponse("未知操作", status=400)
        if done is not None:
            messages.success(request, message)
            return redirect("supervision:publicity", pk=candidate.pk)
    complaints = []
    for c in selectors.complaints_of(candidate):
        form = None
        if c.status != c.Status.CONCLUDED:
            if action_form is not None and str(action_for) == str(c.pk) and isinstance(action_form, ConcludeForm):
                form = action_form
            else:
                form = ConcludeForm(initial={"complaint": c.pk}, auto_id=f"id_c{c.pk}_%s")
        complaints.append({"complaint": c, "form": form})
    try:
        earliest_end, calendar_error = add_working_days(today, required), None
    except CalendarUnavailableError as exc:
        earliest_end, calendar_error = None, exc.message
    context = {
        "candidate": candidate,
        "can_work": can_work_on(user=request.user, selection=candidate.selection),
        "publicity": selectors.latest_publicity(candidate),
        "publicity_form": publicity_form,
        "complaint_form": complaint_form,
        "action_error_form": action_form if action_form is not None and action_form.errors else None,
        "complaints": complaints,
        "required": required,
        "earliest_end": earliest_end,
        "calendar_error": calendar_error,
        "today": today,
        "appoint_check": _appoint_check(candidate),
    }
    return render(request, "supervision/publicity.html", context, status=status)


# ---------------------------------------------------------------------------- appointment


@login_required
@GET_POST
def appointment(request, pk):
    candidate = get_candidate_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    talk_form = TalkForm(initial={"talked_on": today})
    appointment_form = AppointmentForm(initial={"effective_on": today})
    status = 200
    if request.method == "POST":
        action, actor = request.POST.get("action"), request.user
        done = None
        if action == "talk":
            talk_form, status = TalkForm(request.POST), 400
            if talk_form.is_valid():
                done, status = call_service(
                    talk_form, services.talk_record, actor=actor, candidate_id=candidate.pk, **talk_form.cleaned_data
                )
            message = _("任前谈话已记录")
        elif action == "document":
            appointment_form, status = AppointmentForm(request.POST), 400
            if appointment_form.is_valid():
                done, status = call_service(
                    appointment_form,
                    services.appointment_record,
                    actor=actor,
                    candidate_id=candidate.pk,
                    **appointment_form.cleaned_data,
                )
            message = _("任职文件已登记")
        else:
            return HttpResponse("未知操作", status=400)
        if done is not None:
            messages.success(request, message)
            return redirect("supervision:appointment", pk=candidate.pk)
    context = {
        "candidate": candidate,
        "can_work": can_work_on(user=request.user, selection=candidate.selection),
        "talks": selectors.talks_of(candidate),
        "appointment": selectors.appointment_of(candidate),
        "promotion": is_promotion(candidate),
        "probation_days": snapshot()["A2.probation_days"],
        "talk_form": talk_form,
        "appointment_form": appointment_form,
        "talk_open": candidate.stage in services.TALK_STAGES,
        "document_open": candidate.stage == Stage.PUBLICITY,
        "appoint_check": _appoint_check(candidate),
    }
    return render(request, "supervision/appointment.html", context, status=status)


# ---------------------------------------------------------------------------- public notices (no login)


@require_GET
def notice_list(request):
    today = timezone.localdate()
    notices = [{"publicity": p, "current": p.starts_on <= today <= p.ends_on} for p in selectors.public_notices()]
    return render(request, "supervision/notice_list.html", {"notices": notices, "today": today})


@require_GET
def notice(request, pk):
    publicity = selectors.get_public_notice(pk=pk)
    return render(request, "supervision/notice.html", {"publicity": publicity, "today": timezone.localdate()})
