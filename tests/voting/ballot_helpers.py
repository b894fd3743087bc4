"""Builders shared by the online-ballot tests: candidates in the decision stage, committee members,
sessions through the services."""

from datetime import date

from cadre import roles
from cadre import services as cadre_services
from cadre.models import MotionReason
from voting import services

from ..conftest import advance
from ..factories import CadreFactory, PositionFactory, UserFactory


def members(n: int) -> list:
    return [UserFactory(roles=[roles.COMMITTEE_MEMBER]) for _ in range(n)]


def deciding_pair(staff, *, position=None, competitive=True):
    """Two candidates for one post, both in the decision stage (R4: two inspection objects for one post)."""
    position = position or PositionFactory()
    selection = cadre_services.selection_create(
        actor=staff,
        title="县某局副局长选任",
        reason=MotionReason.VACANCY,
        positions=[position],
        competitive=competitive,
    )
    pair = [
        cadre_services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
        for _ in range(2)
    ]
    pair = [advance(c, staff, "nominate", "recommend", "inspect") for c in pair]
    return [advance(c, staff, "deliberate", "decide") for c in pair]


def decision_session(staff, candidates, voters, *, title="县委常委会票决", body=""):
    meeting = services.meeting_create(
        actor=staff, selection=candidates[0].selection, held_on=date.today(), title=title, entitled=len(voters)
    )
    for candidate in candidates:
        services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=candidate.pk)
    session, codes = services.ballot_session_create(
        actor=staff,
        kind="decision",
        title=title,
        meeting_id=meeting.pk,
        entitled=[u.pk for u in voters],
        body=body,
    )
    assert codes == []
    return session


def item_of(session, candidate) -> int:
    return session.items.get(candidate=candidate).pk
