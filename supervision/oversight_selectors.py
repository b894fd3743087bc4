"""Reads of the supervisors' section 监督 (S1, S2, S4, S6): every selection and candidate, read-only.

Supervisors and administrators read everything (`cadre.roles.reads_everything`); the views refuse
anyone else. Every function here makes a fixed number of queries whatever the number of rows: the
lists are paginated querysets, and what a page shows about its rows (counts, responsible persons,
assignees) is fetched for the page's ids in one grouped query each.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_noop
from guardian.models import UserObjectPermission

from cadre import people, roles
from cadre.models import FORWARD, OPEN_STAGES, Candidate, RecordEntry, RecordKind, Selection, Stage
from cadre.record_text import SYSTEM
from cadre.services import IMPORTANT_CATEGORIES

from .models import Complaint

# ---------------------------------------------------------------------------- candidates and selections


def oversight_candidates(*, selection_id: int | None = None, stage: str | None = None, q: str = "") -> QuerySet:
    """Every candidate of every selection (S6), newest selection first, filtered."""
    qs = Candidate.objects.select_related("cadre", "position__unit", "selection")
    if selection_id is not None:
        qs = qs.filter(selection_id=selection_id)
    if stage:
        qs = qs.filter(stage=stage)
    if q:
        qs = qs.filter(cadre__name__icontains=q)
    return qs.order_by("-selection_id", "position_id", "pk")


def candidates_in_order(ids: list[int]) -> list[Candidate]:
    """The candidates with these ids, in this order, with what the lists show (one query).

    The lists paginate the ids alone (`oversight_candidates(...).values_list("pk")`): PostgreSQL
    then sorts narrow candidate rows, not the rows joined with cadre, post, unit and selection —
    a page deep in 10,000 candidates costs 6 ms instead of 58 (benchmarks/bench_oversight.py)."""
    found = Candidate.objects.select_related("cadre", "position__unit", "selection").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def oversight_selections() -> QuerySet[Selection]:
    """Every selection, newest first, with its candidates counted (open ones too)."""
    return (
        Selection.objects.select_related("created_by")
        .annotate(
            n_candidates=Count("candidates"),
            n_open=Count("candidates", filter=Q(candidates__stage__in=OPEN_STAGES)),
        )
        .order_by("-pk")
    )


def selection_choices(*, limit: int = 300, include: int | None = None) -> list[tuple[int, str]]:
    """(pk, title) of the newest selections for a filter, plus the one chosen: one narrow query."""
    rows = Selection.objects.order_by("-pk")
    if include is not None:
        rows = rows.filter(pk__in=rows.values("pk")[:limit]) | rows.filter(pk=include)
    else:
        rows = rows[:limit]
    return list(rows.values_list("pk", "title"))


def stage_counts() -> dict[str, int]:
    return dict(Candidate.objects.order_by().values_list("stage").annotate(n=Count("pk")))


def open_complaints_total() -> int:
    return Complaint.objects.exclude(status=Complaint.Status.CONCLUDED).count()


def annotate_candidates(candidates: list[Candidate]) -> list[Candidate]:
    """Give each candidate of a page `n_entries`, `n_important`, `last_at`, `n_complaints` and
    `n_open_complaints`: two grouped queries for the whole page."""
    ids = [c.pk for c in candidates]
    entries = {
        row["candidate_id"]: row
        for row in RecordEntry.objects.filter(candidate_id__in=ids)
        .order_by()
        .values("candidate_id")
        .annotate(n=Count("pk"), important=Count("pk", filter=Q(kind=RecordKind.IMPORTANT)), last=Max("at"))
    }
    complaints = {
        row["candidate_id"]: row
        for row in Complaint.objects.filter(candidate_id__in=ids)
        .order_by()
        .values("candidate_id")
        .annotate(n=Count("pk"), open=Count("pk", filter=~Q(status=Complaint.Status.CONCLUDED)))
    }
    for c in candidates:
        e, k = entries.get(c.pk, {}), complaints.get(c.pk, {})
        c.n_entries, c.n_important, c.last_at = e.get("n", 0), e.get("important", 0), e.get("last")
        c.n_complaints, c.n_open_complaints = k.get("n", 0), k.get("open", 0)
    return candidates


def annotate_selections(selections: list[Selection]) -> list[Selection]:
    """Give each selection of a page `n_important` and `n_open_complaints` (two grouped queries)."""
    ids = [s.pk for s in selections]
    important = dict(
        RecordEntry.objects.filter(kind=RecordKind.IMPORTANT, candidate__selection_id__in=ids)
        .order_by()
        .values_list("candidate__selection_id")
        .annotate(n=Count("pk"))
    )
    open_complaints = dict(
        Complaint.objects.filter(candidate__selection_id__in=ids)
        .exclude(status=Complaint.Status.CONCLUDED)
        .order_by()
        .values_list("candidate__selection_id")
        .annotate(n=Count("pk"))
    )
    for s in selections:
        s.n_important, s.n_open_complaints = important.get(s.pk, 0), open_complaints.get(s.pk, 0)
    return selections


def assignees_of(selection_ids: list[int]) -> dict[int, list]:
    """The staff assigned to each selection (the guardian object permission), in one query."""
    rows = (
        UserObjectPermission.objects.filter(
            content_type=ContentType.objects.get_for_model(Selection),
            permission__codename=roles.WORK_ON_SELECTION.split(".")[-1],
            object_pk__in=[str(pk) for pk in selection_ids],
        )
        .select_related("user")
        .order_by("user__username")
    )
    found: dict[int, list] = defaultdict(list)
    for row in rows:
        found[int(row.object_pk)].append(row.user)
    return found


# ---------------------------------------------------------------------------- important situations (S2)


def _local_bounds(date_from: date | None, date_to: date | None):
    """Aware datetimes in Asia/Shanghai: from the start of `date_from` to the end of `date_to`."""
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(date_from, time.min), zone) if date_from else None
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), zone) if date_to else None
    return start, end


def important_situations(
    *,
    selection_id: int | None = None,
    category: str | None = None,
    stage: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[RecordEntry]:
    """S2: the important situations of every selection, newest first. `stage`: the stage the
    candidate was in when it was recorded, annotated on every row as `stage_then`: where the last
    transition or send back before it led (one index probe on (candidate, -seq)), `motion` before any."""
    moved = RecordEntry.objects.filter(
        candidate_id=OuterRef("candidate_id"),
        seq__lt=OuterRef("seq"),
        kind__in=[RecordKind.TRANSITION, RecordKind.SEND_BACK],
    ).order_by("-seq")
    qs = (
        RecordEntry.objects.filter(kind=RecordKind.IMPORTANT)
        .select_related("candidate__cadre", "candidate__position__unit", "candidate__selection")
        .annotate(
            stage_then=Coalesce(
                Subquery(moved.annotate(to=KT("payload__to")).values("to")[:1], output_field=CharField()),
                Value(Stage.MOTION.value),
            )
        )
    )
    if selection_id is not None:
        qs = qs.filter(candidate__selection_id=selection_id)
    if category:
        qs = qs.filter(payload__category=category)
    if stage:
        qs = qs.filter(stage_then=stage)
    start, end = _local_bounds(date_from, date_to)
    if start:
        qs = qs.filter(at__gte=start)
    if end:
        qs = qs.filter(at__lt=end)
    return qs.order_by("-at", "-pk")


def important_categories() -> dict[str, str]:
    return dict(IMPORTANT_CATEGORIES)


# ---------------------------------------------------------------------------- responsibility (S4)

# Entries that are nobody's responsibility for a stage: refused attempts and master-data changes.
NOT_RESPONSIBILITY = (RecordKind.REFUSED, RecordKind.CADRE_CHANGED)
STAGE_ORDER = [*FORWARD, Stage.SUSPENDED, Stage.ELIMINATED, Stage.WITHDRAWN, Stage.REJECTED]


@dataclass
class StageResponsibility:
    stage: str
    actors: list[str] = field(default_factory=list)  # who acted, in order of first appearance
    named: list[tuple[str, str]] = field(default_factory=list)  # (role, who) named by the record
    first_at: datetime | None = None
    last_at: datetime | None = None

    @property
    def label(self) -> str:
        return Stage(self.stage).label

    def add_actor(self, name: str):
        if name and name not in self.actors:
            self.actors.append(name)

    def add_named(self, role: str, who):
        if who and (role, str(who)) not in self.named:
            self.named.append((role, str(who)))


@dataclass
class Responsibility:
    candidate_id: int
    stages: list[StageResponsibility]

    def stage(self, stage: str) -> StageResponsibility | None:
        return next((s for s in self.stages if s.stage == stage), None)

    # S4's three: who nominated, who inspected, who decided.
    @property
    def nominated(self):
        return self.stage(Stage.NOMINATION)

    @property
    def inspected(self):
        return self.stage(Stage.INSPECTION)

    @property
    def decided(self):
        return self.stage(Stage.DECISION)


def _person(login: str) -> str:
    if login == "system":
        return SYSTEM
    return people.name_of_login(login)


def _named(row: dict) -> list[tuple[str, object]]:
    """The persons an entry names as responsible (besides its actor), by what it records."""
    fact = row["fact"]
    if fact == "nomination":
        return [(gettext_noop("提名人"), row["nominator"])]
    if fact in ("inspection_team", "inspection_team_member"):
        # The record keeps logins (S1); people read names (cadre.people, cached: no query once warm).
        members = [_person(m) for m in row["members"] or []]
        leader = _person(row["leader"]) if row["leader"] else row["leader"]
        return [(gettext_noop("考察组组长"), leader)] + [
            (gettext_noop("考察组成员"), m) for m in members if m != leader
        ]
    if fact == "inspection_decision":
        return [(gettext_noop("部长办公会"), row["meeting_date"])]
    if fact == "decision_result":
        return [(gettext_noop("决定会议"), f"{row['meeting_title'] or ''}（{row['held_on'] or ''}）")]
    if fact in ("complaint_assigned", "complaint_investigating"):
        return [(gettext_noop("举报承办人"), row["investigator_name"])]
    return []


def responsibilities(candidate_ids: list[int]) -> dict[int, Responsibility]:
    """S4, who was responsible at each stage of each candidate, from the record (one query).

    An entry counts for the stage the candidate was in when it was written; a transition or send
    back counts for the stage it led into (who nominated: the actor of `nominate`; who decided:
    the actors in 讨论决定, and the meeting the record names). Besides the actors, the record names
    nominators (N1), the inspection team (I2), the 部长办公会 (R5), the deciding meeting and the
    complaints' investigators. Refused attempts and cadre changes are left out.
    """
    keys = (
        "to",
        "fact",
        "nominator",
        "members",
        "leader",
        "meeting_date",
        "meeting_title",
        "held_on",
        "investigator_name",
    )
    rows = (
        RecordEntry.objects.filter(candidate_id__in=candidate_ids)
        .exclude(kind__in=NOT_RESPONSIBILITY)
        .order_by("candidate_id", "seq")
        .values("candidate_id", "seq", "kind", "at", "actor_name", **{k: _key(k) for k in keys})
    )
    by_candidate: dict[int, dict[str, StageResponsibility]] = defaultdict(dict)
    current: dict[int, str] = {}
    for row in rows:
        cid = row["candidate_id"]
        stage = current.get(cid, Stage.MOTION.value)
        if row["kind"] in (RecordKind.TRANSITION, RecordKind.SEND_BACK) and row["to"]:
            stage = current[cid] = row["to"]
        item = by_candidate[cid].get(stage)
        if item is None:
            item = by_candidate[cid][stage] = StageResponsibility(stage=stage)
        item.add_actor(_person(row["actor_name"]))
        item.first_at = item.first_at or row["at"]
        item.last_at = row["at"]
        named_stage = Stage.NOMINATION.value if row["fact"] == "nomination" else stage
        for role, who in _named(row):
            target = by_candidate[cid].setdefault(named_stage, StageResponsibility(stage=named_stage))
            target.add_named(role, who)
    result = {}
    for cid in candidate_ids:
        found = by_candidate.get(cid, {})
        stages = [found[s] for s in STAGE_ORDER if s in found]
        stages += [v for k, v in found.items() if k not in STAGE_ORDER]
        result[cid] = Responsibility(candidate_id=cid, stages=stages)
    return result


def _key(name: str):
    """A payload key as text (KT), or as JSON for a list (`members`)."""
    return F(f"payload__{name}") if name == "members" else KT(f"payload__{name}")


# ---------------------------------------------------------------------------- complaints


def oversight_complaints(
    *, status: str | None = None, selection_id: int | None = None, assigned_to=None
) -> QuerySet[Complaint]:
    """Every complaint (S3), newest first, with its candidate and investigator."""
    qs = Complaint.objects.select_related(
        "candidate__cadre", "candidate__position__unit", "candidate__selection", "assigned_to"
    )
    if status == "open":
        qs = qs.exclude(status=Complaint.Status.CONCLUDED)
    elif status:
        qs = qs.filter(status=status)
    if selection_id is not None:
        qs = qs.filter(candidate__selection_id=selection_id)
    if assigned_to is not None:
        qs = qs.filter(assigned_to=assigned_to)
    return qs.order_by("-received_on", "-pk")


def complaints_for_candidate(candidate_id: int) -> list[Complaint]:
    return list(
        Complaint.objects.filter(candidate_id=candidate_id)
        .select_related("assigned_to")
        .order_by("-received_on", "-pk")
    )
