"""Two staff members move the same candidate at the same moment: one wins, the other gets a conflict.

Each thread has its own database connection, so this is two real PostgreSQL sessions racing for
the candidate's row lock.
"""

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections

from cadre import roles, services
from cadre.errors import Conflict, TransitionRefused
from cadre.models import Candidate, MotionReason, RecordEntry, RecordHead, RecordKind, Stage
from cadre.record import verify

from ..conftest import prepare
from ..factories import CadreFactory, PositionFactory, UserFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real PostgreSQL connections"),
    # transaction=True: the threads must see committed data. serialized_rollback restores the rows
    # the migrations create (groups, thresholds) for whichever transactional test runs next.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def race():
    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)
    first, second = UserFactory(roles=[roles.ORG_STAFF]), UserFactory(roles=[roles.ORG_STAFF])
    position = PositionFactory()
    selection = services.selection_create(
        actor=first, title="并发测试", reason=MotionReason.VACANCY, positions=[position], competitive=True
    )
    services.selection_assign(actor=first, selection=selection, user=second)
    candidate = services.candidate_create(actor=first, selection=selection, position=position, cadre=CadreFactory())
    return first, second, candidate


def run_at_once(*calls):
    """Run each call in its own thread (own connection), released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a thread hung: lock never released"
    return results


def assert_lost_race(error):
    """The loser finds the candidate already moved: a refusal by the state machine (rule "stage")."""
    assert isinstance(error, TransitionRefused), repr(error)
    assert [v.rule for v in error.violations] == ["stage"]
    assert "刷新" in error.violations[0].message


def assert_one_winner(results):
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    assert_lost_race(next(value for kind, value in results if kind == "error"))


@pytest.mark.parametrize("repeat", range(3))
def test_same_transition_at_once(race, repeat):
    first, second, candidate = race
    prepare(candidate, first, "nominate")

    def move(actor):
        return lambda: services.candidate_transition(actor=actor, candidate_id=candidate.pk, transition="nominate")

    results = run_at_once(move(first), move(second))
    assert_one_winner(results)
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.NOMINATION
    rows = list(RecordEntry.objects.filter(candidate=candidate).order_by("seq"))
    assert [r.seq for r in rows] == [1, 2, 3]
    # the loser's attempt is recorded too, after the winner's transition
    assert [r.kind for r in rows] == [RecordKind.CREATED, RecordKind.TRANSITION, RecordKind.REFUSED]
    winner = next(value for kind, value in results if kind == "ok")
    assert {rows[1].actor_id, rows[2].actor_id} == {first.pk, second.pk}
    assert winner.stage == Stage.NOMINATION
    assert verify().ok


def test_different_transitions_at_once(race):
    """One nominates while the other withdraws: whichever gets the lock first decides."""
    first, second, candidate = race
    prepare(candidate, first, "nominate")
    results = run_at_once(
        lambda: services.candidate_transition(actor=first, candidate_id=candidate.pk, transition="nominate"),
        lambda: services.candidate_send_back(
            actor=second, candidate_id=candidate.pk, to_stage=Stage.MOTION, reason="材料需补充"
        ),
    )
    # send-back only works from nomination on; if it went first it conflicts, and if second it
    # wins against the fresh stage. Either way the record is one consistent chain.
    kinds = [kind for kind, _ in results]
    if kinds == ["ok", "error"]:
        assert isinstance(results[1][1], Conflict)
        assert Candidate.objects.get(pk=candidate.pk).stage == Stage.NOMINATION
    else:
        assert kinds == ["ok", "ok"]
        assert Candidate.objects.get(pk=candidate.pk).stage == Stage.MOTION
    seqs = list(RecordEntry.objects.filter(candidate=candidate).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert verify().ok


def test_withdraw_races_nominate(race):
    first, second, candidate = race
    prepare(candidate, first, "nominate")
    results = run_at_once(
        lambda: services.candidate_transition(actor=first, candidate_id=candidate.pk, transition="nominate"),
        lambda: services.candidate_transition(
            actor=second, candidate_id=candidate.pk, transition="withdraw", reason="本人申请"
        ),
    )
    # withdraw is allowed from motion and from nomination, so both may succeed in either order
    # unless withdraw wins first, in which case nominate conflicts.
    stage = Candidate.objects.get(pk=candidate.pk).stage
    assert stage == Stage.WITHDRAWN
    if results[0][0] == "error":
        assert_lost_race(results[0][1])
    # every attempt is recorded: a transition or a refusal
    assert RecordEntry.objects.filter(candidate=candidate).count() == 3
    assert verify().ok


def test_second_waits_on_the_row_lock_then_conflicts(race, monkeypatch):
    """Hold the first transition inside its transaction: the second blocks on the row lock, then conflicts."""
    from cadre import rules

    first, second, candidate = race
    prepare(candidate, first, "nominate")
    inside, release = threading.Event(), threading.Event()
    evaluate = rules.evaluate

    def held_evaluate(*args, **kwargs):
        inside.set()
        assert release.wait(timeout=10)
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(rules, "evaluate", held_evaluate)
    outcome: dict = {}

    def attempt(name, actor):
        try:
            outcome[name] = services.candidate_transition(actor=actor, candidate_id=candidate.pk, transition="nominate")
        except Exception as exc:  # noqa: BLE001
            outcome[name] = exc
        finally:
            connections.close_all()

    a = threading.Thread(target=attempt, args=("first", first))
    a.start()
    assert inside.wait(timeout=10)  # the first holds the lock, mid-transaction
    b = threading.Thread(target=attempt, args=("second", second))
    b.start()
    b.join(timeout=1)
    assert b.is_alive(), "the second transition did not wait for the row lock"
    release.set()
    a.join(timeout=10)
    b.join(timeout=10)
    assert not a.is_alive() and not b.is_alive()
    assert getattr(outcome["first"], "stage", None) == Stage.NOMINATION, outcome
    assert_lost_race(outcome["second"])
    assert RecordEntry.objects.filter(candidate=candidate, kind=RecordKind.TRANSITION).count() == 1
    assert RecordEntry.objects.filter(candidate=candidate, kind=RecordKind.REFUSED).count() == 1
    assert verify().ok


def test_two_candidates_for_the_last_place_at_once():
    """M3: two candidates for a one-place post enter publicity at the same moment: one gets the
    place, the other is refused by M3 (the position row lock serializes the two checks)."""
    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)
    staff = UserFactory(roles=[roles.ORG_STAFF])
    position = PositionFactory(quota=1)
    selection = services.selection_create(
        actor=staff, title="并发职数", reason=MotionReason.VACANCY, positions=[position], competitive=True
    )
    pair = [
        services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
        for _ in range(2)
    ]
    from ..conftest import advance

    for transition in ("nominate", "recommend", "inspect", "deliberate", "decide"):
        for candidate in pair:
            advance(candidate, staff, transition)
    for candidate in pair:
        prepare(candidate, staff, "publicize")
    results = run_at_once(
        *[
            lambda c=c: services.candidate_transition(actor=staff, candidate_id=c.pk, transition="publicize")
            for c in pair
        ]
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert "M3" in [v.rule for v in error.violations]
    assert Candidate.objects.filter(position=position, stage=Stage.PUBLICITY).count() == 1
    assert verify().ok


def test_appends_to_one_chain_at_once_take_turns(race):
    """Two writers append to the same chain at the same moment: both entries land, one after the
    other, and the head follows (record_append takes the candidate's lock itself)."""
    first, second, candidate = race

    def note(actor, text):
        return lambda: services.candidate_record_important(
            actor=actor, candidate_id=candidate.pk, category="other", text=text
        )

    results = run_at_once(note(first, "甲"), note(second, "乙"), note(first, "丙"))
    assert [kind for kind, _ in results] == ["ok", "ok", "ok"], results
    rows = list(RecordEntry.objects.filter(candidate=candidate).order_by("seq"))
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert sorted(r.payload["text"] for r in rows[1:]) == ["丙", "乙", "甲"]
    head = RecordHead.objects.get(candidate=candidate)
    assert (head.seq, head.hash) == (4, rows[-1].hash)
    assert verify().ok
