"""Browser pages of publicity, complaints and appointment; the public notices need no login."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from cadre import roles, xlsx
from cadre.forms import call_service
from cadre.models import Stage
from cadre.ratelimit import client_address
from cadre.selectors import can_work_on, get_candidate_for_user, is_promotion
from cadre.services import candidate_check
from cadre.thresholds import snapshot

from . import exports, selectors, services
from .forms import (
    AppointmentCorrectForm,
    AppointmentForm,
    AssignForm,
    ComplaintActionForm,
    ComplaintForm,
    ConcludeForm,
    PublicComplaintForm,
    PublicityForm,
    TalkForm,
    new_challenge,
)
from .models import default_issuer
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
    publicity_form = PublicityForm(initial={"starts_on": today, "issuer": default_issuer()})
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
        elif action in ("assign", "investigate", "conclude"):
            form_class = {"assign": AssignForm, "conclude": ConcludeForm}.get(action, ComplaintActionForm)
            action_form, status = form_class(request.POST), 400
            action_for = action_form.data.get("complaint")
            if action_form.is_valid():
                data = dict(action_form.cleaned_data)
                complaint = selectors.get_complaint_for_candidate(candidate=candidate, pk=data.pop("complaint"))
                if action == "assign":
                    data["investigator_id"] = data.pop("investigator").pk
                service = {
                    "assign": services.complaint_assign,
                    "investigate": services.complaint_investigate,
                    "conclude": services.complaint_conclude,
                }[action]
                done, status = call_service(action_form, service, actor=actor, complaint_id=complaint.pk, **data)
            message = {"assign": _("举报已交办"), "conclude": _("举报已办结")}.get(action, _("举报已转入调查核实"))
        else:
            return HttpResponse("未知操作", status=400)
        if done is not None:
            messages.success(request, message)
            return redirect("supervision:publicity", pk=candidate.pk)
    can_work = can_work_on(user=request.user, selection=candidate.selection)
    complaints = []
    for c in selectors.complaints_of(candidate).select_related("assigned_to"):
        form = None
        if c.status != c.Status.CONCLUDED:
            if action_form is not None and str(action_for) == str(c.pk) and isinstance(action_form, ConcludeForm):
                form = action_form
            else:
                form = ConcludeForm(initial={"complaint": c.pk}, auto_id=f"id_c{c.pk}_%s")
        assign_form = None
        if c.status in (c.Status.RECEIVED, c.Status.ASSIGNED):
            assign_form = AssignForm(
                initial={"complaint": c.pk, "investigator": c.assigned_to_id}, auto_id=f"id_a{c.pk}_%s"
            )
        # the named investigator (a supervisor, say) acts on their complaint without working on the selection
        acts = can_work or c.assigned_to_id == request.user.pk
        complaints.append({"complaint": c, "form": form, "assign_form": assign_form, "acts": acts})
    try:
        earliest_end, calendar_error = add_working_days(today, required), None
    except CalendarUnavailableError as exc:
        earliest_end, calendar_error = None, exc.message
    context = {
        "candidate": candidate,
        "can_work": can_work,
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
        "can_see_stats": roles.has_role(request.user, roles.SUPERVISOR, roles.ADMIN),
    }
    return render(request, "supervision/publicity.html", context, status=status)


# ---------------------------------------------------------------------------- appointment


@login_required
@GET_POST
def appointment(request, pk):
    candidate = get_candidate_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    # #11: the dates offered are ones the services accept: the appointment the day after the publicity
    # ends (P1), the talk not before its end — else empty, never today during the publicity.
    first_day = services.first_appointment_day(candidate)
    talk_day = today if first_day and today >= first_day - timedelta(days=1) else None
    talk_form = TalkForm(initial={"talked_on": talk_day})
    appointment_form = AppointmentForm(initial={"effective_on": first_day})
    correct_form = AppointmentCorrectForm()
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
        elif action == "correct":
            correct_form, status = AppointmentCorrectForm(request.POST), 400
            if correct_form.is_valid():
                done, status = call_service(
                    correct_form,
                    services.appointment_correct,
                    actor=actor,
                    candidate_id=candidate.pk,
                    **correct_form.cleaned_data,
                )
            message = _("任职日期已更正，更正记录已写入全程记实")
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
        "correct_form": correct_form,
        "correct_open": candidate.stage in services.CORRECTABLE_STAGES,
        "corrections": selectors.appointment_corrections(candidate),
        "appoint_check": _appoint_check(candidate),
    }
    return render(request, "supervision/appointment.html", context, status=status)


# ---------------------------------------------------------------------------- public notices (no login)


@require_GET
def notice_list(request):
    today = timezone.localdate()
    notices = [{"publicity": p, "current": p.starts_on <= today <= p.ends_on} for p in selectors.public_notices()]
    return render(request, "supervision/notice_list.html", {"notices": notices, "today": today})


def _too_many(request, template, context, wait):
    response = render(request, template, {**context, "too_many": services.too_many_message(wait)}, status=429)
    response["Retry-After"] = str(wait)
    return response


@never_cache
@csrf_protect
@GET_POST
def notice(request, pk):
    """The public notice with its 落款, and the online complaint form (S3) while in publicity."""
    publicity = selectors.get_public_notice(pk=pk)
    candidate = publicity.candidate
    open_for_complaints = candidate.stage in selectors.COMPLAINABLE_STAGES
    context = {"publicity": publicity, "today": timezone.localdate(), "open_for_complaints": open_for_complaints}
    status = 200
    form = None
    if open_for_complaints:
        form = PublicComplaintForm()
        if request.method == "POST":
            address = client_address(request)
            wait = services.PUBLIC_COMPLAINTS.retry_after(address)
            if wait:
                return _too_many(request, "supervision/notice.html", {**context, "form": None}, wait)
            form, status = PublicComplaintForm(request.POST), 400
            if form.is_valid():
                data = form.cleaned_data
                complaint, status = call_service(
                    form,
                    services.complaint_submit,
                    candidate_id=candidate.pk,
                    category=data["category"],
                    text=data["text"],
                    name=data["name"],
                    phone=data["phone"],
                    clear_lead=data["clear_lead"],
                )
                if complaint is not None:
                    services.PUBLIC_COMPLAINTS.hit(address)
                    return render(
                        request, "supervision/complaint_filed.html", {"complaint": complaint, "publicity": publicity}
                    )
            # a fresh question each time the form is shown again
            form.data = form.data.copy()
            form.data.pop("answer", None)
        question, token = new_challenge()
        form.initial["token"] = token
        if form.is_bound:
            form.data["token"] = token
        form.fields["answer"].label = _("验证题：%(q)s") % {"q": question}
    elif request.method == "POST":
        status = 400
        context["closed_error"] = services.NOT_COMPLAINABLE
    context["form"] = form
    return render(request, "supervision/notice.html", context, status=status)


@never_cache
@require_GET
def complaint_status(request):
    """Look up a complaint's status (never its content) by its reference."""
    reference = (request.GET.get("reference") or "").strip().upper()
    context = {"reference": reference}
    status = 200
    if reference:
        try:
            context["complaint"] = selectors.get_complaint_by_reference(reference=reference)
        except Http404:
            context["not_found"] = True
            status = 404
    return render(request, "supervision/complaint_status.html", context, status=status)


def _period(request):
    """The stats period from ?from=&to= (default: this year so far); errors in Chinese."""
    today = timezone.localdate()
    errors = {}
    values = {}
    for field, default in (("from", date(today.year, 1, 1)), ("to", today)):
        text = request.GET.get(field)
        if text in (None, ""):
            values[field] = default
            continue
        try:
            values[field] = date.fromisoformat(text)
        except ValueError:
            errors[field] = ["日期格式不正确，应为 YYYY-MM-DD"]
    if not errors and values["from"] > values["to"]:
        errors["to"] = ["结束日期不能早于开始日期"]
    return values.get("from"), values.get("to"), errors


@login_required
@require_GET
def complaint_stats(request):
    """S3 for supervisors and admins: received, verified (concluded), rates against the targets."""
    if not roles.has_role(request.user, roles.SUPERVISOR, roles.ADMIN):
        raise PermissionDenied
    date_from, date_to, errors = _period(request)
    stats = None if errors else selectors.complaint_stats(date_from=date_from, date_to=date_to)
    if stats and xlsx.wants_xlsx(request):
        name = f"举报统计-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"
        return xlsx.workbook_response(
            name, exports.complaint_stats_sheets(stats=stats, date_from=date_from, date_to=date_to)
        )
    rows = []
    if stats:
        labels = {"overall": _("全部举报"), "real_name": _("实名举报"), "clear_lead": _("线索清楚的举报")}
        rows = [{"key": key, "label": labels[key], **stats[key]} for key in ("overall", "real_name", "clear_lead")]
    context = {
        "rows": rows,
        "errors": errors,
        "date_from": request.GET.get("from") or (date_from and date_from.isoformat()),
        "date_to": request.GET.get("to") or (date_to and date_to.isoformat()),
    }
    return render(request, "supervision/complaint_stats.html", context, status=400 if errors else 200)
