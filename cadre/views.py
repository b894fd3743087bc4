"""The staff workspace in the browser. Thin: parse, call a selector or a service, render.

Every page needs a login. Objects come from `cadre.selectors.get_<thing>_for_user` (404 when not
visible); writes go through `cadre.services`, whose errors are shown here in Chinese.
"""

import copy
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST
from guardian.shortcuts import get_objects_for_user, get_users_with_perms

from . import roles, rules, selectors, services
from .checkpoint import fingerprint
from .errors import Conflict, InvalidInput, NotAllowed, TransitionRefused
from .forms import (
    CADRE_FACT_FORMS,
    AssignForm,
    CadreEditForm,
    CandidateAddForm,
    CohortMoveForm,
    ImportantForm,
    PositionChangeForm,
    SelectionForm,
    SendBackForm,
    TransitionForm,
    apply_errors,
    call_service,
)
from .labels import choice_labels
from .models import (
    FORWARD,
    OPEN_STAGES,
    PENDING_STAGES,
    Cadre,
    Candidate,
    Education,
    Gender,
    MotionReason,
    RecordKind,
    Selection,
    Stage,
)
from .pagination import id_first_page
from .people import person_name
from .stages import STAGE_PAGES
from .templatetags.cadre_tags import rule_fix_url, stage_page_url
from .thresholds import snapshot

CARDS_PER_STAGE = 6
WAITING_LIMIT = 20
DEADLINE_HORIZON_DAYS = 30

# Where the dashboard's "deadlines coming" come from: dotted paths of callables `(*, user) -> list`
# of items with `date`, `label` and optionally `url` and `kind` (mappings or objects). A path
# whose module or attribute does not exist (yet) is skipped; any other error surfaces.
# The stage apps' dashboard entries, by dotted path (cadre imports no stage app). Each takes
# `user=` and returns dicts: deadlines {"date", "label", "kind", "url"}; tasks {"label", "url", "stage"}.
DEADLINE_SOURCES = [
    "nomination.selectors.upcoming_deadlines",  # R2: recommendation results about to expire
    "supervision.selectors.upcoming_deadlines",  # P1 publicity ends, A2 probation ends
]
TASK_SOURCES = [
    "inspection.selectors.inspection_tasks",  # inspectors: the candidates their teams inspect
    "voting.ui.ballot_tasks",  # committee members: the votes they are entitled to attend
    "supervision.reminders.reminder_tasks",  # staff: ended publicities (P1, P2), rotations due (C1)
]


def forbidden(request, exc: NotAllowed) -> HttpResponse:
    return render(request, "cadre/403.html", {"message": exc.message}, status=403)


# ---------------------------------------------------------------------------- dashboard


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def team_structure(*, today: date) -> dict:
    """C2: age bands, gender and education of the cadres holding a position, in one query."""
    y35, y45, y55 = (_years_ago(today, n) for n in (35, 45, 55))
    bands = {
        _("35岁以下"): Q(birth_date__gt=y35),
        _("35-45岁"): Q(birth_date__gt=y45, birth_date__lte=y35),
        _("45-55岁"): Q(birth_date__gt=y55, birth_date__lte=y45),
        _("55岁及以上"): Q(birth_date__lte=y55),
    }
    aggregates = {f"age_{i}": Count("pk", filter=q) for i, q in enumerate(bands.values())}
    aggregates |= {f"gender_{g}": Count("pk", filter=Q(gender=g)) for g in Gender.values}
    aggregates |= {f"edu_{e}": Count("pk", filter=Q(education=e)) for e in Education.values}
    aggregates["total"] = Count("pk")
    counts = Cadre.objects.filter(position__isnull=False).aggregate(**aggregates)
    return {
        "total": counts["total"],
        "age": {"labels": list(bands), "data": [counts[f"age_{i}"] for i in range(len(bands))]},
        "gender": {"labels": [str(g.label) for g in Gender], "data": [counts[f"gender_{g}"] for g in Gender.values]},
        "education": {
            "labels": [str(e.label) for e in Education],
            "data": [counts[f"edu_{e}"] for e in Education.values],
        },
    }


DEADLINE_KINDS = {
    "R2": gettext_noop("推荐有效期"),
    "publicity_end": gettext_noop("公示期满"),
    "probation_end": gettext_noop("试用期满"),
}


@dataclass
class Deadline:
    date: date
    label: str
    kind: str = ""
    url: str | None = None

    @property
    def kind_label(self) -> str:
        return _(DEADLINE_KINDS[self.kind]) if self.kind in DEADLINE_KINDS else self.kind

    @property
    def days_left(self) -> int:
        return (self.date - timezone.localdate()).days


def _as_deadline(item: dict) -> Deadline:
    return Deadline(date=item["date"], label=str(item["label"]), kind=item.get("kind", ""), url=item.get("url"))


def upcoming_deadlines(*, user) -> list[Deadline]:
    items: list[Deadline] = []
    for path in DEADLINE_SOURCES:
        items.extend(_as_deadline(item) for item in import_string(path)(user=user))
    return sorted(items, key=lambda d: d.date)


def _workable_selections(user):
    """The selections this user is assigned to (and so can work on)."""
    if not roles.has_role(user, roles.ORG_STAFF):
        return Selection.objects.none()
    return get_objects_for_user(user, roles.WORK_ON_SELECTION, klass=Selection, accept_global_perms=False)


def _pipeline(visible_candidates) -> tuple[list[dict], dict]:
    counts = dict(visible_candidates.order_by().values_list("stage").annotate(n=Count("pk")))
    cards = visible_candidates.annotate(
        row=Window(RowNumber(), partition_by=[F("stage")], order_by=[F("stage_changed_at").desc(), F("pk").desc()])
    ).filter(row__lte=CARDS_PER_STAGE)
    by_stage: dict[str, list] = {}
    for candidate in cards:
        by_stage.setdefault(candidate.stage, []).append(candidate)
    columns = [
        {
            "stage": stage,
            "count": counts.get(stage.value, 0),
            "cards": by_stage.get(stage.value, []),
            "more": counts.get(stage.value, 0) - len(by_stage.get(stage.value, [])),
            "side": stage not in FORWARD,
        }
        for stage in Stage
        if stage in FORWARD or counts.get(stage.value)
    ]
    return columns, counts


@login_required
@require_GET
def home(request):
    user = request.user
    # The visible selections' ids first (one small query): the pipeline and the waiting list then
    # read their candidates by index, not by scanning every candidate (see selection_ids_for_user).
    visible = selectors.candidates_in_selections(selection_ids=selectors.selection_ids_for_user(user=user))
    columns, counts = _pipeline(visible)
    selections = (
        selectors.selections_for_user(user=user)
        .annotate(
            n_candidates=Count("candidates"), n_open=Count("candidates", filter=Q(candidates__stage__in=OPEN_STAGES))
        )
        .order_by("-id")[:20]
    )
    waiting = visible.filter(selection__in=_workable_selections(user).values("pk"), stage__in=OPEN_STAGES).order_by(
        "stage_changed_at", "pk"
    )
    funnel = {"labels": [str(s.label) for s in FORWARD], "data": [counts.get(s.value, 0) for s in FORWARD]}
    structure = team_structure(today=timezone.localdate()) if roles.can_read_cadres(user) else None
    context = {
        "selections": selections,
        "columns": columns,
        "waiting": waiting[:WAITING_LIMIT],
        "waiting_limit": WAITING_LIMIT,
        "deadlines": upcoming_deadlines(user=user),
        "tasks": [task for path in TASK_SOURCES for task in import_string(path)(user=user)],
        "horizon": DEADLINE_HORIZON_DAYS,
        "chart_data": {"funnel": funnel, "structure": structure},
        "can_create": roles.has_role(user, roles.ORG_STAFF),
    }
    return render(request, "home.html", context)


# ---------------------------------------------------------------------------- help


ROLE_DESCRIPTIONS = {
    roles.ORG_STAFF: gettext_noop("承办分配给自己的选任工作，逐阶段推进人选；看到自己承办的选任工作和人选。"),
    roles.INSPECTOR: gettext_noop("为分配的考察对象记录谈话、测评和素质评价；只看到这些人选。"),
    roles.COMMITTEE_MEMBER: gettext_noop("阅读人选情况介绍，在所参加的会议中无记名投票。"),
    roles.SUPERVISOR: gettext_noop("审阅全程纪实、处理举报、核验记录完整性；可查看全部记录（只读）。"),
    roles.ADMIN: gettext_noop("维护用户、角色、单位、职位、日历和规则阈值；可查看全部内容。"),
}


@login_required
@require_GET
def help_page(request):
    registered = rules.registered()
    ordered = [registered[i] for i in rules.CATALOG if i in registered]
    return render(
        request,
        "cadre/help.html",
        {
            "stages": [{"stage": s, "forward": s in FORWARD} for s in Stage],
            "rules": ordered,
            "missing": [i for i in rules.CATALOG if i not in registered],
            "roles": [(_(roles.ROLE_LABELS[r]), r, _(ROLE_DESCRIPTIONS[r])) for r in roles.ROLES],
            "transition_labels": services.TRANSITION_LABELS,
        },
    )


# ---------------------------------------------------------------------------- selections


@login_required
@require_GET
def selection_list(request):
    # Paged by id first (issue #10): the counts and positions are read for the 50 rows shown, not
    # for every selection the user sees.
    visible = selectors.selections_for_user(user=request.user).order_by("-id")

    def rows(ids):
        return (
            Selection.objects.filter(pk__in=ids)
            .annotate(
                n_candidates=Count("candidates"),
                n_open=Count("candidates", filter=Q(candidates__stage__in=OPEN_STAGES)),
            )
            .prefetch_related(Prefetch("positions", queryset=selectors.positions_list()))
        )

    page = id_first_page(visible, request.GET.get("page"), rows=rows)
    reasons = choice_labels(MotionReason)
    for selection in page.object_list:
        selection.reason_label = reasons.get(selection.reason, selection.reason)
    return render(
        request,
        "cadre/selection_list.html",
        {
            "selections": page.object_list,
            "page": page,
            "can_create": roles.has_role(request.user, roles.ORG_STAFF),
        },
    )


@login_required
def selection_create(request):
    form = SelectionForm(request.POST or None, positions=selectors.positions_with_vacancies())
    if request.method == "POST" and form.is_valid():
        try:
            selection = services.selection_create(actor=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            apply_errors(form, exc.errors)
        except NotAllowed as exc:
            return forbidden(request, exc)
        except Conflict as exc:  # M3: a post without a vacancy
            for violation in exc.violations:
                form.add_error("positions", f"{violation.rule} {violation.message}")
        else:
            messages.success(request, _("已新建选任工作“%(title)s”") % {"title": selection.title})
            return redirect("cadre:selection", pk=selection.pk)
    status = 400 if form.errors else 200
    return render(request, "cadre/selection_form.html", {"form": form}, status=status)


def _assignees(selection) -> list:
    """The staff members assigned to work on the selection (object permission, not via a group)."""
    users = get_users_with_perms(
        selection, with_group_users=False, only_with_perms_in=[roles.WORK_ON_SELECTION.split(".")[-1]]
    )
    return list(users.order_by("username"))


def _assignable(assignees):
    return (
        User.objects.filter(is_active=True, groups__name=roles.ORG_STAFF)
        .exclude(pk__in=[u.pk for u in assignees])
        .order_by("username")
    )


CADRE_CHOICES_SHOWN = 50


def limit_cadre_choices(form, *, user):
    """A county has thousands of cadres: the select lists the first few (and the one chosen), and
    the search box above it fetches the matching ones (`cadre_options`)."""
    field = form.fields["cadre"]
    chosen = form["cadre"].value() if form.is_bound else None
    field.widget.choices = [
        ("", field.empty_label),
        *selectors.cadre_choices(user=user, limit=CADRE_CHOICES_SHOWN, include=chosen),
    ]


@login_required
@require_GET
def cadre_options(request):
    """htmx: the <option>s of the cadres whose name or unit contains `q`."""
    choices = selectors.cadre_choices(user=request.user, query=request.GET.get("q", ""), limit=CADRE_CHOICES_SHOWN)
    return render(request, "cadre/_cadre_options.html", {"choices": choices, "limit": CADRE_CHOICES_SHOWN})


def _selection_page(
    request, selection, *, add_form=None, move_form=None, move_results=None, assign_form=None, status=200
):
    user = request.user
    positions = list(
        selection.positions.select_related("unit")
        .annotate(pending=Count("candidates", filter=Q(candidates__stage__in=PENDING_STAGES)))
        .prefetch_related(Prefetch("holders", queryset=Cadre.objects.order_by("id")))
        .order_by("unit_id", "id")
    )
    for position in positions:
        position.vacancy = position.quota - len(position.holders.all()) - position.pending
    candidates = (
        selectors.candidates_for_user(user=user).filter(selection=selection).order_by("position_id", "stage", "id")
    )
    can_work = selectors.can_work_on(user=user, selection=selection)
    if can_work and add_form is None:
        add_form = CandidateAddForm(
            cadres=selectors.cadres_for_user(user=user), positions=selection.positions.select_related("unit")
        )
    if add_form is not None:
        limit_cadre_choices(add_form, user=user)
    assignees = _assignees(selection)
    if can_work and assign_form is None:
        assign_form = AssignForm(users=_assignable(assignees))
    context = {
        "selection": selection,
        "positions": positions,
        "candidates": candidates,
        "can_work": can_work,
        "add_form": add_form,
        "assignees": assignees,
        "assign_form": assign_form,
        "move_form": move_form or CohortMoveForm(),
        "move_results": move_results,
        "checked_ids": {c.candidate.pk for c in move_results or [] if c.outcome != "moved"},
        "needs_reason": sorted(services.NEEDS_REASON),
        "cadre_choices_shown": CADRE_CHOICES_SHOWN,
    }
    return render(request, "cadre/selection_detail.html", context, status=status)


@login_required
@require_GET
def selection_detail(request, pk):
    return _selection_page(request, selectors.get_selection_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def candidate_add(request, pk):
    selection = selectors.get_selection_for_user(user=request.user, pk=pk)
    form = CandidateAddForm(
        request.POST,
        cadres=selectors.cadres_for_user(user=request.user),
        positions=selection.positions.select_related("unit"),
    )
    status = 400
    if form.is_valid():
        try:
            candidate = services.candidate_create(actor=request.user, selection=selection, **form.cleaned_data)
        except InvalidInput as exc:
            apply_errors(form, exc.errors)
        except Conflict as exc:  # S1: already a candidate for this post
            apply_errors(form, exc.errors or {None: [exc.message]})
            status = 409
        except NotAllowed as exc:
            return forbidden(request, exc)
        else:
            messages.success(
                request,
                _("已将 %(name)s 列为%(position)s的人选")
                % {"name": candidate.cadre.name, "position": candidate.position},
            )
            current = candidate.cadre.position
            if current is not None and not selectors.is_promotion(candidate):
                messages.warning(
                    request,
                    _("请注意：%(name)s 现任%(current)s（%(level)s），拟任职务不高于现职级，属平级交流或降职，不是提拔")
                    % {"name": candidate.cadre.name, "current": current, "level": current.get_level_display()},
                )
            return redirect("cadre:selection", pk=selection.pk)
    return _selection_page(request, selection, add_form=form, status=status)


@login_required
@require_POST
def selection_assign(request, pk):
    """An assigned staff member adds a colleague to the selection (e.g. for the second entry of R1)."""
    selection = selectors.get_selection_for_user(user=request.user, pk=pk)
    form = AssignForm(request.POST, users=_assignable(_assignees(selection)))
    if form.is_valid():
        user = form.cleaned_data["user"]
        try:
            services.selection_assign(actor=request.user, selection=selection, user=user)
        except InvalidInput as exc:
            apply_errors(form, exc.errors)
        except NotAllowed as exc:
            return forbidden(request, exc)
        else:
            messages.success(request, _("已将 %(name)s 列为承办人") % {"name": person_name(user)})
            return redirect("cadre:selection", pk=selection.pk)
    return _selection_page(request, selection, assign_form=form, status=400)


@dataclass
class MoveResult:
    candidate: Candidate
    outcome: str  # moved | refused | conflict | invalid | not_allowed
    violations: list = None
    message: str = ""


def _move_one(actor, candidate, transition, reason) -> MoveResult:
    try:
        moved = services.candidate_transition(
            actor=actor, candidate_id=candidate.pk, transition=transition, reason=reason
        )
    except TransitionRefused as exc:
        return MoveResult(candidate, "refused", violations=exc.violations)
    except Conflict as exc:
        return MoveResult(candidate, "conflict", message=exc.message)
    except InvalidInput as exc:
        return MoveResult(candidate, "invalid", message="；".join(m for ms in exc.errors.values() for m in ms))
    except NotAllowed as exc:
        return MoveResult(candidate, "not_allowed", message=exc.message)
    return MoveResult(moved, "moved", message=_("已进入“%(stage)s”阶段") % {"stage": Stage(moved.stage).label})


@login_required
@require_POST
def selection_move(request, pk):
    """Cohort move: each ticked candidate by its own transition call (one transaction each)."""
    selection = selectors.get_selection_for_user(user=request.user, pk=pk)
    in_selection = selectors.candidates_for_user(user=request.user).filter(selection=selection)
    form = CohortMoveForm(request.POST, candidate_ids=in_selection.values_list("pk", flat=True))
    if not form.is_valid():
        return _selection_page(request, selection, move_form=form, status=400)
    if not selectors.can_work_on(user=request.user, selection=selection):
        return forbidden(request, NotAllowed("您未被分配承办此选任工作"))
    data = form.cleaned_data
    chosen = in_selection.filter(pk__in=data["candidates"]).order_by("id")
    results = [_move_one(request.user, c, data["transition"], data["reason"]) for c in chosen]
    return _selection_page(request, selection, move_form=form, move_results=results)


# ---------------------------------------------------------------------------- candidate


def _timeline(entries) -> list[dict]:
    items = []
    for entry in entries:
        payload = entry.payload or {}
        at = timezone.localtime(entry.at)  # what `|date` shows, without two date filters an entry
        items.append(
            {
                "entry": entry,
                "at_iso": at.isoformat(),
                "at_text": at.strftime("%Y-%m-%d %H:%M:%S"),
                "important": entry.is_important,
                "refused": entry.kind == RecordKind.REFUSED,
                "kind_label": RecordKind(entry.kind).label if entry.kind in RecordKind.values else entry.kind,
                "transition": payload.get("transition"),
                "from": payload.get("from") or payload.get("stage"),
                "to": payload.get("to"),
                "reason": payload.get("reason"),
                "rules": payload.get("rules") or [],
                "violations": payload.get("violations") or [],
                "overrides": payload.get("overrides") or {},
                "payload": payload,
                "summary": next((str(payload[k]) for k in ("summary", "label", "text", "title") if payload.get(k)), ""),
            }
        )
    return items


def _transition_options(candidate, *, can_work: bool, typed) -> list[dict]:
    """Each transition available from the current stage, with what is still missing for it."""
    names = [t.name for t in candidate.get_available_stage_transitions() if t.name != "send_back"]
    options = []
    thresholds = snapshot()
    for name in services.TRANSITIONS:
        if name not in names:
            continue
        evaluation = services.candidate_check(candidate=candidate, transition=name, thresholds=thresholds)
        violations = [{"v": v, "url": rule_fix_url(v.rule, candidate)} for v in evaluation.violations]
        hard = [v for v in evaluation.violations if not v.overridable]
        if not can_work:
            disabled = _("您未被分配承办此选任工作，不能操作")
        elif hard:
            disabled = _("尚有未满足的刚性规则：") + "、".join(dict.fromkeys(v.rule for v in hard))
        else:
            disabled = ""
        typed_here = typed if typed.get("transition") == name else {}
        soft_rules = dict.fromkeys(v.rule for v in evaluation.violations if v.overridable)
        options.append(
            {
                "name": name,
                "reason_value": typed_here.get("reason", ""),
                "override_fields": [
                    {"rule": r, "name": f"override_{r}", "value": typed_here.get(f"override_{r}", "")}
                    for r in soft_rules
                ],
                "label": _(services.TRANSITION_LABELS[name]),
                "target": _target_of(name),
                "violations": violations,
                "disabled": disabled,
                "needs_reason": name in services.NEEDS_REASON,
                "forward": _target_of(name) in FORWARD,
            }
        )
    return options


def _target_of(transition: str) -> str | None:
    for t in Candidate._meta.get_field("stage").get_all_transitions(Candidate):
        if t.name == transition:
            return t.target if isinstance(t.target, str) else None
    return None


def _candidate_page(request, candidate, *, status=200, **forms_and_errors):
    user = request.user
    can_work = selectors.can_work_on(user=user, selection=candidate.selection)
    cadre = selectors.get_cadre_for_user(user=user, pk=candidate.cadre_id) if roles.can_read_cadres(user) else None
    stage_links = [{"stage": Stage(stage), "url": stage_page_url(stage, candidate.pk)} for stage in STAGE_PAGES]
    context = {
        "candidate": candidate,
        "cadre": cadre or candidate.cadre,
        "can_work": can_work,
        "options": _transition_options(candidate, can_work=can_work, typed=forms_and_errors.get("move_data") or {}),
        "timeline": _timeline(selectors.record_for_candidate(candidate=candidate)),
        "stage_links": [link for link in stage_links if link["url"]],
        "current_stage_url": stage_page_url(candidate.stage, candidate.pk),
        "cadre_url": reverse("cadre:cadre", args=[candidate.cadre_id]) if roles.can_write_cadres(user) else None,
        "send_back_form": forms_and_errors.pop("send_back_form", None) or SendBackForm(stage=candidate.stage),
        "can_send_back": candidate.stage in FORWARD[1:-1],
        "important_form": forms_and_errors.pop("important_form", None) or ImportantForm(),
        **forms_and_errors,
    }
    return render(request, "cadre/candidate_detail.html", context, status=status)


@login_required
@require_GET
def candidate_detail(request, pk):
    return _candidate_page(request, selectors.get_candidate_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def candidate_move(request, pk):
    candidate = selectors.get_candidate_for_user(user=request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _candidate_page(request, candidate, status=400, move_errors=form.errors, move_data=request.POST)
    transition = form.cleaned_data["transition"]
    try:
        moved = services.candidate_transition(
            actor=request.user,
            candidate_id=candidate.pk,
            transition=transition,
            reason=form.cleaned_data["reason"],
            overrides=form.overrides(request.POST),
        )
    except TransitionRefused as exc:
        refusal = {
            "transition": transition,
            "violations": [{"v": v, "url": rule_fix_url(v.rule, candidate)} for v in exc.violations],
        }
        return _candidate_page(request, candidate, status=409, refusal=refusal, move_data=request.POST)
    except Conflict as exc:
        return _candidate_page(request, candidate, status=409, conflict=exc.message)
    except InvalidInput as exc:
        return _candidate_page(
            request, candidate, status=400, move_errors=exc.errors, move_data=request.POST, move_transition=transition
        )
    except NotAllowed as exc:
        return forbidden(request, exc)
    messages.success(
        request,
        _("%(name)s：%(transition)s，现处于“%(stage)s”阶段")
        % {
            "name": moved.cadre.name,
            "transition": _(services.TRANSITION_LABELS[transition]),
            "stage": Stage(moved.stage).label,
        },
    )
    return redirect("cadre:candidate", pk=candidate.pk)


@login_required
@require_POST
def candidate_send_back(request, pk):
    candidate = selectors.get_candidate_for_user(user=request.user, pk=pk)
    form = SendBackForm(request.POST, stage=candidate.stage)
    if form.is_valid():
        try:
            moved = services.candidate_send_back(actor=request.user, candidate_id=candidate.pk, **form.cleaned_data)
        except TransitionRefused as exc:
            refusal = {
                "transition": "send_back",
                "violations": [{"v": v, "url": rule_fix_url(v.rule, candidate)} for v in exc.violations],
            }
            return _candidate_page(request, candidate, status=409, refusal=refusal, send_back_form=form)
        except InvalidInput as exc:
            apply_errors(form, exc.errors)
        except Conflict as exc:
            return _candidate_page(request, candidate, status=409, conflict=exc.message, send_back_form=form)
        except NotAllowed as exc:
            return forbidden(request, exc)
        else:
            messages.success(request, _("已退回到“%(stage)s”阶段") % {"stage": Stage(moved.stage).label})
            return redirect("cadre:candidate", pk=candidate.pk)
    return _candidate_page(request, candidate, status=400, send_back_form=form)


@login_required
@require_POST
def candidate_important(request, pk):
    candidate = selectors.get_candidate_for_user(user=request.user, pk=pk)
    form = ImportantForm(request.POST)
    if form.is_valid():
        try:
            services.candidate_record_important(actor=request.user, candidate_id=candidate.pk, **form.cleaned_data)
        except InvalidInput as exc:
            apply_errors(form, exc.errors)
        except NotAllowed as exc:
            return forbidden(request, exc)
        else:
            messages.success(request, _("已记录重要情况"))
            return redirect("cadre:candidate", pk=candidate.pk)
    return _candidate_page(request, candidate, status=400, important_form=form)


# ---------------------------------------------------------------------------- cadre


def _cadre_to_edit(request, pk) -> Cadre:
    """The cadre for a write (cadre.selectors.can_edit_cadre): an id the user may not see, or staff
    the rule refuses, 404; supervisors, who read cadres but never write them, NotAllowed (403)."""
    selectors.get_cadre_for_user(user=request.user, pk=pk)
    if not roles.can_write_cadres(request.user):
        raise NotAllowed("只有组工干部和管理员可以维护干部信息")
    return selectors.get_cadre_for_edit(user=request.user, pk=pk)


def _shown(obj, name):
    display = getattr(obj, f"get_{name}_display", None)
    if display:
        return display()
    value = getattr(obj, name)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value


def _fact_kind(kind: str):
    if kind not in CADRE_FACT_FORMS:
        raise Http404("记录不存在")
    return CADRE_FACT_FORMS[kind]


def _cadre_page(request, cadre, *, status=200, **bound):
    user = request.user
    can_edit = roles.can_write_cadres(user) and selectors.can_edit_cadre(user=user, cadre=cadre)
    open_ids = set(selectors.open_candidacies(cadre_id=cadre.pk).values_list("pk", flat=True))
    visible = selectors.candidates_for_user(user=user).filter(cadre=cadre).order_by("-pk")
    facts = [
        {
            "kind": kind,
            "label": model._meta.verbose_name,
            "headers": [model._meta.get_field(name).verbose_name for name in form_class._meta.fields],
            "rows": [
                {"fact": fact, "values": [_shown(fact, name) for name in form_class._meta.fields]}
                for fact in model.objects.filter(cadre=cadre)
            ],
            "form": bound.get(f"{kind}_form") or form_class(prefix=kind),
        }
        for kind, (model, form_class) in CADRE_FACT_FORMS.items()
    ]
    context = {
        "cadre": cadre,
        "can_edit": can_edit,
        "can_write": roles.can_write_cadres(user),
        "open_count": len(open_ids),
        "candidacies": [{"candidate": c, "open": c.pk in open_ids} for c in visible],
        "facts": facts,
        "shown": [(Cadre._meta.get_field(n).verbose_name, _shown(cadre, n)) for n in CadreEditForm._meta.fields],
        "edit_form": bound.get("edit_form") or CadreEditForm(instance=copy.copy(cadre)),
        "position_form": bound.get("position_form")
        or PositionChangeForm(positions=selectors.positions_list(), initial={"on": timezone.localdate()}),
    }
    return render(request, "cadre/cadre_detail.html", context, status=status)


@login_required
@require_GET
def cadre_detail(request, pk):
    return _cadre_page(request, selectors.get_cadre_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def cadre_edit(request, pk):
    try:
        cadre = _cadre_to_edit(request, pk)
    except NotAllowed as exc:
        return forbidden(request, exc)
    form = CadreEditForm(request.POST, instance=copy.copy(cadre))
    status = 400
    if form.is_valid():
        if not form.changed_data:
            messages.info(request, _("没有修改任何信息"))
            return redirect("cadre:cadre", pk=cadre.pk)
        _result, status = call_service(form, services.cadre_update, actor=request.user, cadre=cadre, **form.changes())
        if status == 200:
            messages.success(request, _("已保存%(name)s的信息") % {"name": form.cleaned_data.get("name") or cadre.name})
            return redirect("cadre:cadre", pk=cadre.pk)
    return _cadre_page(request, cadre, status=status, edit_form=form)


@login_required
@require_POST
def cadre_position(request, pk):
    try:
        cadre = _cadre_to_edit(request, pk)
    except NotAllowed as exc:
        return forbidden(request, exc)
    form = PositionChangeForm(request.POST, positions=selectors.positions_list())
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        _result, status = call_service(
            form,
            services.cadre_change_position,
            actor=request.user,
            cadre_id=cadre.pk,
            position_id=data["position"].pk if data["position"] else None,
            reason=data["reason"],
            on=data["on"],
        )
        if status == 200:
            messages.success(request, _("已记录职务变动"))
            return redirect("cadre:cadre", pk=cadre.pk)
    return _cadre_page(request, cadre, status=status, position_form=form)


@login_required
@require_POST
def cadre_fact_add(request, pk, kind):
    model, form_class = _fact_kind(kind)
    try:
        cadre = _cadre_to_edit(request, pk)
    except NotAllowed as exc:
        return forbidden(request, exc)
    form = form_class(request.POST, prefix=kind)
    status = 400
    if form.is_valid():
        _result, status = call_service(
            form, services.cadre_fact_create, actor=request.user, cadre=cadre, model=model, **form.cleaned_data
        )
        if status == 200:
            messages.success(request, _("已新增%(fact)s") % {"fact": model._meta.verbose_name})
            return redirect("cadre:cadre", pk=cadre.pk)
    return _cadre_page(request, cadre, status=status, **{f"{kind}_form": form})


@login_required
def cadre_fact_edit(request, pk, kind, fact_id):
    model, form_class = _fact_kind(kind)
    try:
        cadre = _cadre_to_edit(request, pk)
    except NotAllowed as exc:
        return forbidden(request, exc)
    fact = selectors.get_cadre_fact(cadre=cadre, model=model, pk=fact_id)
    form = form_class(request.POST or None, instance=copy.copy(fact))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            _result, status = call_service(
                form,
                services.cadre_fact_update,
                actor=request.user,
                cadre=cadre,
                model=model,
                fact_id=fact.pk,
                **form.changes(),
            )
            if status == 200:
                messages.success(request, _("已保存%(fact)s") % {"fact": model._meta.verbose_name})
                return redirect("cadre:cadre", pk=cadre.pk)
    context = {"cadre": cadre, "fact": fact, "kind": kind, "label": model._meta.verbose_name, "form": form}
    return render(request, "cadre/cadre_fact_form.html", context, status=status)


@login_required
@require_POST
def cadre_fact_delete(request, pk, kind, fact_id):
    model, _form_class = _fact_kind(kind)
    try:
        cadre = _cadre_to_edit(request, pk)
    except NotAllowed as exc:
        return forbidden(request, exc)
    fact = selectors.get_cadre_fact(cadre=cadre, model=model, pk=fact_id)
    try:
        services.cadre_fact_delete(actor=request.user, cadre=cadre, model=model, fact_id=fact.pk)
    except InvalidInput as exc:
        messages.error(request, "；".join(str(m) for ms in exc.errors.values() for m in ms))
    except NotAllowed as exc:
        return forbidden(request, exc)
    else:
        messages.success(request, _("已删除%(fact)s") % {"fact": model._meta.verbose_name})
    return redirect("cadre:cadre", pk=cadre.pk)


# ---------------------------------------------------------------------------- record integrity (S1)

PROBLEM_LABELS = {
    "edited": gettext_noop("记录被修改"),
    "removed": gettext_noop("中间记录被删除"),
    "missing_tail": gettext_noop("末尾记录被删除"),
    "missing_chain": gettext_noop("整条记录链缺失"),
    "not_in_checkpoint": gettext_noop("与签名检查点不符"),
}


def _integrity_page(request, status=200):
    if not roles.reads_everything(request.user):
        raise Http404
    verification = selectors.latest_verification()
    broken = [
        {**item, "label": _(PROBLEM_LABELS.get(item.get("problem"), "记录被修改"))}
        for item in (verification.broken if verification else [])
    ]
    checkpoints = list(selectors.checkpoints_list()[:30])
    for checkpoint in checkpoints:
        checkpoint.fingerprint = fingerprint(checkpoint.public_key)
    context = {
        "verification": verification,
        "broken": broken,
        "checkpoints": checkpoints,
        "can_sign": roles.has_role(request.user, roles.ADMIN),
    }
    return render(request, "cadre/record_integrity.html", context, status=status)


@login_required
@require_GET
def record_integrity(request):
    """Supervisors (S6) and admins: the latest verification and the signed checkpoints to download."""
    return _integrity_page(request)


@login_required
@require_POST
def record_verify(request):
    if not roles.reads_everything(request.user):
        raise Http404
    run = services.record_verification_run()
    if run.ok:
        messages.success(request, _("纪实记录完整"))
    else:
        messages.error(request, _("纪实记录校验发现问题，见下表"))
    return redirect("cadre:record_integrity")


@login_required
@require_POST
def record_checkpoint(request):
    if not roles.reads_everything(request.user):
        raise Http404
    try:
        signed = services.record_checkpoint_sign(actor=request.user)
    except NotAllowed as exc:
        return forbidden(request, exc)
    messages.success(request, _("已签署检查点 %(id)s") % {"id": signed.pk})
    return redirect("cadre:record_integrity")


# ---------------------------------------------------------------------------- security log (supervisors, admins)

SECURITY_LOG_PAGE = 100


@login_required
@require_GET
def security_log(request):
    """安全审计日志: read-only, for supervisors and administrators (cadre.security_log writes it)."""
    from django.core.paginator import Paginator

    from .models import SecurityEvent

    if not roles.has_role(request.user, roles.SUPERVISOR, roles.ADMIN):
        raise Http404
    events = SecurityEvent.objects.all()
    kind = request.GET.get("kind", "")
    if kind in SecurityEvent.Kind.values:
        events = events.filter(kind=kind)
    else:
        kind = ""
    username = request.GET.get("username", "").replace("\x00", "").strip()[:150]
    if username:
        events = events.filter(Q(username=username) | Q(actor=username))
    page = Paginator(events, SECURITY_LOG_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cadre/security_log.html",
        {"page": page, "kind": kind, "kinds": SecurityEvent.Kind.choices, "username": username},
    )
