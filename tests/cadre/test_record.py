"""S1: the full-process record is written with every transition, append-only, and tamper-evident."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from rest_framework.test import APIClient

from cadre import record, services
from cadre.errors import TransitionRefused
from cadre.models import Candidate, RecordEntry, RecordKind, Stage, Threshold
from cadre.record import GENESIS, canonical, entry_hash, verify

from ..conftest import advance, recommend
from ..factories import CadreFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)
TABLE = RecordEntry._meta.db_table
TRIGGER = "cadre_record_append_only"


def entries(candidate):
    return list(RecordEntry.objects.filter(candidate_id=candidate.pk).order_by("seq"))


@pytest.fixture
def inspected(staff, candidate):
    recommend(candidate)
    return advance(candidate, staff, "nominate", "recommend", "inspect")


# ---------------------------------------------------------------------------- what is written


def test_every_transition_writes_one_entry_with_rules_inputs_and_thresholds(staff, inspected):
    rows = entries(inspected)
    assert rows[0].kind == RecordKind.CREATED
    # the stage data entered on the way (nominations, recommendation results …) are facts
    assert {e.kind for e in rows} <= {RecordKind.CREATED, RecordKind.TRANSITION, RecordKind.FACT}
    transitions = [e for e in rows if e.kind == RecordKind.TRANSITION]
    assert [e.payload["transition"] for e in transitions] == ["nominate", "recommend", "inspect"]
    assert rows[-1] == transitions[-1]
    inspect = rows[-1].payload
    assert inspect["from"] == "recommendation" and inspect["to"] == "inspection"
    assert rows[-1].actor == staff and rows[-1].actor_name == staff.username
    by_rule = {r["rule"]: r for r in inspect["rules"]}
    assert {"R2", "R3", "E1", "E2", "E3", "E4", "E5", "E6", "E7"} <= set(by_rule)
    assert all(r["passed"] for r in inspect["rules"])
    assert by_rule["R3"]["inputs"]["own_unit_results"][0]["votes"] == 30
    assert by_rule["E6"]["inputs"] == {"personal_report_status": "checked"}
    assert inspect["thresholds"]["R3.min_share"] == "1/2"
    assert inspect["thresholds"]["R2.valid_days"] == "365"
    assert "E2.min_good_share" in inspect["thresholds"]
    # only thresholds of the rules evaluated for this transition
    assert "P1.working_days" not in inspect["thresholds"]


def test_thresholds_in_force_are_the_ones_recorded(staff, candidate):
    Threshold.objects.filter(key="R3.min_share").update(value="3/5")
    recommend(candidate, votes=30, present=36)
    moved = advance(candidate, staff, "nominate", "recommend", "inspect")
    assert entries(moved)[-1].payload["thresholds"]["R3.min_share"] == "3/5"


def test_refused_attempt_is_recorded_with_violations(staff, candidate):
    advance(candidate, staff, "nominate", "recommend")
    recommend(candidate, votes=5, present=36)
    before = len(entries(candidate))
    with pytest.raises(TransitionRefused):
        services.candidate_transition(actor=staff, candidate_id=candidate.pk, transition="inspect")
    rows = entries(candidate)
    assert len(rows) == before + 1
    refused = rows[-1]
    assert refused.kind == RecordKind.REFUSED
    assert refused.payload["transition"] == "inspect" and refused.payload["stage"] == "recommendation"
    assert {v["rule"] for v in refused.payload["violations"]} >= {"R3"}
    r3 = next(v for v in refused.payload["violations"] if v["rule"] == "R3")
    assert r3["overridable"] is True and r3["source"] and r3["message"]
    assert any(r["rule"] == "R3" and not r["passed"] for r in refused.payload["rules"])
    assert refused.payload["thresholds"]["R3.min_share"] == "1/2"
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.RECOMMENDATION
    assert verify().ok


def test_transition_and_entry_share_one_transaction(staff, candidate, monkeypatch):
    """If the record cannot be written, the transition does not happen either."""

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "record_append", broken)
    with pytest.raises(RuntimeError):
        advance(candidate, staff, "nominate")
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.MOTION
    assert RecordEntry.objects.filter(candidate=candidate).count() == 1


def test_important_situation_is_recorded(staff, candidate):
    services.candidate_record_important(
        actor=staff,
        candidate_id=candidate.pk,
        category="disagreement",
        text="书记碰头会意见分歧较大",
        outcome="暂缓研究",
    )
    entry = entries(candidate)[-1]
    assert entry.kind == RecordKind.IMPORTANT and entry.is_important
    assert entry.payload["category"] == "disagreement"
    assert entry.payload["text"] == "书记碰头会意见分歧较大" and entry.payload["outcome"] == "暂缓研究"


def test_chain_links_every_entry(staff, inspected):
    prev = GENESIS
    for seq, entry in enumerate(entries(inspected), start=1):
        assert entry.seq == seq and entry.prev_hash == prev
        content = canonical(
            candidate_id=entry.candidate_id,
            seq=entry.seq,
            at=entry.at,
            actor_id=entry.actor_id,
            actor_name=entry.actor_name,
            kind=entry.kind,
            payload=entry.payload,
        )
        assert entry.hash == entry_hash(prev, content)
        prev = entry.hash


def test_chains_are_per_candidate(staff, selection, position, candidate):
    other = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    advance(candidate, staff, "nominate")
    assert [e.seq for e in entries(other)] == [1]
    assert entries(other)[0].prev_hash == GENESIS
    assert [e.seq for e in entries(candidate)] == [1, 2]


# ---------------------------------------------------------------------------- append-only


@postgres_only
@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET payload = '{{}}'::jsonb WHERE candidate_id = %s",
        f"UPDATE {TABLE} SET actor_name = 'someone' WHERE candidate_id = %s",
        f"DELETE FROM {TABLE} WHERE candidate_id = %s",
    ],
    ids=["update-payload", "update-actor", "delete"],
)
def test_database_rejects_update_and_delete(candidate, sql):
    with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [candidate.pk])
    assert RecordEntry.objects.filter(candidate=candidate).count() == 1
    assert verify().ok


@postgres_only
def test_orm_cannot_update_or_delete_either(candidate):
    with pytest.raises(DatabaseError), transaction.atomic():
        RecordEntry.objects.filter(candidate=candidate).update(kind="fact")
    with pytest.raises(DatabaseError), transaction.atomic():
        RecordEntry.objects.filter(candidate=candidate).delete()
    assert RecordEntry.objects.get(candidate=candidate).kind == RecordKind.CREATED


# ---------------------------------------------------------------------------- tampering is detected


def tamper(sql, params):
    """Change rows behind the application's back, with the guard switched off for a moment."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred FK checks of rows inserted in this (test) transaction would block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def two_chains(staff, selection, position, inspected):
    other = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    advance(other, staff, "nominate")
    assert verify().ok
    return inspected, other


def test_changed_payload_is_detected(two_chains):
    victim, other = two_chains
    tamper(
        f"UPDATE {TABLE} SET payload = jsonb_set(payload::jsonb, '{{reason}}', '\"改过\"') "
        "WHERE candidate_id = %s AND seq = 3"
        if connection.vendor == "postgresql"
        else f"UPDATE {TABLE} SET payload = json_set(payload, '$.reason', '改过') WHERE candidate_id = %s AND seq = 3",
        [victim.pk],
    )
    result = verify()
    assert not result.ok
    assert result.broken == [{"candidate": victim.pk, "seq": 3, "problem": "edited"}]
    assert result.entries == len(entries(victim)) + len(entries(other))
    if connection.vendor == "postgresql":  # the trigger is back on
        with pytest.raises(DatabaseError), transaction.atomic():
            RecordEntry.objects.filter(candidate=victim).update(kind="fact")


def test_changed_actor_is_detected(two_chains):
    victim, _ = two_chains
    tamper(f"UPDATE {TABLE} SET actor_name = 'nobody' WHERE candidate_id = %s AND seq = 2", [victim.pk])
    assert verify().broken == [{"candidate": victim.pk, "seq": 2, "problem": "edited"}]


def test_rehashed_entry_is_detected_at_the_next_link(two_chains):
    """Whoever rewrites an entry and its own hash still breaks the link from the entry after it."""
    victim, _ = two_chains
    entry = RecordEntry.objects.get(candidate=victim, seq=2)
    payload = {**entry.payload, "reason": "伪造"}
    forged = entry_hash(
        entry.prev_hash,
        canonical(
            candidate_id=entry.candidate_id,
            seq=entry.seq,
            at=entry.at,
            actor_id=entry.actor_id,
            actor_name=entry.actor_name,
            kind=entry.kind,
            payload=payload,
        ),
    )
    import json

    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    tamper(
        f"UPDATE {TABLE} SET payload = %s{cast}, hash = %s WHERE candidate_id = %s AND seq = 2",
        [json.dumps(payload, ensure_ascii=False), forged, victim.pk],
    )
    assert verify().broken == [{"candidate": victim.pk, "seq": 3, "problem": "edited"}]


def test_deleted_entry_is_detected(two_chains):
    victim, other = two_chains
    tamper(f"DELETE FROM {TABLE} WHERE candidate_id = %s AND seq = 2", [victim.pk])
    assert verify().broken == [{"candidate": victim.pk, "seq": 2, "problem": "removed"}]
    assert verify([other.pk]).ok


def test_deleted_first_entry_is_a_removal(two_chains):
    victim, _ = two_chains
    tamper(f"DELETE FROM {TABLE} WHERE candidate_id = %s AND seq = 1", [victim.pk])
    assert verify().broken == [{"candidate": victim.pk, "seq": 1, "problem": "removed"}]


def test_verify_record_command(two_chains, capsys):
    victim, _ = two_chains
    call_command("verify_record")
    assert "ok" in capsys.readouterr().out
    tamper(f"UPDATE {TABLE} SET kind = 'fact' WHERE candidate_id = %s AND seq = 4", [victim.pk])
    with pytest.raises(CommandError):
        call_command("verify_record")
    out = capsys.readouterr().out
    assert f"candidate {victim.pk} seq 4 edited" in out


def test_verify_endpoint_names_the_first_broken_entry(two_chains, supervisor, staff):
    victim, other = two_chains
    client = APIClient()
    client.force_authenticate(supervisor)
    body = client.get("/api/v1/record/verify/").json()
    assert body == {"ok": True, "entries": record.verify().entries, "checkpoint": None, "broken": []}
    tamper(f"UPDATE {TABLE} SET actor_name = 'x' WHERE candidate_id = %s AND seq = 2", [other.pk])
    body = client.get("/api/v1/record/verify/").json()
    assert body["ok"] is False and body["broken"] == [{"candidate": other.pk, "seq": 2, "problem": "edited"}]
    client.force_authenticate(staff)
    assert client.get("/api/v1/record/verify/").status_code == 403


def test_record_endpoint_shows_entries_in_order(staff, inspected):
    client = APIClient()
    client.force_authenticate(staff)
    body = client.get(f"/api/v1/candidates/{inspected.pk}/record/").json()["results"]
    assert [e["seq"] for e in body] == list(range(1, RecordEntry.objects.filter(candidate=inspected).count() + 1))
    assert [e["kind"] for e in body].count("transition") == 3
    assert set(body[0]) == {"seq", "at", "actor", "kind", "payload", "prev_hash", "hash"}
    assert body[0]["prev_hash"] == GENESIS and body[1]["prev_hash"] == body[0]["hash"]
    assert body[-1]["actor"] == staff.username
