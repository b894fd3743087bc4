import pytest
from django.db.backends.postgresql.operations import DatabaseOperations

from cadre import roles, services
from cadre.models import Candidate, MotionReason
from inspection import demo as inspection_demo
from nomination import demo as nomination_demo
from supervision import demo as supervision_demo
from voting import demo as voting_demo
from voting import services as voting_services

from .factories import CadreFactory, PositionFactory, RecommendationResultFactory, UserFactory

_execute_sql_flush = DatabaseOperations.execute_sql_flush


def _flush_as_owner(self, sql_list):
    """Transactional tests empty every table between tests with TRUNCATE, which the record's
    triggers refuse (S1). The tests connect as the superuser, who may switch triggers off for the
    session: exactly the power the application's own role lacks (tests/cadre/test_record_integrity.py)."""
    with self.connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        _execute_sql_flush(self, sql_list)
    finally:
        with self.connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = origin")


DatabaseOperations.execute_sql_flush = _flush_as_owner


@pytest.fixture
def staff(db):
    return UserFactory(roles=[roles.ORG_STAFF])


@pytest.fixture
def other_staff(db):
    return UserFactory(roles=[roles.ORG_STAFF])


@pytest.fixture
def supervisor(db):
    return UserFactory(roles=[roles.SUPERVISOR])


@pytest.fixture
def admin_user(db):
    return UserFactory(roles=[roles.ADMIN])


@pytest.fixture
def position(db):
    return PositionFactory()


@pytest.fixture
def selection(staff, position):
    return services.selection_create(
        actor=staff, title="县财政局副局长选任", reason=MotionReason.VACANCY, positions=[position], competitive=True
    )


@pytest.fixture
def candidate(staff, selection, position) -> Candidate:
    return services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())


def recommend(candidate, *, votes=30, present=36, **meeting):
    """Give the candidate a recommendation result in their own unit for this selection."""
    return RecommendationResultFactory(
        cadre=candidate.cadre,
        votes=votes,
        meeting__selection=candidate.selection,
        meeting__unit=candidate.cadre.unit,
        meeting__present=present,
        **{f"meeting__{k}": v for k, v in meeting.items()},
    )


def prepare(candidate, actor, transition):
    """Create what the rules of `transition` need, using each stage app's demo.PREPARE."""
    for module in (nomination_demo, inspection_demo, voting_demo, supervision_demo):
        step = module.PREPARE.get(transition)
        if step is not None:
            step(candidate, actor)


def advance(candidate, actor, *transitions, prepared=True, **kwargs):
    """Move `candidate` through `transitions`; with prepared=True first fill in each stage's data."""
    for transition in transitions:
        if prepared:
            prepare(candidate, actor, transition)
        candidate = services.candidate_transition(
            actor=actor, candidate_id=candidate.pk, transition=transition, **kwargs
        )
    return candidate


def paper_result(staff, meeting, candidate, approve, disapprove=0, abstain=0, recused=0):
    """A meeting's paper result as it comes to count: `staff` enters it, a second assigned clerk
    re-enters the same numbers blind (the demo's second clerk)."""
    numbers = {
        "meeting_id": meeting.pk,
        "candidate_id": candidate.pk,
        "approve": approve,
        "disapprove": disapprove,
        "abstain": abstain,
        "recused": recused,
    }
    voting_services.decision_result_enter(actor=staff, **numbers)
    return voting_services.decision_result_confirm(actor=nomination_demo.second_staff(candidate, staff), **numbers)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 costs ~0.5 s a user on the CI machine; tests create hundreds of users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
