"""Browser pages of the decision stage 讨论决定. Thin: parse, call the service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from cadre import rules, xlsx
from cadre import services as cadre_services
from cadre.errors import Conflict, InvalidInput, NotAllowed, TransitionRefused
from cadre.forms import call_service
from cadre.models import Candidate, Stage
from cadre.selectors import can_work_on, get_candidate_for_user, get_selection_for_user
from cadre.services import candidate_check
from cadre.thresholds import snapshot

from . import codes_pdf, exports, selectors, services, throttle, ui
from .ballot_forms import SESSION_FORMS, CodeForm, PresentForm, RecusalForm
from .brief_draft import brief_draft
from .forms import AgendaForm, BriefForm, CandidateChoiceForm, MeetingForm, OpenForm, ResultForm
from .models import Ballot, BallotSession, Brief

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
    draft_state = None
    if request.method == "POST" and request.POST.get("action") == "draft":
        # V7 draft (issue #11): fills the form from the record; nothing is saved until the clerk
        # saves the edited text. An existing brief is replaced in the form only once confirmed.
        if not can_work_on(user=request.user, selection=candidate.selection):
            raise PermissionDenied("您未被分配承办此选任工作")
        if candidate.stage not in services.BRIEF_STAGES:
            raise PermissionDenied("人选当前阶段不能再修改任职推荐材料")
        if brief is not None and request.POST.get("confirm") != "1":
            draft_state = "confirm"
        else:
            form, draft_state = BriefForm(initial=brief_draft(candidate=candidate)), "drafted"
    elif request.method == "POST":
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
        "draft_state": draft_state,
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


RESULT_SERVICES = {
    "result": (
        services.decision_result_enter,
        gettext_lazy("第一次录入已保存，请另一名承办人对照纸质选票重新录入核对"),
    ),
    "confirm": (services.decision_result_confirm, gettext_lazy("两次录入一致，票决结果已确认，不能更改（V9）")),
}


def _meeting_action(request, meeting, agenda_choices):
    """Runs one POSTed action of the meeting page → (done, status, message, forms to show again)."""
    action, actor, shown = request.POST.get("action"), request.user, {}
    if action == "agenda":
        form = shown["agenda"] = AgendaForm(request.POST, candidates=agenda_choices)
        if not form.is_valid():
            return None, 400, "", shown
        done, status = call_service(
            form, services.agenda_add, actor=actor, meeting_id=meeting.pk, candidate_id=form.cleaned_data["candidate"]
        )
        return done, status, _("人选已列入会议议题"), shown
    if action == "open":
        form = shown["open"] = OpenForm(request.POST)
        if not form.is_valid():
            return None, 400, "", shown
        done, status = call_service(
            form, services.meeting_open, actor=actor, meeting_id=meeting.pk, **form.cleaned_data
        )
        return done, status, _("会议已开始，议题已锁定"), shown
    if action in RESULT_SERVICES:
        form = ResultForm(request.POST)
        shown[(action, str(form.data.get("candidate")))] = form
        if not form.is_valid():
            return None, 400, "", shown
        data = dict(form.cleaned_data)
        candidate_id = data.pop("candidate")
        if request.POST.get("save") != "1":  # the confirmation step: the computed outcome, nothing saved
            form.preview, status = call_service(
                form,
                services.decision_result_preview,
                actor=actor,
                meeting_id=meeting.pk,
                candidate_id=candidate_id,
                counts=data,
            )
            return None, status, "", shown
        service, message = RESULT_SERVICES[action]
        done, status = call_service(
            form, service, actor=actor, meeting_id=meeting.pk, candidate_id=candidate_id, **data
        )
        return done, status, message, shown
    form = shown["choice"] = CandidateChoiceForm(request.POST)
    if action not in ("discard", "second_vote", "not_passed") or not form.is_valid():
        return HttpResponse(_("未知操作"), status=400), 400, "", shown
    candidate_id = form.cleaned_data["candidate"]
    if candidate_id is None and action != "second_vote":
        return HttpResponse(_("未知操作"), status=400), 400, "", shown
    if action == "discard":
        call = {"service": services.decision_result_discard, "meeting_id": meeting.pk, "candidate_id": candidate_id}
        message = _("第一次录入已撤销，请重新录入")
    elif action == "second_vote":
        call = {"service": services.meeting_second_vote, "meeting_id": meeting.pk}
        message = _("已安排再次票决：新会议已登记，议题已列入")
    else:
        call = {
            "service": cadre_services.candidate_transition,
            "candidate_id": candidate_id,
            "transition": "reject",
            "reason": _("票决未通过，会议决定不予通过"),
        }
        message = _("已按票决未通过处理（不予通过）")
    done, status = call_service(form, actor=actor, **call)
    return done, status, message, shown


@login_required
@GET_POST
def meeting(request, pk):
    meeting = selectors.meeting_detail(meeting=selectors.get_meeting_for_user(user=request.user, pk=pk))
    if request.method == "GET" and xlsx.wants_xlsx(request):  # the table below as a file, same permission
        return xlsx.workbook_response(exports.meeting_filename(meeting), exports.meeting_sheets(meeting))
    on_agenda = {item.candidate_id for item in meeting.agenda.all()}
    agenda_choices = [
        c
        for c in meeting.selection.candidates.select_related("cadre", "position__unit")
        if c.stage in services.AGENDA_STAGES and c.pk not in on_agenda
    ]
    shown, status = {}, 200
    if request.method == "POST":
        done, status, message, shown = _meeting_action(request, meeting, agenda_choices)
        if isinstance(done, HttpResponse):
            return done
        if done is not None:
            messages.success(request, message)
            second = getattr(done, "second_vote_of_id", None) == meeting.pk
            return redirect("voting:meeting", pk=done.pk if second else meeting.pk)
    thresholds = snapshot()
    results = {r.candidate_id: r for r in meeting.results.all()}
    entries = {e.candidate_id: e for e in meeting.entries.all()}
    failed = {c.pk for c in selectors.failed_candidates(meeting=meeting, thresholds=thresholds)}
    online = BallotSession.objects.filter(meeting=meeting).exists()
    rows = []
    for item in meeting.agenda.all():
        result, entry = results.get(item.candidate_id), entries.get(item.candidate_id)
        action = None
        if meeting.is_open and result is None and not online:
            action = "result" if entry is None else "confirm"
        form = shown.get((action, str(item.candidate_id)))
        if action and form is None and (entry is None or entry.entered_by_id != request.user.pk):
            form = ResultForm(initial={"candidate": item.candidate_id, "recused": 0}, auto_id=f"id_{item.pk}_%s")
        rows.append(
            {
                "item": item,
                "result": result,
                "tally": selectors.tally(result, thresholds) if result else None,
                "entry": entry,
                "mine": entry is not None and entry.entered_by_id == request.user.pk,
                "action": action,
                "form": form,
                # did not pass and still deciding: 不予通过 (or, for a post nobody passed, a second vote)
                "failed": bool(result)
                and not selectors.tally(result, thresholds).passed
                and item.candidate.stage == Stage.DECISION,
                "revote": item.candidate_id in failed and item.candidate.stage == Stage.DECISION,
            }
        )
    quorum, pass_share = thresholds["V1.quorum"], thresholds["V3.pass_share"]
    context = {
        "meeting": meeting,
        "selection": meeting.selection,
        "can_work": can_work_on(user=request.user, selection=meeting.selection),
        "rows": rows,
        "any_revote": any(row["revote"] for row in rows),
        "second_vote": selectors.second_vote_of(meeting=meeting),
        "agenda_form": shown.get("agenda") or AgendaForm(candidates=agenda_choices),
        "agenda_choices": agenda_choices,
        "open_form": shown.get("open") or OpenForm(initial={"present": meeting.entitled}),
        "choice_errors": shown["choice"].non_field_errors() if "choice" in shown else [],
        "quorum": quorum,
        "quorum_needed": selectors.quorum_needed(entitled=meeting.entitled, quorum=quorum),
        "quorum_met": selectors.quorum_met(present=meeting.present, entitled=meeting.entitled, quorum=quorum),
        "pass_needed": selectors.votes_to_pass(entitled=meeting.entitled, pass_share=pass_share),
    }
    return render(request, "voting/meeting.html", context, status=status)


# ---------------------------------------------------------------------------- online secret ballots (issue 7)
# Committee members vote as themselves (/voting/ballots/…), participants with a one-time code on a public
# page (/voting/vote/). Receipts are shown once, in the answer to the cast: nothing stored (no session
# key, no message, no log line) puts a voter next to a receipt or a choice (V2).


POST_ONLY = require_http_methods(["POST"])
DECISION_LABELS = [
    ("approve", gettext_lazy("同意")),
    ("disapprove", gettext_lazy("不同意")),
    ("abstain", gettext_lazy("弃权")),
]
EVALUATION_LABELS = [
    ("excellent", gettext_lazy("优秀")),
    ("competent", gettext_lazy("称职")),
    ("basically_competent", gettext_lazy("基本称职")),
    ("incompetent", gettext_lazy("不称职")),
]
PAGE_THROTTLE_KEY = "vote-page"  # wrong codes on the public page match no session: counted per address


def _try(call):
    """Runs a service; returns (result, messages, field errors, status) — the refusal texts as a page shows them."""
    try:
        return call(), [], {}, 200
    except InvalidInput as exc:
        errors = {str(k): [str(m) for m in v] for k, v in exc.errors.items()}
        general = [m for k, v in errors.items() if not k.isdigit() for m in v]
        return None, general, {k: v for k, v in errors.items() if k.isdigit()}, 400
    except (Conflict, TransitionRefused) as exc:
        if isinstance(exc, TransitionRefused):
            from cadre.forms import record_pending_refusal

            record_pending_refusal(exc)
        texts = [v.message if v.rule == "stage" else f"{v.rule} {v.message}" for v in exc.violations]
        return None, texts, {}, 409
    except NotAllowed as exc:
        return None, [exc.message], {}, 403


def _choice_labels(kind):
    return DECISION_LABELS if kind == BallotSession.Kind.DECISION else EVALUATION_LABELS


def _choices_from_post(post, items) -> dict:
    """The ballot as the service takes it: {item id: choice} or, for a recommendation, {item id: [cadre ids]}."""
    choices = {}
    for item in items:
        key = f"item-{item['id']}"
        if item.get("recused"):
            continue
        if "options" in item:
            picked = []
            for value in post.getlist(key):
                try:
                    picked.append(int(value))
                except (TypeError, ValueError):
                    picked.append(value)
            choices[str(item["id"])] = picked
        elif post.get(key):
            choices[str(item["id"])] = post.get(key)
    return choices


def _ballot_rows(items, post=None, item_errors=None):
    """Items to draw on the ballot: what was marked (when re-shown) and the item's own errors."""
    rows = []
    for item in items:
        key = f"item-{item['id']}"
        row = dict(item)
        row["field"] = key
        row["errors"] = (item_errors or {}).get(str(item["id"]), [])
        if "options" in item:
            row["option_rows"] = [
                {"id": cadre_id, "name": item["option_names"].get(str(cadre_id), "")} for cadre_id in item["options"]
            ]
            row["marked"] = set(post.getlist(key)) if post is not None else set()
        else:
            row["marked"] = post.get(key) if post is not None else None
        rows.append(row)
    return rows


def _vote_url(request) -> str:
    return request.build_absolute_uri(reverse("voting:ballot_vote"))


@login_required
@require_GET
def ballot_list(request):
    """我的会议/投票: the votes a member is entitled to, and the votes a staff member runs."""
    user = request.user
    workable = ui.workable_selections(user=user).order_by("-id")[:50]
    voted = set(ui.BallotParticipation.objects.filter(user=user).values_list("session_id", flat=True))
    context = {
        "member_sessions": ui.member_sessions(user=user),
        "managed": ui.managed_sessions(user=user)[:200],
        "voted": voted,
        "workable": workable,
        "kinds": BallotSession.Kind.choices,
    }
    return render(request, "voting/ballot_list.html", context)


@login_required
@GET_POST
def ballot_create(request, pk, kind):
    """Staff assigned to the selection organise a vote of one of the three kinds."""
    selection = get_selection_for_user(user=request.user, pk=pk)
    if kind not in SESSION_FORMS:
        raise Http404("未知的投票类别")
    if not can_work_on(user=request.user, selection=selection):
        raise PermissionDenied("您未被分配承办此选任工作")
    form_class = SESSION_FORMS[kind]
    if kind == BallotSession.Kind.DECISION:
        taken = BallotSession.objects.filter(meeting__selection=selection).values("meeting_id")
        options = {"meetings": [m for m in selection.decision_meetings.exclude(pk__in=taken) if not m.is_open]}
    elif kind == BallotSession.Kind.RECOMMENDATION:
        options = {"positions": list(selection.positions.select_related("unit"))}
    else:
        cadres = {c.cadre_id: c.cadre for c in selection.candidates.select_related("cadre").order_by("pk")}
        options = {"cadres": list(cadres.values())}
    form, status = form_class(**options), 200
    if request.method == "POST":
        form, status = form_class(request.POST, **options), 400
        if form.is_valid():
            data = form.cleaned_data

            def create():
                with transaction.atomic():
                    session, codes = services.ballot_session_create(
                        actor=request.user,
                        kind=kind,
                        title=data["title"],
                        meeting_id=data.get("meeting"),
                        selection_id=selection.pk,
                        position_ids=data.get("positions"),
                        cadre_ids=data.get("cadres"),
                        body=data.get("body", ""),
                        entitled=data.get("entitled"),
                        codes=data.get("codes"),
                        unit_id=data.get("unit"),
                        year=data.get("year"),
                    )
                    if codes:  # the plain codes exist only now: the sheet is printed from them, in this transaction
                        codes_pdf.codes_pdf_save(session=session, codes=codes, vote_url=_vote_url(request))
                    return session

            session, errors, field_errors, status = _try(create)
            if session is not None:
                messages.success(request, _("投票已创建，尚未开始"))
                return redirect("voting:ballot", pk=session.pk)
            for message in errors:
                form.add_error(None, message)
            for message in (m for v in field_errors.values() for m in v):
                form.add_error(None, message)
    context = {
        "selection": selection,
        "kind": kind,
        "kind_label": BallotSession.Kind(kind).label,
        "form": form,
        "options": options,
    }
    return render(request, "voting/ballot_create.html", context, status=status)


def _recusal_form(session, data=None):
    if session.kind != BallotSession.Kind.DECISION or session.status == BallotSession.Status.CLOSED:
        return None
    items = session.items.select_related("candidate__cadre", "candidate__position__unit")
    return RecusalForm(data, items=items, members=session.entitled.all(), auto_id="id_recusal_%s")


def _member_state(session, user):
    """What a member's ballot page shows: the items (recused marked) or why they cannot vote."""
    state, reasons, _fields, _status = _try(lambda: services.ballot_for(session_id=session.pk, user=user))
    return state, reasons


@login_required
@never_cache
@GET_POST
def ballot(request, pk):
    """One vote: a member's ballot (with the briefs, V7), the staff's controls, and after closing the tally."""
    user = request.user
    session = selectors.get_ballot_session_for_user(user=user, pk=pk)
    manage = selectors.can_manage_session(user=user, session=session)
    member = ui.is_entitled(user=user, session=session)
    if request.method == "GET" and xlsx.wants_xlsx(request):  # the announced tally as a file (404 before)
        return xlsx.workbook_response(exports.ballot_filename(session), exports.ballot_sheets(session))
    if request.method == "GET" and request.GET.get("part") == "cast" and manage:  # htmx: the count, every few seconds
        return HttpResponse(str(Ballot.objects.filter(session=session).count()), content_type="text/plain")
    errors, item_errors, status, receipt, post = [], {}, 200, None, None
    recusal_form = present_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cast" and member:
            state, reasons = _member_state(session, user)
            if state is None:  # why they cannot vote is shown in place of the ballot
                status = 409
            else:
                post = request.POST
                choices = _choices_from_post(post, state["items"])
                receipt, errors, item_errors, status = _try(
                    lambda: services.ballot_cast(session_id=session.pk, choices=choices, user=user)
                )
            if receipt is not None:
                return render(request, "voting/ballot_receipt.html", {"session": session, "receipt": receipt})
        elif action == "recusal" and manage and session.kind == BallotSession.Kind.DECISION:
            recusal_form = _recusal_form(session, request.POST)
            done, errors, status = None, [], 400
            if recusal_form.is_valid():
                data = recusal_form.cleaned_data
                done, errors, _f, status = _try(
                    lambda: services.ballot_recusal_record(
                        actor=user,
                        session_id=session.pk,
                        item_id=data["item"],
                        user_id=data["user"],
                        reason=data["reason"],
                    )
                )
                for message in errors + [m for v in _f.values() for m in v]:
                    recusal_form.add_error(None, message)
                errors = []
            if done is not None:
                messages.success(request, _("回避已登记并记入全程纪实"))
                return redirect("voting:ballot", pk=session.pk)
        elif action in ("open", "close", "second_vote") and manage:
            if action == "open":
                present_form = PresentForm(request.POST, members=session.entitled.all())
                ids = present_form.cleaned_data.get("present", []) if present_form.is_valid() else []
                done, errors, _f, status = _try(
                    lambda: services.ballot_session_open(actor=user, session_id=session.pk, present=ids)
                )
                message = _("投票已开始")
            elif action == "close":
                done, errors, _f, status = _try(
                    lambda: services.ballot_session_close(actor=user, session_id=session.pk)
                )
                message = _("投票已结束，计票结果当场公布")
            else:
                done, errors, _f, status = _try(lambda: services.ballot_second_vote(actor=user, session_id=session.pk))
                message = _("已安排再次票决")
                if done is not None:
                    messages.success(request, message)
                    return redirect("voting:ballot", pk=done.pk)
            if done is not None:
                messages.success(request, message)
                return redirect("voting:ballot", pk=session.pk)
        else:
            return HttpResponse("未知操作", status=400)
        session = BallotSession.objects.get(pk=session.pk)
    state, cannot_vote = (None, [])
    if member:
        state, cannot_vote = _member_state(session, user)
    rows = _ballot_rows(state["items"], post, item_errors) if state else []
    candidates = {}
    if session.kind == BallotSession.Kind.DECISION:
        ids = list(session.items.values_list("candidate_id", flat=True))
        briefs = {b.candidate_id: b for b in Brief.objects.filter(candidate_id__in=ids)}
        candidates = {
            c.pk: {"candidate": c, "brief": briefs.get(c.pk)}
            for c in Candidate.objects.filter(pk__in=ids).select_related("cadre", "position__unit")
        }
        for row in rows:
            row.update(candidates.get(row["candidate"], {}))
    context = {
        "session": session,
        "manage": manage,
        "member": member,
        "state": state,
        "cannot_vote": cannot_vote if member and session.status == BallotSession.Status.OPEN else [],
        "form_shown": bool(member and state and not state["voted"] and session.status == BallotSession.Status.OPEN),
        "rows": rows,
        "candidates": list(candidates.values()),
        "labels": _choice_labels(session.kind),
        "errors": errors,
        "cast": Ballot.objects.filter(session=session).count(),
        "present_count": session.present.count(),
        "entitled_count": session.entitled.count(),
        "codes_used": ui.codes_used(session) if session.uses_codes else 0,
        "present_form": present_form or (PresentForm(members=session.entitled.all()) if manage else None),
        "recusal_form": recusal_form or (_recusal_form(session) if manage else None),
        "recusals": ui.recusals(session) if manage else [],
        "tally": ui.tally_rows(session),
        "second_vote": manage and ui.second_vote_offered(session),
        "bulletin": session.status == BallotSession.Status.CLOSED and ui.may_see_bulletin(user=user, session=session),
        "codes_pdf": manage and session.uses_codes,
        "vote_url": _vote_url(request),
    }
    return render(request, "voting/ballot_detail.html", context, status=status)


@login_required
@require_GET
def ballot_brief_pdf(request, pk, candidate_pk):
    """V7: a member entitled to the vote reads the brief of a candidate it concerns (others: 404)."""
    from weasyprint import HTML

    session = selectors.get_ballot_session_for_user(user=request.user, pk=pk)
    candidate = ui.get_brief_candidate_for_member(user=request.user, session=session, candidate_pk=candidate_pk)
    brief = selectors.brief_of(candidate)
    if brief is None:
        raise Http404("尚未形成任职推荐材料")
    html = render_to_string("voting/brief_pdf.html", {"candidate": candidate, "cadre": candidate.cadre, "brief": brief})
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="brief-{candidate.pk}.pdf"'
    return response


@login_required
@require_GET
def ballot_bulletin(request, pk):
    """After closing: every (receipt, choices) pair, sorted by receipt, and the root hash."""
    session = selectors.get_ballot_session_for_user(user=request.user, pk=pk)
    if not ui.may_see_bulletin(user=request.user, session=session):
        raise PermissionDenied("您不能查看本次投票的公告板")
    return _bulletin_page(request, session)


def _bulletin_page(request, session, status=200, public=False):
    if session.status != BallotSession.Status.CLOSED:
        context = {"session": session, "entries": None, "public": public}
        return render(request, "voting/ballot_bulletin.html", context, status=409)
    entries = selectors.bulletin_entries(session=session)
    context = {
        "session": session,
        "entries": entries,
        "root": selectors.bulletin_root(entries),
        "recorded_root": session.bulletin_root,
        "public": public,
    }
    return render(request, "voting/ballot_bulletin.html", context, status=status)


@login_required
@require_GET
def ballot_codes_pdf(request, pk):
    """The sheet of codes printed when they were issued (staff of the session only; others 404)."""
    session = selectors.get_ballot_session_for_user(user=request.user, pk=pk)
    if not selectors.can_manage_session(user=request.user, session=session) or not session.uses_codes:
        raise Http404("投票码不存在")
    stored = codes_pdf.codes_pdf_open(session.pk)
    if stored is None:
        raise Http404("投票码单未生成")
    response = FileResponse(stored, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ballot-codes-{session.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _too_many(request, wait):
    context = {"form": CodeForm(), "errors": [_("错误投票码次数过多，请 %(n)s 秒后再试") % {"n": wait}]}
    response = render(request, "voting/ballot_vote.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


@never_cache
@csrf_protect
@GET_POST
def ballot_vote(request):
    """Participants without an account: type the one-time code, get the ballot, cast, get the receipt.

    The code travels in POST bodies only (the QR code puts it in the URL fragment, which is never sent)."""
    if request.method == "GET":
        return render(request, "voting/ballot_vote.html", {"form": CodeForm()})
    address = request.META.get("REMOTE_ADDR", "")
    form = CodeForm(request.POST)
    if not form.is_valid():
        return render(request, "voting/ballot_vote.html", {"form": form}, status=400)
    code = form.cleaned_data["code"].strip()
    wait = throttle.retry_after(PAGE_THROTTLE_KEY, address)
    session = ui.session_for_code(code) if not wait else None
    if session is not None:
        wait = throttle.retry_after(session.pk, address)
    if wait:
        return _too_many(request, wait)
    if session is None:
        throttle.wrong_code(PAGE_THROTTLE_KEY, address)
        return render(
            request,
            "voting/ballot_vote.html",
            {"form": form, "errors": [services.WrongCode().errors["code"][0]]},
            status=400,
        )
    context = {"form": form, "session": session, "code": code, "labels": _choice_labels(session.kind)}
    state, errors, _f, status = _try(lambda: services.ballot_for(session_id=session.pk, code=code))
    if state is None:
        return render(request, "voting/ballot_vote.html", {**context, "errors": errors}, status=status)
    if request.POST.get("action") == "bulletin" and session.status == BallotSession.Status.CLOSED:
        return _bulletin_page(request, session, public=True)
    if state["voted"]:
        return render(request, "voting/ballot_vote.html", {**context, "voted": True}, status=409)
    if session.status != BallotSession.Status.OPEN:
        text = _("投票尚未开始") if session.status == BallotSession.Status.DRAFT else _("投票已经结束")
        return render(request, "voting/ballot_vote.html", {**context, "errors": [text]}, status=409)
    item_errors, post = {}, None
    if request.POST.get("action") == "cast":
        post = request.POST
        choices = _choices_from_post(post, state["items"])
        receipt, errors, item_errors, status = _try(
            lambda: services.ballot_cast(session_id=session.pk, choices=choices, code=code)
        )
        if receipt is not None:
            return render(
                request, "voting/ballot_receipt.html", {"session": session, "receipt": receipt, "public": True}
            )
        if status == 409 and any(e.startswith("V2") for e in errors):
            return render(request, "voting/ballot_vote.html", {**context, "voted": True}, status=409)
    context.update(rows=_ballot_rows(state["items"], post, item_errors), errors=errors, ballot=True)
    return render(request, "voting/ballot_vote.html", context, status=status)
