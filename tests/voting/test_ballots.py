"""Online secret ballots (issue 7; DOMAIN.md V1-V10, R3, E2, N4; API.md Ballots)."""

import hashlib
import json

import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction

from cadre import roles
from cadre import services as cadre_services
from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.models import FailedVote, Kinship, RecordEntry, Stage, Threshold
from cadre.record import verify
from cadre.thresholds import snapshot
from voting import selectors, services
from voting.models import (
    Ballot,
    BallotCode,
    BallotItem,
    BallotParticipation,
    BallotSession,
    MemberCadre,
    VoteResult,
    VoteResultEntry,
)

from ..conftest import advance
from ..factories import CadreFactory, PositionFactory, UserFactory
from .ballot_helpers import deciding_pair, decision_session, item_of, members

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL's")


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # the wrong-code counters live in the cache (Redis when REDIS_URL is set)
    yield
    cache.clear()


def rule_of(exc) -> str:
    return exc.violations[0].rule


def counts(session) -> tuple[int, int]:
    return Ballot.objects.filter(session=session).count(), BallotParticipation.objects.filter(session=session).count()


@pytest.fixture
def pair(staff):
    return deciding_pair(staff)


@pytest.fixture
def committee():
    return members(9)


@pytest.fixture
def opened(staff, pair, committee):
    session = decision_session(staff, pair, committee)
    return services.ballot_session_open(actor=staff, session_id=session.pk, present=[u.pk for u in committee])


def cast(session, user, choices):
    return services.ballot_cast(session_id=session.pk, user=user, choices={str(k): v for k, v in choices.items()})


# ---------------------------------------------------------------------------- secrecy by construction (V2)


def test_ballot_rows_hold_nothing_that_links_a_voter():
    fields = {f.name for f in Ballot._meta.get_fields() if f.concrete}
    assert fields == {"id", "session", "choices", "receipt"}
    relations = [f for f in Ballot._meta.get_fields() if f.is_relation and f.concrete]
    assert [f.related_model for f in relations] == [BallotSession]
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, Ballot._meta.db_table)}
    assert columns == {"id", "session_id", "choices", "receipt"}
    assert Ballot._meta.pk.get_internal_type() == "UUIDField"
    assert Ballot._meta.ordering == ["receipt"]
    for model in (Ballot, BallotSession, BallotItem, BallotCode, BallotParticipation):
        assert "ballot" in model._meta.db_table


def test_participation_is_apart_and_one_per_member(opened, pair, committee):
    a, b = pair
    receipt = cast(opened, committee[0], {item_of(opened, a): "approve", item_of(opened, b): "abstain"})
    assert len(receipt) == 16
    with pytest.raises(Conflict) as refused:
        cast(opened, committee[0], {item_of(opened, a): "disapprove", item_of(opened, b): "abstain"})
    assert rule_of(refused.value) == "V2" and "已投票" in refused.value.message
    assert counts(opened) == (1, 1)
    participation = BallotParticipation.objects.get(session=opened)
    assert participation.user == committee[0] and participation.code is None
    ballot = Ballot.objects.get(session=opened)
    assert ballot.receipt == receipt
    assert ballot.choices == {str(item_of(opened, a)): "approve", str(item_of(opened, b)): "abstain"}


# ---------------------------------------------------------------------------- V1 quorum at opening


@pytest.mark.parametrize("present,opens", [(6, True), (5, False)])
def test_quorum_boundary(staff, pair, committee, present, opens):
    session = decision_session(staff, pair, committee)  # 9 entitled: 2/3 is exactly 6
    roll = [u.pk for u in committee[:present]]
    if opens:
        opened = services.ballot_session_open(actor=staff, session_id=session.pk, present=roll)
        assert opened.status == "open" and opened.present.count() == present
        opened.meeting.refresh_from_db()
        assert opened.meeting.present == present
    else:
        with pytest.raises(Conflict) as refused:
            services.ballot_session_open(actor=staff, session_id=session.pk, present=roll)
        assert rule_of(refused.value) == "V1"
        session.refresh_from_db()
        assert session.status == "draft" and session.present.count() == 0
        assert session.meeting.present is None


def test_absent_member_cannot_vote(staff, pair, committee):
    session = decision_session(staff, pair, committee)
    session = services.ballot_session_open(actor=staff, session_id=session.pk, present=[u.pk for u in committee[:8]])
    with pytest.raises(Conflict) as refused:
        services.ballot_for(session_id=session.pk, user=committee[8])
    assert rule_of(refused.value) == "V1"
    with pytest.raises(Conflict):
        cast(session, committee[8], {item_of(session, pair[0]): "approve", item_of(session, pair[1]): "abstain"})
    assert counts(session) == (0, 0)


def test_only_assigned_staff_open_and_close(opened, other_staff):
    with pytest.raises(NotAllowed):
        services.ballot_session_close(actor=other_staff, session_id=opened.pk)


# ---------------------------------------------------------------------------- V3 pass mark of the entitled


@pytest.mark.parametrize("approvals,passed", [(5, False), (6, True)])
def test_pass_mark_is_more_than_half_of_the_entitled(staff, approvals, passed):
    voters = members(10)
    a, b = deciding_pair(staff)
    session = decision_session(staff, [a, b], voters)
    session = services.ballot_session_open(actor=staff, session_id=session.pk, present=[u.pk for u in voters[:9]])
    ia, ib = item_of(session, a), item_of(session, b)
    for i, voter in enumerate(voters[:9]):  # 9 present of 10 entitled
        cast(session, voter, {ia: "approve" if i < approvals else "disapprove", ib: "abstain"})
    result = services.ballot_session_close(actor=staff, session_id=session.pk)
    row = next(r for r in result["items"] if r["item"] == ia)
    assert row["approve"] == approvals and row["passed"] is passed
    assert result["entitled"] == 10 and result["present"] == 9 and result["ballots"] == 9
    vote = VoteResult.objects.get(candidate=a, meeting=session.meeting)
    assert (vote.approve, vote.disapprove, vote.abstain) == (approvals, 9 - approvals, 0)
    assert selectors.current_result(a) == vote  # the fact the rules read (V1, V3, V4, V6, V5)


# ---------------------------------------------------------------------------- V4, V8, bad ballots


def test_two_approvals_for_one_post_are_refused(opened, pair, committee):
    a, b = pair
    with pytest.raises(Conflict) as refused:
        cast(opened, committee[0], {item_of(opened, a): "approve", item_of(opened, b): "approve"})
    assert rule_of(refused.value) == "V4"
    assert counts(opened) == (0, 0)


def test_related_member_is_recused(staff, pair, committee, admin_user):
    a, b = pair
    own = CadreFactory()
    Kinship.objects.create(cadre=a.cadre, relative=own, relation="配偶")  # entered on the candidate's side
    services.member_cadre_set(actor=admin_user, user_id=committee[0].pk, cadre_id=own.pk)
    session = decision_session(staff, pair, committee)
    session = services.ballot_session_open(actor=staff, session_id=session.pk, present=[u.pk for u in committee])
    ia, ib = item_of(session, a), item_of(session, b)
    ballot = services.ballot_for(session_id=session.pk, user=committee[0])
    assert {i["id"]: i["recused"] for i in ballot["items"]} == {ia: True, ib: False}
    with pytest.raises(Conflict) as refused:
        cast(session, committee[0], {ia: "approve", ib: "abstain"})
    assert rule_of(refused.value) == "V8"
    assert counts(session) == (0, 0)
    cast(session, committee[0], {ib: "approve"})
    # staff record a recusal by hand too
    services.ballot_recusal_record(
        actor=staff, session_id=session.pk, item_id=ib, user_id=committee[1].pk, reason="曾为其直接上级"
    )
    with pytest.raises(Conflict) as refused:
        cast(session, committee[1], {ia: "abstain", ib: "approve"})
    assert rule_of(refused.value) == "V8"
    cast(session, committee[1], {ia: "abstain"})
    result = services.ballot_session_close(actor=staff, session_id=session.pk)
    assert {r["item"]: r["recused"] for r in result["items"]} == {ia: 1, ib: 1}


@pytest.mark.parametrize(
    "choices",
    [
        None,
        [],
        "approve",
        {},
        {"999999": "approve"},
        {"abc": "approve"},
        "WRONG_VALUE",
        "MISSING_ONE",
    ],
)
def test_bad_ballots_are_400_and_write_nothing(opened, pair, committee, choices):
    a, b = pair
    if choices == "WRONG_VALUE":
        choices = {str(item_of(opened, a)): "yes", str(item_of(opened, b)): "abstain"}
    elif choices == "MISSING_ONE":
        choices = {str(item_of(opened, a)): "approve"}
    with pytest.raises(InvalidInput):
        services.ballot_cast(session_id=opened.pk, user=committee[0], choices=choices)
    assert counts(opened) == (0, 0)


# ---------------------------------------------------------------------------- V9: only while open


def test_cast_before_open_and_after_close(staff, pair, committee):
    a, b = pair
    session = decision_session(staff, pair, committee)
    choice = {item_of(session, a): "approve", item_of(session, b): "abstain"}
    with pytest.raises(Conflict) as refused:
        cast(session, committee[0], choice)
    assert rule_of(refused.value) == "V9"
    services.ballot_session_open(actor=staff, session_id=session.pk, present=[u.pk for u in committee])
    cast(session, committee[0], choice)
    services.ballot_session_close(actor=staff, session_id=session.pk)
    with pytest.raises(Conflict) as refused:
        cast(session, committee[1], choice)
    assert rule_of(refused.value) == "V9"
    with pytest.raises(Conflict) as refused:
        services.ballot_session_close(actor=staff, session_id=session.pk)
    assert rule_of(refused.value) == "V9"
    assert counts(session) == (1, 1)


# ---------------------------------------------------------------------------- bulletin (verifiable)


def test_bulletin_root_is_recorded_on_every_candidate(staff, opened, pair, committee):
    a, b = pair
    ia, ib = item_of(opened, a), item_of(opened, b)
    receipts = [cast(opened, u, {ia: "approve", ib: "disapprove"}) for u in committee[:7]]
    receipts += [cast(opened, u, {ia: "abstain", ib: "approve"}) for u in committee[7:]]
    result = services.ballot_session_close(actor=staff, session_id=opened.pk)
    opened.refresh_from_db()
    entries = selectors.bulletin_entries(session=opened)
    assert [e["receipt"] for e in entries] == sorted(receipts)
    # an independent recount: plain json, as a verifier would write it
    canonical = json.dumps(entries, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert hashlib.sha256(canonical).hexdigest() == opened.bulletin_root == selectors.bulletin_root(entries)
    approvals = sum(1 for e in entries if e["choices"][str(ia)] == "approve")
    assert approvals == next(r["approve"] for r in result["items"] if r["item"] == ia) == 7
    for candidate in pair:
        fact = RecordEntry.objects.filter(candidate=candidate, payload__fact="decision_result").get()
        assert fact.payload["bulletin_root"] == opened.bulletin_root
        assert fact.payload["session"] == opened.pk
    assert verify().ok
    assert BallotSession.objects.get(pk=opened.pk).result == result


def test_tally_reconciles_or_is_blocked(staff, opened, pair, committee):
    a, b = pair
    cast(opened, committee[0], {item_of(opened, a): "approve", item_of(opened, b): "abstain"})
    # a ballot with no participation row (what a tampering would leave) blocks the result
    Ballot.objects.create(session=opened, choices={}, receipt="TAMPERED00000000")
    with pytest.raises(Conflict) as refused:
        services.ballot_session_close(actor=staff, session_id=opened.pk)
    assert rule_of(refused.value) == "V2" and "核对不符" in refused.value.message
    opened.refresh_from_db()
    assert opened.status == "open"


# ---------------------------------------------------------------------------- V9 in the database


@postgres_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE voting_ballot SET choices = '{}'::jsonb",
        "DELETE FROM voting_ballot",
        "TRUNCATE voting_ballot CASCADE",
        "UPDATE voting_ballotparticipation SET user_id = NULL",
        "DELETE FROM voting_ballotparticipation",
        "UPDATE voting_ballotsession SET title = 'x'",
        "UPDATE voting_ballotitem SET vacancies = 2",
        "DELETE FROM voting_ballotsession_present",
    ],
)
def test_triggers_refuse_changes(staff, opened, pair, committee, sql):
    cast(opened, committee[0], {item_of(opened, pair[0]): "approve", item_of(opened, pair[1]): "abstain"})
    services.ballot_session_close(actor=staff, session_id=opened.pk)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert counts(opened) == (1, 1)


@postgres_only
@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM voting_ballotitem_options",
        "INSERT INTO voting_ballotitem_options (ballotitem_id, cadre_id) SELECT id, {cadre} FROM voting_ballotitem",
        "UPDATE voting_ballotcode SET used = false",
        "DELETE FROM voting_ballotcode",
        "DELETE FROM voting_ballotsession",
    ],
)
def test_triggers_refuse_changes_to_a_closed_code_session(staff, recommending, sql):
    session, codes, people = recommending
    services.ballot_session_open(actor=staff, session_id=session.pk)
    item = session.items.get()
    services.ballot_cast(session_id=session.pk, code=codes[0], choices={str(item.pk): [people[0].cadre_id]})
    services.ballot_session_close(actor=staff, session_id=session.pk)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.format(cadre=CadreFactory().pk))
    assert item.options.count() == 3 and BallotCode.objects.filter(session=session, used=True).count() == 1


@postgres_only
def test_trigger_refuses_a_ballot_into_a_session_not_open(staff, pair, committee):
    session = decision_session(staff, pair, committee)
    with pytest.raises(DatabaseError), transaction.atomic():
        Ballot.objects.create(session=session, choices={}, receipt="X" * 16)


# ---------------------------------------------------------------------------- V5 second vote, N4


def test_tie_leads_to_a_second_vote_and_a_second_failure_to_reject(staff, committee):
    a, b = deciding_pair(staff)
    session = decision_session(staff, [a, b], committee)
    services.ballot_session_open(actor=staff, session_id=session.pk, present=[u.pk for u in committee])
    ia, ib = item_of(session, a), item_of(session, b)
    for i, voter in enumerate(committee[:8]):
        cast(session, voter, ({ia: "approve", ib: "abstain"} if i % 2 else {ia: "abstain", ib: "approve"}))
    result = services.ballot_session_close(actor=staff, session_id=session.pk)
    assert [r["approve"] for r in result["items"]] == [4, 4] and not any(r["passed"] for r in result["items"])
    a.refresh_from_db()
    assert a.stage == Stage.DECISION  # V5: a failed first vote does not reject by itself
    second = services.ballot_second_vote(actor=staff, session_id=session.pk)
    assert second.second_vote_of == session and second.meeting != session.meeting
    assert sorted(second.items.values_list("candidate_id", flat=True)) == sorted([a.pk, b.pk])
    assert FailedVote.objects.filter(cadre__in=[a.cadre, b.cadre]).count() == 2
    with pytest.raises(Conflict) as refused:
        services.ballot_second_vote(actor=staff, session_id=session.pk)
    assert rule_of(refused.value) == "S1"
    services.ballot_session_open(actor=staff, session_id=second.pk, present=[u.pk for u in committee])
    ja, jb = item_of(second, a), item_of(second, b)
    for voter in committee[:6]:
        cast(second, voter, {ja: "disapprove", jb: "approve"})
    result = services.ballot_session_close(actor=staff, session_id=second.pk)
    assert {r["item"]: r["passed"] for r in result["items"]} == {ja: False, jb: True}
    with pytest.raises(Conflict) as refused:
        services.ballot_second_vote(actor=staff, session_id=second.pk)
    assert rule_of(refused.value) == "V5"
    rejected = cadre_services.candidate_transition(
        actor=staff, candidate_id=a.pk, transition="reject", reason="再次票决未通过"
    )
    assert rejected.stage == Stage.REJECTED
    assert FailedVote.objects.filter(cadre=a.cadre, position=a.position).count() == 2  # N4 bars the post a year
    assert verify().ok


def test_no_second_vote_when_someone_passed(staff, opened, pair, committee):
    a, b = pair
    for voter in committee:
        cast(opened, voter, {item_of(opened, a): "approve", item_of(opened, b): "disapprove"})
    services.ballot_session_close(actor=staff, session_id=opened.pk)
    with pytest.raises(Conflict) as refused:
        services.ballot_second_vote(actor=staff, session_id=opened.pk)
    assert rule_of(refused.value) == "V5"


# ---------------------------------------------------------------------------- V10 body


def test_chief_posts_go_to_the_plenary_by_default(staff, committee):
    thresholds = snapshot()
    assert services.plenary_decides(PositionFactory(is_chief=True), thresholds)
    assert not services.plenary_decides(PositionFactory(is_chief=False), thresholds)
    deputy = deciding_pair(staff)
    assert decision_session(staff, deputy, committee).body == "standing"
    # which body decides which level is configurable (V10)
    Threshold.objects.update_or_create(
        key="V10.plenary_levels", defaults={"rule": "V10", "value": '["chief", "section_deputy"]'}
    )
    assert decision_session(staff, deciding_pair(staff), committee).body == "plenary"
    assert decision_session(staff, deciding_pair(staff), committee, body="standing").body == "standing"


def test_entitled_must_be_committee_members_matching_the_meeting(staff, pair, committee):
    with pytest.raises(InvalidInput):
        decision_session(staff, pair, [*committee[:8], UserFactory(roles=[roles.ORG_STAFF])])


# ---------------------------------------------------------------------------- recommendation and evaluation by code


@pytest.fixture
def recommending(staff, selection, position):
    position.quota = 2
    position.save()
    people = [
        advance(
            cadre_services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory()),
            staff,
            "nominate",
            "recommend",
        )
        for _ in range(3)
    ]
    session, codes = services.ballot_session_create(
        actor=staff,
        kind="recommendation",
        title="民主推荐会",
        selection_id=selection.pk,
        position_ids=[position.pk],
        codes=6,
    )
    return session, codes, people


def test_recommendation_by_codes(staff, recommending):
    session, codes, people = recommending
    assert len(codes) == 6 and len(set(codes)) == 6
    assert all(len(c.replace("-", "")) == 16 for c in codes)
    assert BallotCode.objects.filter(session=session).count() == 6
    assert not BallotCode.objects.filter(digest__in=[c.replace("-", "") for c in codes]).exists()  # hashes only
    item = session.items.get()
    assert item.vacancies == 2  # quota 2, nobody holds it
    services.ballot_session_open(actor=staff, session_id=session.pk)
    x, y, z = (p.cadre_id for p in people)
    marks = [[x, y], [x, y], [x, z], [x], [y]]
    receipts = [
        services.ballot_cast(session_id=session.pk, code=code, choices={str(item.pk): m})
        for code, m in zip(codes, marks, strict=False)
    ]
    assert len(set(receipts)) == 5
    with pytest.raises(Conflict) as refused:
        services.ballot_cast(session_id=session.pk, code=codes[0].lower(), choices={str(item.pk): [x]})
    assert rule_of(refused.value) == "V2" and "已投票" in refused.value.message
    with pytest.raises(InvalidInput):  # more marks than vacancies
        services.ballot_cast(session_id=session.pk, code=codes[5], choices={str(item.pk): [x, y, z]})
    with pytest.raises(InvalidInput):  # a cadre not on the list (no write-ins)
        services.ballot_cast(session_id=session.pk, code=codes[5], choices={str(item.pk): [CadreFactory().pk]})
    with pytest.raises(services.WrongCode):
        services.ballot_cast(session_id=session.pk, code="AAAA-BBBB-CCCC-DDDD", choices={str(item.pk): [x]})
    assert counts(session) == (5, 5)
    result = services.ballot_session_close(actor=staff, session_id=session.pk)
    rows = {c["cadre"]: c for c in result["items"][0]["cadres"]}
    assert rows[x] == {"cadre": x, "votes": 4, "share": "4/5", "rank": 1, "passed": True}
    assert rows[y] == {"cadre": y, "votes": 3, "share": "3/5", "rank": 2, "passed": True}
    assert rows[z] == {"cadre": z, "votes": 1, "share": "1/5", "rank": 3, "passed": False}  # R3: under half
    for person in people:
        fact = RecordEntry.objects.get(candidate=person, payload__fact="ballot_result")
        assert fact.payload["bulletin_root"] == BallotSession.objects.get(pk=session.pk).bulletin_root
    assert verify().ok


def test_code_of_another_session_is_a_wrong_code(staff, recommending, selection):
    session, codes, people = recommending
    other, other_codes = services.ballot_session_create(
        actor=staff, kind="evaluation", title="民主测评", cadre_ids=[people[0].cadre_id], codes=2
    )
    services.ballot_session_open(actor=staff, session_id=session.pk)
    item = session.items.get()
    with pytest.raises(services.WrongCode):
        services.ballot_cast(session_id=session.pk, code=other_codes[0], choices={str(item.pk): []})


def test_evaluation_against_e2(staff):
    good, poor = CadreFactory(), CadreFactory()
    session, codes = services.ballot_session_create(
        actor=staff, kind="evaluation", title="年度民主测评", cadre_ids=[good.pk, poor.pk], codes=3
    )
    services.ballot_session_open(actor=staff, session_id=session.pk)
    ig, ip = (session.items.get(cadre=c).pk for c in (good, poor))
    grades = [("excellent", "incompetent"), ("competent", "basically_competent"), ("basically_competent", "competent")]
    for code, (g, p) in zip(codes, grades, strict=True):
        services.ballot_cast(session_id=session.pk, code=code, choices={str(ig): g, str(ip): p})
    result = services.ballot_session_close(actor=staff, session_id=session.pk)
    rows = {r["cadre"]: r for r in result["items"]}
    assert rows[good.pk]["good_share"] == "2/3" and rows[good.pk]["passed"] is True  # exactly 2/3 is enough
    assert rows[poor.pk]["good_share"] == "1/3" and rows[poor.pk]["passed"] is False


def test_member_cadre_link_is_admin_only(staff, committee):
    with pytest.raises(NotAllowed):
        services.member_cadre_set(actor=staff, user_id=committee[0].pk, cadre_id=CadreFactory().pk)
    assert not MemberCadre.objects.exists()


def test_recount_command_from_the_bulletin(staff, opened, pair, committee, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    a, b = pair
    for voter in committee[:5]:
        cast(opened, voter, {item_of(opened, a): "approve", item_of(opened, b): "disapprove"})
    services.ballot_session_close(actor=staff, session_id=opened.pk)
    out = StringIO()
    call_command("recount_ballots", opened.pk, stdout=out)
    assert "重新计票一致：5 张选票" in out.getvalue()
    entries = selectors.bulletin_entries(session=opened)
    published = tmp_path / "bulletin.json"
    published.write_text(json.dumps({"entries": entries, "root": selectors.bulletin_root(entries)}), encoding="utf-8")
    call_command("recount_ballots", opened.pk, bulletin=str(published), stdout=StringIO())
    entries[0]["choices"][str(item_of(opened, a))] = "disapprove"  # one ballot altered on its way
    published.write_text(json.dumps({"entries": entries, "root": selectors.bulletin_root(entries)}), encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("recount_ballots", opened.pk, bulletin=str(published), stdout=out)
    assert "根哈希不一致" in out.getvalue()


def test_a_typed_result_for_the_same_meeting_blocks_the_online_result(staff, opened, pair, committee):
    a, b = pair
    cast(opened, committee[0], {item_of(opened, a): "approve", item_of(opened, b): "abstain"})
    with pytest.raises(Conflict) as refused:  # a meeting voted online takes no paper result
        services.decision_result_enter(
            actor=staff, meeting_id=opened.meeting_id, candidate_id=a.pk, approve=8, disapprove=1, abstain=0
        )
    assert "网上" in refused.value.message
    # one typed before the session existed still blocks the online count
    VoteResultEntry.objects.create(
        meeting_id=opened.meeting_id, candidate=a, approve=8, disapprove=1, abstain=0, entered_by=staff
    )
    with pytest.raises(Conflict) as refused:
        services.ballot_session_close(actor=staff, session_id=opened.pk)
    assert rule_of(refused.value) == "V2" and "纸质票决结果" in refused.value.message


def test_casting_writes_no_record_and_logs_nothing(opened, pair, committee, caplog):
    a, b = pair
    before = RecordEntry.objects.count()
    with caplog.at_level("DEBUG"):
        receipt = cast(opened, committee[0], {item_of(opened, a): "approve", item_of(opened, b): "abstain"})
    assert RecordEntry.objects.count() == before  # the record gets counts and the root at closing, never a ballot
    logged = " ".join(r.getMessage() for r in caplog.records if not r.name.startswith("django.db"))
    assert receipt not in logged and committee[0].username not in logged


@postgres_only
def test_closing_mixes_the_ballots_so_no_transaction_id_pairs_a_voter(staff, opened, pair, committee):
    """V2: a ballot and its participation row are written in one transaction (the same or adjacent xmin).
    After closing, every ballot carries the closing transaction's id and none the id of a participation row."""
    a, b = pair
    for member, choice in zip(committee[:4], ["approve", "disapprove", "abstain", "approve"], strict=True):
        cast(opened, member, {item_of(opened, a): choice, item_of(opened, b): "abstain"})

    def xmins(table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT xmin::text FROM {table} WHERE session_id = %s", [opened.pk])
            return {row[0] for row in cursor.fetchall()}

    # what mixing is for: each cast left its own (sub)transaction id on its ballot, next to (or equal to)
    # the id on its participation row
    assert len(xmins("voting_ballot")) == 4
    before = selectors.bulletin_entries(session=opened)
    result = services.ballot_session_close(actor=staff, session_id=opened.pk)
    ballot_xmins, participation_xmins = xmins("voting_ballot"), xmins("voting_ballotparticipation")
    assert len(ballot_xmins) == 1 and not ballot_xmins & participation_xmins
    assert selectors.bulletin_entries(session=opened) == before  # receipts and choices unchanged
    assert result["ballots"] == 4 and counts(opened) == (4, 4)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('voting.mixing', %s, true)", [str(opened.pk)])
        cursor.execute("DELETE FROM voting_ballot")  # the setting is no key once the session is closed
    assert counts(opened) == (4, 4)


@postgres_only
def test_an_open_session_refuses_a_ballot_delete_without_the_closing_setting(staff, opened, pair, committee):
    cast(opened, committee[0], {item_of(opened, pair[0]): "approve", item_of(opened, pair[1]): "abstain"})
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM voting_ballot")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('voting.mixing', %s, true)", [str(opened.pk + 1)])  # another session's
        cursor.execute("DELETE FROM voting_ballot")
    assert counts(opened) == (1, 1)


def test_closing_deletes_the_codes_sheet(staff, recommending, django_capture_on_commit_callbacks):
    from voting import codes_pdf

    session, codes, people = recommending
    codes_pdf.codes_pdf_save(session=session, codes=codes, vote_url="http://testserver/voting/vote/")
    services.ballot_session_open(actor=staff, session_id=session.pk)
    assert codes_pdf.codes_pdf_open(session.pk) is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.ballot_session_close(actor=staff, session_id=session.pk)
    assert codes_pdf.codes_pdf_open(session.pk) is None
