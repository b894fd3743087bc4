"""Reads. Every `get_<thing>_for_user` returns the object or raises Http404, so ids never leak."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from guardian.shortcuts import get_objects_for_user

from . import roles
from .models import (
    LEVEL_RANK,
    OPEN_STAGES,
    PENDING_STAGES,
    Cadre,
    Candidate,
    Level,
    Position,
    RecordCheckpoint,
    RecordEntry,
    RecordVerification,
    ReserveCadre,
    Selection,
    Unit,
)


def selections_for_user(*, user) -> QuerySet[Selection]:
    if roles.reads_everything(user):
        return Selection.objects.all()
    if roles.has_role(user, roles.ORG_STAFF):
        return get_objects_for_user(user, roles.WORK_ON_SELECTION, klass=Selection, accept_global_perms=False)
    return Selection.objects.none()


def get_selection_for_user(*, user, pk) -> Selection:
    try:
        return selections_for_user(user=user).get(pk=pk)
    except (Selection.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("选任工作不存在") from exc


def can_work_on(*, user, selection: Selection) -> bool:
    """Changing a selection or its candidates: an assigned organization staff member."""
    return roles.has_role(user, roles.ORG_STAFF) and user.has_perm(roles.WORK_ON_SELECTION, selection)


def candidates_for_user(*, user) -> QuerySet[Candidate]:
    visible = selections_for_user(user=user)
    qs = Candidate.objects.select_related("cadre", "position__unit", "selection")
    if roles.reads_everything(user):
        return qs
    return qs.filter(selection__in=visible.values("pk"))


def selection_ids_for_user(*, user) -> list[int] | None:
    """The ids of the selections the user sees, or None for every selection.

    For pages that read many of a user's candidates: PostgreSQL misjudges guardian's
    `selection.id::varchar IN (object permissions)` subquery as hundreds of selections and scans
    every candidate and cadre; a list of ids it plans by the index.
    """
    if roles.reads_everything(user):
        return None
    return list(selections_for_user(user=user).values_list("pk", flat=True))


def candidates_in_selections(*, selection_ids: list[int] | None) -> QuerySet[Candidate]:
    """The candidates of these selections (None: of every selection), as candidates_for_user reads them."""
    qs = Candidate.objects.select_related("cadre", "position__unit", "selection")
    return qs if selection_ids is None else qs.filter(selection_id__in=selection_ids)


def candidates_list_for_user(*, user) -> QuerySet[Candidate]:
    """The candidates a list shows this user: candidates_for_user, with the visible selections' ids
    read first (selection_ids_for_user), so that a staff member's page is found by index instead of
    a hash join of every candidate with guardian's permissions (issue #10)."""
    ids = selection_ids_for_user(user=user)
    qs = Candidate.objects.select_related("cadre", "position__unit").only(*LISTED_CANDIDATE_FIELDS)
    return qs if ids is None else qs.filter(selection_id__in=ids)


# What a list row of a candidate shows (CandidateSerializer, the R2 deadlines): the candidate's own
# columns and the names of its cadre and post — not every column of the cadre and the selection.
LISTED_CANDIDATE_FIELDS = (
    "id",
    "selection_id",
    "position_id",
    "cadre_id",
    "stage",
    "stage_changed_at",
    "cadre__name",
    "position__title",
    "position__unit__name",
)


def get_candidate_for_user(*, user, pk) -> Candidate:
    try:
        return candidates_for_user(user=user).get(pk=pk)
    except (Candidate.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("人选不存在") from exc


def cadres_for_user(*, user) -> QuerySet[Cadre]:
    if not roles.can_read_cadres(user):
        return Cadre.objects.none()
    return Cadre.objects.select_related("unit", "position__unit")


def cadre_choices(*, user, query: str = "", limit: int = 50, include=None) -> list[tuple[int, str]]:
    """(pk, 姓名（单位）) of up to `limit` cadres the user may pick whose name or unit contains `query`,
    plus the cadre `include` (the one already chosen), in one narrow query."""
    rows = cadres_for_user(user=user)
    query = (query or "").replace("\x00", "").strip()[:50]
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(unit__name__icontains=query))
    rows = rows.order_by("name", "pk")
    include = int(include) if str(include or "").isdigit() else None
    if include is not None:
        rows = rows.filter(pk__in=rows.values("pk")[:limit]) | rows.filter(pk=include)
    else:
        rows = rows[:limit]
    today = timezone.localdate()
    fields = ("pk", "name", "unit__name", "position__title", "position__level", "birth_date", "reserve__status")
    return [(row[0], cadre_label(*row[1:], today=today)) for row in rows.values_list(*fields)]


def cadre_label(name, unit, post, level, birth, reserve_status, *, today) -> str:
    """How a picker shows a cadre: 姓名（单位 · 现任职务 · 级别 · 年龄 · 后备状态）, so that staff see at
    once who already holds a post of the rank proposed."""
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    parts = [unit, post or gettext("无现任职务")]
    if level:
        parts.append(str(Level(level).label))
    parts.append(gettext("%(n)s岁") % {"n": age})
    if reserve_status:
        parts.append(gettext("后备：%(s)s") % {"s": ReserveCadre.Status(reserve_status).label})
    return f"{name}（{' · '.join(parts)}）"


def get_cadre_for_user(*, user, pk) -> Cadre:
    try:
        return cadres_for_user(user=user).get(pk=pk)
    except (Cadre.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("干部不存在") from exc


def open_candidacies(*, cadre_id) -> QuerySet[Candidate]:
    """The cadre's candidacies in a stage that is still open (cadre.models.OPEN_STAGES)."""
    return Candidate.objects.filter(cadre_id=cadre_id, stage__in=OPEN_STAGES)


def can_edit_cadre(*, user, cadre: Cadre) -> bool:
    """The one rule for changing a cadre's facts (basic facts, eligibility facts, post, kinships).

    - administrators: every cadre;
    - a cadre who is a candidate in an open selection (a candidacy in OPEN_STAGES): only the
      organization staff assigned to such a selection (`can_work_on`);
    - any other cadre: any organization staff member;
    - nobody else (supervisors read, inspectors and committee members do not see cadres).
    The API and the workspace answer 404 to staff refused here, 403 to the other roles.
    """
    if roles.has_role(user, roles.ADMIN):
        return True
    if not roles.has_role(user, roles.ORG_STAFF):
        return False
    selections = list(Selection.objects.filter(pk__in=open_candidacies(cadre_id=cadre.pk).values("selection_id")))
    return not selections or any(can_work_on(user=user, selection=s) for s in selections)


def get_cadre_for_edit(*, user, pk) -> Cadre:
    """The cadre if this user may see and change it (`can_edit_cadre`), else Http404.

    Callers refuse the roles that never write cadres (supervisors: 403) before calling this.
    """
    cadre = get_cadre_for_user(user=user, pk=pk)
    if not can_edit_cadre(user=user, cadre=cadre):
        raise Http404("干部不存在")
    return cadre


def get_cadre_fact(*, cadre: Cadre, model, pk):
    """One fact (assessment, evaluation, sanction …) of this cadre, or Http404."""
    try:
        return model.objects.get(cadre=cadre, pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("记录不存在") from exc


def units_list() -> QuerySet[Unit]:
    return Unit.objects.all()


def positions_list() -> QuerySet[Position]:
    return Position.objects.select_related("unit")


def positions_with_vacancies() -> QuerySet[Position]:
    """Posts with `n_holders` and `n_pending` (M3's counts, as position_occupancy makes them) in one query."""
    return positions_list().annotate(
        n_holders=Count("holders", distinct=True),
        n_pending=Count("candidates", filter=Q(candidates__stage__in=PENDING_STAGES), distinct=True),
    )


def record_for_candidate(*, candidate: Candidate) -> QuerySet[RecordEntry]:
    return candidate.record.order_by("seq")


def position_occupancy(*, position: Position, cadre: Cadre | None = None) -> dict:
    """M3, the one count of a post's places (the rule, the admin's quota and post checks, 职务变动):
    its quota, holders and pending appointments (candidates in publicity or suspended), and whether a
    place is `vacant` (holders + pending < quota). `cadre`: the one who would take the post, left out
    of both counts — taking a post one holds, or is already pending for, adds nobody."""
    holders = Cadre.objects.filter(position=position)
    pending = Candidate.objects.filter(position=position, stage__in=PENDING_STAGES)
    if cadre is not None and cadre.pk is not None:
        holders = holders.exclude(pk=cadre.pk)
        pending = pending.exclude(cadre_id=cadre.pk)
    occupancy = {"quota": position.quota, "holders": holders.count(), "pending": pending.count()}
    return {**occupancy, "vacant": occupancy["holders"] + occupancy["pending"] < position.quota}


def is_promotion(candidate: Candidate) -> bool:
    """Newly promoted 新提拔 (N3, A2): no current post, or the proposed post is of a higher level."""
    current = candidate.cadre.position
    return current is None or LEVEL_RANK.get(candidate.position.level, 0) > LEVEL_RANK.get(current.level, 0)


def checkpoints_list() -> QuerySet[RecordCheckpoint]:
    return RecordCheckpoint.objects.order_by("-id")


def get_checkpoint(*, pk) -> RecordCheckpoint:
    try:
        return RecordCheckpoint.objects.get(pk=pk)
    except (RecordCheckpoint.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("检查点不存在") from exc


def latest_verification() -> RecordVerification | None:
    return RecordVerification.objects.order_by("-at", "-id").first()
