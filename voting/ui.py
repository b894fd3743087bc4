"""Read-only helpers of the ballot pages (issue 7): what a page needs beyond voting.selectors.

Nothing here writes; every write goes through voting.services.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from guardian.shortcuts import get_objects_for_user

from cadre import roles
from cadre.models import Cadre, Candidate, Position, Selection

from . import selectors, services
from .models import BallotCode, BallotParticipation, BallotRecusal, BallotSession

Kind = BallotSession.Kind
Status = BallotSession.Status


def member_sessions(*, user) -> QuerySet[BallotSession]:
    """The decision sessions this committee member is entitled to attend, newest first."""
    if not user.is_authenticated or not roles.has_role(user, roles.COMMITTEE_MEMBER):
        return BallotSession.objects.none()
    return (
        BallotSession.objects.filter(kind=Kind.DECISION, entitled=user)
        .select_related("meeting", "selection")
        .order_by("-id")
    )


def workable_selections(*, user) -> QuerySet[Selection]:
    """The selections this staff member is assigned to (cadre.selectors.can_work_on, as one query)."""
    if not roles.has_role(user, roles.ORG_STAFF):
        return Selection.objects.none()
    return get_objects_for_user(user, roles.WORK_ON_SELECTION, klass=Selection, accept_global_perms=False)


def managed_sessions(*, user) -> QuerySet[BallotSession]:
    """The sessions this staff member may open and close (selectors.can_manage_session, as one query)."""
    if not roles.has_role(user, roles.ORG_STAFF):
        return BallotSession.objects.none()
    return (
        BallotSession.objects.filter(
            Q(selection__in=workable_selections(user=user).values("pk")) | Q(selection__isnull=True, created_by=user)
        )
        .select_related("selection", "meeting")
        .order_by("-id")
    )


def is_entitled(*, user, session: BallotSession) -> bool:
    return session.kind == Kind.DECISION and session.entitled.filter(pk=user.pk).exists()


def is_present(*, user, session: BallotSession) -> bool:
    return session.present.filter(pk=user.pk).exists()


def has_voted(*, user, session: BallotSession) -> bool:
    return BallotParticipation.objects.filter(session=session, user=user).exists()


def may_see_bulletin(*, user, session: BallotSession) -> bool:
    """As the API's bulletin: supervisors, admins, the session's staff, and the members present."""
    return (
        roles.reads_everything(user)
        or selectors.can_manage_session(user=user, session=session)
        or is_present(user=user, session=session)
    )


def get_brief_candidate_for_member(*, user, session: BallotSession, candidate_pk) -> Candidate:
    """V7: a candidate of a decision session this member is entitled to attend (404 otherwise)."""
    if not is_entitled(user=user, session=session):
        raise Http404("人选不存在")
    try:
        return Candidate.objects.select_related(
            "cadre__unit", "cadre__position__unit", "position__unit", "selection"
        ).get(pk=int(candidate_pk), pk__in=session.items.values("candidate_id"))
    except (Candidate.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("人选不存在") from exc


def session_for_code(code: str) -> BallotSession | None:
    """The session a typed code belongs to (codes are unique across sessions), or None."""
    found = BallotCode.objects.filter(digest=services.code_digest(code)).select_related("session").first()
    return found.session if found else None


def codes_used(session: BallotSession) -> int:
    return session.codes.filter(used=True).count()


def names(session: BallotSession) -> dict:
    """Display names for a tally: candidates, cadres and posts of the session."""
    items = list(
        session.items.select_related("candidate__cadre", "candidate__position__unit", "cadre", "position__unit")
    )
    candidates = {i.candidate_id: i.candidate for i in items if i.candidate_id}
    cadre_ids = {i.cadre_id for i in items if i.cadre_id}
    position_ids = {i.position_id for i in items if i.position_id} | {c.position_id for c in candidates.values()}
    for item in items:
        cadre_ids.update(item.options.values_list("pk", flat=True))
    return {
        "candidates": {pk: c.cadre.name for pk, c in candidates.items()},
        "cadres": dict(Cadre.objects.filter(pk__in=cadre_ids).values_list("pk", "name")),
        "positions": {p.pk: str(p) for p in Position.objects.filter(pk__in=position_ids).select_related("unit")},
    }


def tally_rows(session: BallotSession) -> list[dict]:
    """The closed session's tally, each row with the names to show."""
    if not session.result:
        return []
    n = names(session)
    rows = []
    for row in session.result["items"]:
        row = dict(row)
        row["candidate_name"] = n["candidates"].get(row.get("candidate"), "")
        row["cadre_name"] = n["cadres"].get(row.get("cadre"), "")
        row["position_name"] = n["positions"].get(row.get("position"), "")
        if "cadres" in row:
            row["cadres"] = [{**c, "name": n["cadres"].get(c["cadre"], "")} for c in row["cadres"]]
        rows.append(row)
    return rows


def second_vote_offered(session: BallotSession) -> bool:
    """V5: the service would accept a second vote (a closed first decision vote where a post has nobody passing)."""
    return (
        session.kind == Kind.DECISION
        and session.status == Status.CLOSED
        and session.second_vote_of_id is None
        and not BallotSession.objects.filter(second_vote_of=session).exists()
        and bool(session.result)
        and bool(selectors.failed_posts(result=session.result))
    )


def ballot_tasks(*, user) -> list[dict]:
    """The dashboard's list: for a committee member the votes they are entitled to that are not over, for
    staff the votes they run that are not over; then the page with all of them."""
    if not user.is_authenticated:
        return []
    tasks = []
    if roles.has_role(user, roles.COMMITTEE_MEMBER):
        voted = set(BallotParticipation.objects.filter(user=user).values_list("session_id", flat=True))
        tasks += [
            {
                "label": f"投票：{s.title}" + ("（已投票）" if s.pk in voted else ""),
                "url": reverse("voting:ballot", kwargs={"pk": s.pk}),
                "stage": s.get_status_display(),
            }
            for s in member_sessions(user=user).exclude(status=Status.CLOSED)
        ]
    tasks += [
        {
            "label": f"承办投票：{s.title}",
            "url": reverse("voting:ballot", kwargs={"pk": s.pk}),
            "stage": s.get_status_display(),
        }
        for s in managed_sessions(user=user).exclude(status=Status.CLOSED)
    ]
    if roles.has_role(user, roles.COMMITTEE_MEMBER) or tasks:
        tasks.append({"label": "我的会议/投票（全部）", "url": reverse("voting:ballots"), "stage": "—"})
    return tasks


def recusals(session: BallotSession) -> list:
    """V8: the recusals staff recorded for this session (the kinships' own are computed when counting)."""
    return list(
        BallotRecusal.objects.filter(item__session=session)
        .select_related("item__candidate__cadre", "user")
        .order_by("item_id", "user_id")
    )
