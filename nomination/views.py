"""Browser pages of the motion, nomination and recommendation stages. Thin: parse, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cadre import citations, xlsx
from cadre.access import ensure_can_work
from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.forms import call_service
from cadre.selectors import can_work_on, get_candidate_for_user, get_selection_for_user
from cadre.services import candidate_check
from cadre.thresholds import snapshot

from . import exports, selectors, services
from .forms import (
    InspectionDecisionForm,
    MotionAgendaForm,
    NominationForm,
    RecommendationConfirmForm,
    RecommendationEntryForm,
    RecommendationUploadForm,
    TallyFileForm,
)

GET_POST = require_http_methods(["GET", "POST"])


# ---------------------------------------------------------------------------- motion (selection)


@login_required
@GET_POST
def motion(request, pk):
    selection = get_selection_for_user(user=request.user, pk=pk)
    can_work = can_work_on(user=request.user, selection=selection)
    form, status = MotionAgendaForm(), 200
    if request.method == "POST":
        ensure_can_work(request.user, selection)
        form, status = MotionAgendaForm(request.POST), 400
        if form.is_valid():
            agenda, status = call_service(
                form, services.motion_agenda_record, actor=request.user, selection_id=selection.pk, **form.cleaned_data
            )
            if agenda is not None:
                messages.success(request, _("动议议题已登记并记入全程纪实"))
                return redirect("nomination:motion", pk=selection.pk)
    context = {
        "selection": selection,
        "can_work": can_work,
        "form": form,
        "agenda": selectors.agenda_for_selection(selection=selection),
        "candidates": selection.candidates.select_related("cadre", "position__unit"),
        "m4_source": citations.source_for("M4"),
    }
    return render(request, "nomination/motion.html", context, status=status)


# ---------------------------------------------------------------------------- nomination (candidate)


@login_required
@GET_POST
def nomination(request, pk):
    candidate = get_candidate_for_user(user=request.user, pk=pk)
    can_work = can_work_on(user=request.user, selection=candidate.selection)
    form, status = NominationForm(), 200
    if request.method == "POST":
        ensure_can_work(request.user, candidate.selection)
        form, status = NominationForm(request.POST), 400
        if form.is_valid():
            done, status = call_service(
                form, services.nomination_record, actor=request.user, candidate_id=candidate.pk, **form.cleaned_data
            )
            if done is not None:
                messages.success(request, _("初始提名已登记并记入全程纪实"))
                return redirect("nomination:nomination", pk=candidate.pk)
    check = candidate_check(candidate=candidate, transition="recommend")
    context = {
        "candidate": candidate,
        "can_work": can_work,
        "form": form,
        "nominations": selectors.nominations_for_candidate(candidate=candidate),
        "agenda": selectors.agenda_for_selection(selection=candidate.selection),
        "check": check,
        "n2": check.result("N2"),  # the reference list as rule N2 sees it
        "open_stage": candidate.stage in services.NOMINATION_STAGES,
    }
    return render(request, "nomination/nomination.html", context, status=status)


# ---------------------------------------------------------------------------- recommendation (candidate)


@login_required
@require_http_methods(["GET"])
def recommendation(request, pk):
    candidate = get_candidate_for_user(user=request.user, pk=pk)
    thresholds = snapshot()
    context = {
        "candidate": candidate,
        "can_work": can_work_on(user=request.user, selection=candidate.selection),
        "results": selectors.results_for_candidate(candidate=candidate, thresholds=thresholds),
        "decisions": selectors.decisions_for_candidate(candidate=candidate),
        "check": candidate_check(candidate=candidate, transition="inspect"),
    }
    return render(request, "nomination/recommendation.html", context)


# ---------------------------------------------------------------------------- recommendation entry (selection)


def _entry_forms(selection, tables, user, data=None, action=None, meeting_pk=None):
    """Every form of the entry page; only the one that was submitted is bound to the POST data."""
    pending = [t["meeting"] for t in tables if not t["meeting"].confirmed]
    entry = RecommendationEntryForm(
        data if action == "enter" else None, cadres=selectors.ballot_cadres(selection=selection)
    )
    confirms = [
        RecommendationConfirmForm(data if action == "confirm" and m.pk == meeting_pk else None, meeting=m)
        for m in pending
        if m.entered_by_id != user.pk
    ]
    decision = InspectionDecisionForm(
        data if action == "decide" else None, candidates=selectors.decidable_candidates(selection=selection)
    )
    return entry, confirms, decision


def _meeting_pk(request):
    try:
        return int(request.POST.get("meeting", ""))
    except ValueError:
        return None


@login_required
@GET_POST
def recommendation_entry(request, pk):
    selection = get_selection_for_user(user=request.user, pk=pk)
    can_work = can_work_on(user=request.user, selection=selection)
    action = request.POST.get("action") if request.method == "POST" else None
    meeting_pk = _meeting_pk(request) if request.method == "POST" else None
    status, page_error = 200, ""
    if request.method == "GET" and request.GET.get("format") in ("xlsx", "template"):
        return _entry_file(request, selection)
    if request.method == "POST":
        ensure_can_work(request.user, selection)
    tables = selectors.meeting_tables(selection=selection)
    upload = RecommendationUploadForm(request.POST, request.FILES) if action == "upload" else RecommendationUploadForm()
    confirm_upload = TallyFileForm(request.POST, request.FILES) if action == "upload_confirm" else TallyFileForm()
    entry, confirms, decision = _entry_forms(selection, tables, request.user, request.POST, action, meeting_pk)

    if action == "enter":
        status = 400
        if entry.is_valid():
            data = entry.cleaned_data
            done, status = call_service(
                entry,
                services.recommendation_enter,
                actor=request.user,
                selection_id=selection.pk,
                unit_id=data["unit"].pk,
                kind=data["kind"],
                held_on=data["held_on"],
                entitled=data["entitled"],
                present=data["present"],
                votes=entry.votes(),
            )
            if done is not None:
                messages.success(
                    request, _("第一次录入已保存。须由另一名承办人对照纸质选票再录入一次，核对一致后方计入结果。")
                )
                return redirect("nomination:recommendation_entry", pk=selection.pk)
    elif action == "confirm":
        form = next((f for f in confirms if f.meeting.pk == meeting_pk), None)
        if form is None:
            status, page_error = 400, _("找不到待核对的民主推荐记录（可能已被确认或撤销，或为您本人录入）")
        else:
            status = 400
            if form.is_valid():
                done, status = call_service(
                    form,
                    services.recommendation_confirm,
                    actor=request.user,
                    meeting_id=meeting_pk,
                    entitled=form.cleaned_data["entitled"],
                    present=form.cleaned_data["present"],
                    votes=form.votes(),
                )
                if done is not None:
                    messages.success(request, _("两次录入一致，民主推荐结果已确认并记入全程纪实"))
                    return redirect("nomination:recommendation_entry", pk=selection.pk)
    elif action == "upload":
        status = 400
        if upload.is_valid():
            data = upload.cleaned_data
            done, status = call_service(
                upload,
                services.recommendation_enter_xlsx,
                actor=request.user,
                selection_id=selection.pk,
                unit_id=data["unit"].pk,
                kind=data["kind"],
                held_on=data["held_on"],
                data=_upload_bytes(data["file"]),
            )
            if done is not None:
                messages.success(
                    request, _("第一次录入已从 Excel 导入。须由另一名承办人再录入一次，核对一致后方计入结果。")
                )
                return redirect("nomination:recommendation_entry", pk=selection.pk)
    elif action == "upload_confirm":
        status = 400
        if _entered_by_me(tables, meeting_pk, request.user):
            status, page_error = 403, _("不能核对确认自己录入的推荐结果，须由另一名承办人重新录入")
        elif not any(f.meeting.pk == meeting_pk for f in confirms):
            page_error = _("找不到待核对的民主推荐记录（可能已被确认或撤销）")
        elif confirm_upload.is_valid():
            done, status = call_service(
                confirm_upload,
                services.recommendation_confirm_xlsx,
                actor=request.user,
                meeting_id=meeting_pk,
                data=_upload_bytes(confirm_upload.cleaned_data["file"]),
            )
            if done is not None:
                messages.success(request, _("两次录入一致，民主推荐结果已确认并记入全程纪实"))
                return redirect("nomination:recommendation_entry", pk=selection.pk)
    elif action == "discard":
        try:
            services.recommendation_discard(actor=request.user, meeting_id=meeting_pk)
        except InvalidInput as exc:
            status, page_error = 400, "；".join(m for ms in exc.errors.values() for m in ms)
        except (Conflict, NotAllowed) as exc:
            status, page_error = 409, exc.message
        else:
            messages.success(request, _("未确认的录入已撤销"))
            return redirect("nomination:recommendation_entry", pk=selection.pk)
    elif action == "decide":
        status = 400
        if decision.is_valid():
            data = decision.cleaned_data
            done, status = call_service(
                decision,
                services.inspection_decision_record,
                actor=request.user,
                selection_id=selection.pk,
                meeting_date=data["meeting_date"],
                reasons=data["reasons"],
                candidate_ids=[c.pk for c in data["candidates"]],
            )
            if done is not None:
                messages.success(request, _("部长办公会确定考察对象的情况已登记并记入全程纪实"))
                return redirect("nomination:recommendation_entry", pk=selection.pk)
    elif action is not None:
        status, page_error = 400, _("未知的操作")

    context = {
        "selection": selection,
        "can_work": can_work,
        "tables": tables,
        "entry": entry,
        "confirms": confirms,
        "decision": decision,
        "decisions": selectors.decisions_for_selection(selection=selection),
        "page_error": page_error,
        "user_pk": request.user.pk,
        "upload": upload,
        "confirm_upload": confirm_upload,
        "upload_meeting": meeting_pk if action == "upload_confirm" else None,
    }
    return render(request, "nomination/recommendation_entry.html", context, status=status)


def _upload_bytes(upload) -> bytes:
    """At most one byte more than the limit is read: the service refuses the rest by size."""
    return upload.read(xlsx.MAX_UPLOAD + 1)


def _entered_by_me(tables, meeting_pk, user) -> bool:
    """A pending first entry of this user's own (the second entry must be another clerk's)."""
    return any(
        t["meeting"].pk == meeting_pk and not t["meeting"].confirmed and t["meeting"].entered_by_id == user.pk
        for t in tables
    )


def _entry_file(request, selection):
    """?format=xlsx: the confirmed tallies; ?format=template (&meeting= for a second entry): the template."""
    if request.GET["format"] == "xlsx":
        return xlsx.workbook_response(f"{selection.title}-民主推荐结果.xlsx", exports.tally_sheets(selection))
    meeting = request.GET.get("meeting", "")
    if meeting:
        pending = selection.recommendation_meetings.filter(pk=int(meeting) if meeting.isdigit() else 0)
        found = pending.filter(confirmed_by__isnull=True).select_related("unit").first()
        if found is None:
            raise Http404(_("找不到待核对的民主推荐记录"))
        title = f"{selection.title}｜{found.unit.name}｜{found.held_on:%Y-%m-%d}（第二次录入）"
        cadres = selectors.second_entry_cadres(meeting=found)
        name = f"民主推荐第二次录入模板-{found.held_on:%Y%m%d}.xlsx"
    else:
        title, cadres = f"{selection.title}（第一次录入）", selectors.ballot_cadres(selection=selection)
        name = f"{selection.title}-民主推荐票数模板.xlsx"
    return xlsx.workbook_response(name, exports.template_sheets(cadres, title=title))
