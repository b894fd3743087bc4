"""200 casts at once for 150 eligible voters, on PostgreSQL with one connection per thread: 60 committee
members of a decision session and 90 code holders of a recommendation session; some cast twice, some reuse
a code, some bring a code of another session, some come after closing. Exactly 150 ballots, every
duplicate refused with a clear Chinese message, the tally equal to the ballots."""

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections

from cadre import roles
from cadre import services as cadre_services
from cadre.errors import Conflict, InvalidInput
from voting import services
from voting.models import Ballot, BallotCode, BallotParticipation

from ..conftest import advance
from ..factories import CadreFactory, PositionFactory, UserFactory
from .ballot_helpers import deciding_pair, decision_session, item_of, members

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real PostgreSQL connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WORKERS = 16  # PostgreSQL's max_connections is shared with other test runs


def run_all(calls):
    """Run every call on a pool of threads (each with its own connection), started together."""
    start = threading.Event()

    def worker(call):
        start.wait(timeout=30)
        try:
            return ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the test inspects what each call got
            return ("error", exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(worker, call) for call in calls]
        start.set()
        return [f.result(timeout=120) for f in futures]


def message(exc) -> str:
    if isinstance(exc, Conflict):
        return exc.violations[0].rule + " " + exc.message
    if isinstance(exc, InvalidInput):
        return "400 " + str(exc.errors)
    return repr(exc)


def test_two_hundred_casts_for_one_hundred_fifty_voters():
    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)
    staff = UserFactory(roles=[roles.ORG_STAFF])
    committee = members(60)
    a, b = deciding_pair(staff)
    decision = decision_session(staff, [a, b], committee)
    services.ballot_session_open(actor=staff, session_id=decision.pk, present=[u.pk for u in committee])
    ia, ib = str(item_of(decision, a)), str(item_of(decision, b))

    position = PositionFactory(quota=2)
    selection = cadre_services.selection_create(
        actor=staff, title="民主推荐", reason="vacancy", positions=[position], competitive=True
    )
    people = [
        advance(
            cadre_services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory()),
            staff,
            "nominate",
            "recommend",
        )
        for _ in range(3)
    ]
    recommendation, codes = services.ballot_session_create(
        actor=staff,
        kind="recommendation",
        title="民主推荐会",
        selection_id=selection.pk,
        position_ids=[position.pk],
        codes=90,
    )
    services.ballot_session_open(actor=staff, session_id=recommendation.pk)
    item = str(recommendation.items.get().pk)
    other, other_codes = services.ballot_session_create(
        actor=staff, kind="evaluation", title="另一场测评", cadre_ids=[people[0].cadre_id], codes=10
    )
    services.ballot_session_open(actor=staff, session_id=other.pk)
    options = [p.cadre_id for p in people]
    rng = random.Random(7)

    def member_cast(user):
        choice = rng.choice([{ia: "approve", ib: "disapprove"}, {ia: "disapprove", ib: "approve"}])
        return lambda: services.ballot_cast(session_id=decision.pk, user=user, choices=dict(choice))

    def code_cast(code, session_id=recommendation.pk):
        marks = rng.sample(options, rng.randint(0, 2))
        return lambda: services.ballot_cast(session_id=session_id, code=code, choices={item: marks})

    calls = [("member", member_cast(u)) for u in committee]
    calls += [("member_again", member_cast(u)) for u in committee[:15]]
    calls += [("code", code_cast(c)) for c in codes]
    calls += [("code_again", code_cast(c)) for c in codes[:15]]
    calls += [("wrong_session", code_cast(c)) for c in other_codes]
    rng.shuffle(calls)
    results = run_all([call for _, call in calls])
    outcomes = list(zip([kind for kind, _ in calls], results, strict=True))

    decision_tally = services.ballot_session_close(actor=staff, session_id=decision.pk)
    recommendation_tally = services.ballot_session_close(actor=staff, session_id=recommendation.pk)
    late = run_all([member_cast(u) for u in committee[15:25]])  # after closing: 10 more attempts
    assert len(calls) + len(late) == 200

    ok = [r for _, r in outcomes if r[0] == "ok"]
    refused = [(kind, r[1]) for kind, r in outcomes if r[0] == "error"]
    assert len(ok) == 150, [message(e) for _, e in refused if not isinstance(e, Conflict | InvalidInput)][:5]
    assert len({receipt for _, receipt in ok}) == 150
    # each of a voter's two attempts: one ballot, the other refused as 已投票 (V2)
    duplicates = [e for kind, e in refused if kind in ("member_again", "code_again", "member", "code")]
    assert len(duplicates) == 30
    for exc in duplicates:
        assert isinstance(exc, Conflict) and exc.violations[0].rule == "V2" and "已投票" in exc.message, message(exc)
    wrong = [e for kind, e in refused if kind == "wrong_session"]
    assert len(wrong) == 10 and all(isinstance(e, services.WrongCode) for e in wrong)
    assert all("投票码无效" in e.errors["code"][0] for e in wrong)
    for status, exc in late:
        assert status == "error" and exc.violations[0].rule == "V9" and "已经结束" in exc.message, message(exc)

    assert Ballot.objects.filter(session=decision).count() == 60
    assert Ballot.objects.filter(session=recommendation).count() == 90
    assert Ballot.objects.filter(session=other).count() == 0
    assert BallotParticipation.objects.filter(session=decision).count() == 60
    assert BallotParticipation.objects.filter(session=recommendation).count() == 90
    assert BallotCode.objects.filter(session=recommendation, used=True).count() == 90
    assert decision_tally["ballots"] == 60
    rows = {r["item"]: r for r in decision_tally["items"]}
    assert rows[int(ia)]["approve"] + rows[int(ib)]["approve"] == 60
    assert rows[int(ia)]["approve"] == rows[int(ib)]["disapprove"]
    assert recommendation_tally["ballots"] == 90
    marks = sum(len(b.choices[item]) for b in Ballot.objects.filter(session=recommendation))
    assert sum(c["votes"] for c in recommendation_tally["items"][0]["cadres"]) == marks


def test_the_same_voter_eight_times_at_once():
    """The unique participation row (members) and the code's used flag (codes) under a real race."""
    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)
    staff = UserFactory(roles=[roles.ORG_STAFF])
    committee = members(3)
    a, b = deciding_pair(staff)
    decision = decision_session(staff, [a, b], committee)
    services.ballot_session_open(actor=staff, session_id=decision.pk, present=[u.pk for u in committee])
    choices = {str(item_of(decision, a)): "approve", str(item_of(decision, b)): "abstain"}
    evaluation, codes = services.ballot_session_create(
        actor=staff, kind="evaluation", title="测评", cadre_ids=[a.cadre_id], codes=1
    )
    services.ballot_session_open(actor=staff, session_id=evaluation.pk)
    rated = {str(evaluation.items.get().pk): "competent"}
    barrier = threading.Barrier(16)

    def member():
        barrier.wait(timeout=30)
        return services.ballot_cast(session_id=decision.pk, user=committee[0], choices=choices)

    def code():
        barrier.wait(timeout=30)
        return services.ballot_cast(session_id=evaluation.pk, code=codes[0], choices=rated)

    threads_results: list = []
    lock = threading.Lock()

    def run(call):
        try:
            outcome = ("ok", call())
        except Exception as exc:  # noqa: BLE001
            outcome = ("error", exc)
        finally:
            connections.close_all()
        with lock:
            threads_results.append((call.__name__, outcome))

    threads = [threading.Thread(target=run, args=(call,)) for call in [member] * 8 + [code] * 8]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for name in ("member", "code"):
        mine = [outcome for n, outcome in threads_results if n == name]
        assert sorted(kind for kind, _ in mine) == ["error"] * 7 + ["ok"]
        for kind, exc in mine:
            if kind == "error":
                assert isinstance(exc, Conflict) and exc.violations[0].rule == "V2", message(exc)
    assert Ballot.objects.filter(session=decision).count() == 1
    assert Ballot.objects.filter(session=evaluation).count() == 1
