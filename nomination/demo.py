"""Data that lets a candidate pass the rules of this app's stages, for demo data and tests.

PREPARE maps a transition name to a function (candidate, actor) -> None that creates, through
this app's services, what the rules registered for that transition need (idempotent).

N2 (reference list of a chief post) is a question of how many candidates a selection has: that is
for the caller to arrange, so nothing here invents candidates.
"""

from django.contrib.auth.models import User

from cadre import demo_dates, roles
from cadre.dates import motion_date
from cadre.selectors import can_work_on
from cadre.services import selection_assign, user_create

from . import services
from .models import InspectionDecision, MotionAgenda, NominationSource, RecommendationMeeting, RecommendationResult

SECOND_ENTRY_USERNAME = "demo_second_entry"


def prepare_nominate(candidate, actor):
    """M4: the motion's decision item is on a meeting agenda."""
    if MotionAgenda.objects.filter(selection=candidate.selection_id).exists():
        return
    services.motion_agenda_record(
        actor=actor,
        selection_id=candidate.selection_id,
        meeting_name="县委常委会会议",
        meeting_date=demo_dates.days_ago(demo_dates.MOTION),
        item=f"研究{candidate.selection.title}动议事项",
    )


def prepare_recommend(candidate, actor):
    """N1: an organization-department nomination."""
    if any(not n.problems for n in candidate.nominations.all()):
        return
    services.nomination_record(
        actor=actor,
        candidate_id=candidate.pk,
        source=NominationSource.ORG_DEPT,
        nominator="县委组织部",
        reasons="按照职位要求，经组织部门研究提名",
    )


def second_staff(candidate, actor) -> User:
    """Another assigned staff member for the second, blind entry (a demo account that cannot log in)."""
    user = User.objects.filter(username=SECOND_ENTRY_USERNAME).first()
    if user is None:
        user = user_create(
            username=SECOND_ENTRY_USERNAME,
            password=None,
            role_names=[roles.ORG_STAFF],
            last_name="孙",
            first_name="丽华",
        )
    if user.pk == actor.pk:
        raise RuntimeError("the demo second-entry account cannot also make the first entry")
    if not can_work_on(user=user, selection=candidate.selection):
        selection_assign(actor=actor, selection=candidate.selection, user=user)
        user = User.objects.get(pk=user.pk)  # drop guardian's cached permissions
    return user


def prepare_inspect(candidate, actor):
    """R2/R3: a confirmed recommendation in the cadre's own unit with a good share; R5: the ministers' decision."""
    cadre = candidate.cadre
    motion = motion_date(candidate.selection_id)  # dates follow the ones before (#11)
    has_result = RecommendationResult.objects.filter(
        cadre=cadre,
        meeting__selection=candidate.selection_id,
        meeting__unit=cadre.unit_id,
        meeting__confirmed_by__isnull=False,
    ).exists()
    if not has_result:
        numbers = {"entitled": 40, "present": 36, "votes": {cadre.pk: 30}}
        meeting = services.recommendation_enter(
            actor=actor,
            selection_id=candidate.selection_id,
            unit_id=cadre.unit_id,
            kind=RecommendationMeeting.Kind.MEETING,
            held_on=demo_dates.on_or_after(demo_dates.days_ago(demo_dates.RECOMMENDATION), motion),
            **numbers,
        )
        services.recommendation_confirm(actor=second_staff(candidate, actor), meeting_id=meeting.pk, **numbers)
    if not InspectionDecision.objects.filter(selection=candidate.selection_id, candidates=candidate).exists():
        held = RecommendationMeeting.objects.filter(
            selection=candidate.selection_id, confirmed_by__isnull=False, results__cadre=cadre
        ).values_list("held_on", flat=True)
        services.inspection_decision_record(
            actor=actor,
            selection_id=candidate.selection_id,
            meeting_date=demo_dates.on_or_after(demo_dates.days_ago(demo_dates.INSPECTION_DECISION), motion, *held),
            reasons="综合民主推荐、年度考核和一贯表现，研究确定为考察对象",
            candidate_ids=[candidate.pk],
        )


PREPARE: dict = {
    "nominate": prepare_nominate,
    "recommend": prepare_recommend,
    "inspect": prepare_inspect,
}
