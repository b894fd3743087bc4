"""S1 against someone with the database: cut, truncated or rewritten chains are named by
verify_record; signed checkpoints catch a rewritten tail; the application's own role cannot write
any of it; payloads hash exactly as stored; refusals survive an outer service's rollback."""

import base64
import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from rest_framework.test import APIClient

from cadre import checkpoint as checkpoints
from cadre import dbrole, services
from cadre.errors import TransitionRefused
from cadre.models import Candidate, RecordCheckpoint, RecordEntry, RecordHead, RecordKind, Stage
from cadre.record import GENESIS, PayloadError, canonical, clean_payload, entry_hash, record_append, verify

from ..conftest import advance, recommend
from ..factories import CadreFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="guards and roles are PostgreSQL's")

ENTRIES = RecordEntry._meta.db_table
HEADS = RecordHead._meta.db_table
CHECKPOINTS = RecordCheckpoint._meta.db_table


def as_owner(*statements, params=None):
    """What the tables' owner (here the test's superuser) can do: switch every guard off and write.
    Each statement is SQL (run with `params`) or a (sql, params) pair."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in (ENTRIES, HEADS, CHECKPOINTS):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for statement in statements:
            sql, args = statement if isinstance(statement, tuple) else (statement, params or [])
            cursor.execute(sql, args)
        if connection.vendor == "postgresql":
            for table in (ENTRIES, HEADS, CHECKPOINTS):
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def problems(result):
    return {(b["candidate"], b["seq"], b["problem"]) for b in result.broken}


@pytest.fixture
def chains(staff, selection, position, candidate):
    """Two chains: a long one (14+ entries) and a short one."""
    recommend(candidate)
    long = advance(candidate, staff, "nominate", "recommend", "inspect")
    for i in range(10):
        services.candidate_record_important(actor=staff, candidate_id=long.pk, category="other", text=f"情况{i}")
    short = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    advance(short, staff, "nominate")
    assert verify().ok
    return long, short


def last_seq(candidate):
    return RecordEntry.objects.filter(candidate=candidate).order_by("-seq").values_list("seq", flat=True).first()


# ---------------------------------------------------------------------------- heads


def test_every_append_moves_the_head_in_the_same_transaction(chains):
    long, short = chains
    for candidate in chains:
        head = RecordHead.objects.get(candidate=candidate)
        last = RecordEntry.objects.filter(candidate=candidate).order_by("-seq").first()
        assert (head.seq, head.hash) == (last.seq, last.hash)


def test_record_append_refuses_to_run_outside_a_transaction(candidate, staff, monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record_append(candidate=candidate, actor=staff, kind=RecordKind.FACT, payload={})


# ---------------------------------------------------------------------------- cut short, as the owner


@postgres_only
def test_deleting_the_last_entry_is_a_missing_tail(chains):
    long, short = chains
    n = last_seq(long)
    as_owner(f"DELETE FROM {ENTRIES} WHERE candidate_id = %s AND seq = %s", params=[long.pk, n])
    assert problems(verify()) == {(long.pk, n, "missing_tail")}


@postgres_only
def test_deleting_the_last_ten_entries_is_a_missing_tail(chains):
    long, short = chains
    n = last_seq(long)
    as_owner(f"DELETE FROM {ENTRIES} WHERE candidate_id = %s AND seq > %s", params=[long.pk, n - 10])
    assert problems(verify()) == {(long.pk, n - 9, "missing_tail")}


@postgres_only
def test_deleting_the_last_entries_and_rewinding_the_head_is_caught_by_the_checkpoint(chains):
    long, short = chains
    checkpoints.checkpoint_sign()
    n = last_seq(long)
    kept = RecordEntry.objects.get(candidate=long, seq=n - 3)
    as_owner(
        (f"DELETE FROM {ENTRIES} WHERE candidate_id = %s AND seq > %s", [long.pk, n - 3]),
        (f"UPDATE {HEADS} SET seq = %s, hash = %s WHERE candidate_id = %s", [n - 3, kept.hash, long.pk]),
    )
    assert problems(verify()) == {(long.pk, n - 2, "missing_tail")}


@postgres_only
def test_deleting_a_whole_chain_is_a_missing_chain(chains):
    long, short = chains
    as_owner(f"DELETE FROM {ENTRIES} WHERE candidate_id = %s", params=[short.pk])
    assert problems(verify()) == {(short.pk, None, "missing_chain")}


@postgres_only
def test_deleting_a_chain_with_its_head_and_candidate_is_caught_by_the_checkpoint(chains):
    long, short = chains
    checkpoints.checkpoint_sign()
    as_owner(
        f"DELETE FROM {ENTRIES} WHERE candidate_id = %s",
        f"DELETE FROM {HEADS} WHERE candidate_id = %s",
        params=[short.pk],
    )
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET session_replication_role = replica")  # the owner skips the FK checks too
        cursor.execute("DELETE FROM cadre_candidate WHERE id = %s", [short.pk])
        cursor.execute("SET session_replication_role = origin")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert problems(verify()) == {(short.pk, None, "missing_chain")}


@postgres_only
def test_truncating_the_record_is_every_chain_missing(chains):
    long, short = chains
    as_owner(f"TRUNCATE {ENTRIES}")
    result = verify()
    assert result.entries == 0 and not result.ok
    assert problems(result) == {(long.pk, None, "missing_chain"), (short.pk, None, "missing_chain")}


@postgres_only
def test_edit_and_rehash_of_a_tail_is_caught_only_by_the_signed_checkpoint(chains):
    """Whoever rewrites an entry and recomputes every hash after it, head included, leaves a chain
    that is consistent in itself: only the checkpoint signed before knows the old hashes."""
    long, short = chains
    checkpoints.checkpoint_sign()
    rows = list(RecordEntry.objects.filter(candidate=long).order_by("seq"))
    start = 3
    prev = rows[start - 2].hash
    forged = []
    for row in rows[start - 1 :]:
        payload = {**row.payload, "forged": True} if row.seq == start else row.payload
        content = canonical(
            candidate_id=row.candidate_id,
            seq=row.seq,
            at=row.at,
            actor_id=row.actor_id,
            actor_name=row.actor_name,
            kind=row.kind,
            payload=payload,
        )
        digest = entry_hash(prev, content)
        forged.append((json.dumps(payload, ensure_ascii=False), prev, digest, row.pk))
        prev = digest
    as_owner(
        *[
            (f"UPDATE {ENTRIES} SET payload = %s::jsonb, prev_hash = %s, hash = %s WHERE id = %s", list(row))
            for row in forged
        ],
        (f"UPDATE {HEADS} SET hash = %s WHERE candidate_id = %s", [prev, long.pk]),
    )
    # Without the checkpoint nothing shows: every link and the head agree.
    assert verify(checkpoint=False).ok
    result = verify()
    assert problems(result) == {(long.pk, rows[-1].seq, "not_in_checkpoint")}
    assert result.checkpoint["ok"] is True


def test_entries_after_the_checkpoint_extend_it(chains, staff):
    long, short = chains
    checkpoints.checkpoint_sign()
    services.candidate_record_important(actor=staff, candidate_id=long.pk, category="other", text="检查点之后")
    advance(short, staff, "recommend", prepared=True)
    result = verify()
    assert result.ok, result.broken
    assert result.checkpoint["ok"]


def test_a_chain_older_than_the_checkpoint_but_absent_from_it_is_named(chains):
    long, short = chains
    signed = checkpoints.checkpoint_sign()
    exported = checkpoints.export(signed)
    exported["heads"] = [h for h in exported["heads"] if h["candidate"] != short.pk]
    result = verify(checkpoint=exported)
    assert (short.pk, 1, "not_in_checkpoint") in problems(result)
    assert result.checkpoint["root_ok"] is False and not result.ok


# ---------------------------------------------------------------------------- the application's role


@pytest.fixture
def app_role(db):
    """Connect as the role README prescribes: no superuser, owns nothing, granted by db_grant_app."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL roles")
    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE IF EXISTS ganbu_app_test")
        cursor.execute("CREATE ROLE ganbu_app_test NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
    dbrole.grant("ganbu_app_test")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET ROLE ganbu_app_test")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def refused(sql, params=None):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@postgres_only
def test_the_application_role_does_its_work_but_cannot_cut_the_record(staff, selection, position, app_role):
    # its work: create a candidate, move it (the rules read every stage app's tables), sign a checkpoint
    candidate = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    candidate = advance(candidate, staff, "nominate")
    services.candidate_record_important(actor=staff, candidate_id=candidate.pk, category="other", text="记一笔")
    checkpoints.checkpoint_sign()
    assert dbrole.problems() == []
    n = last_seq(candidate)
    # and what it cannot do
    refused(f"DELETE FROM {ENTRIES} WHERE candidate_id = %s AND seq = %s", [candidate.pk, n])
    refused(f"UPDATE {ENTRIES} SET kind = 'fact' WHERE candidate_id = %s", [candidate.pk])
    refused(f"TRUNCATE {ENTRIES}")
    refused(f"TRUNCATE {HEADS}")
    refused(f"TRUNCATE {CHECKPOINTS}")
    refused(f"DELETE FROM {CHECKPOINTS}")
    refused(f"UPDATE {CHECKPOINTS} SET root = 'x'")
    refused(f"DELETE FROM {HEADS} WHERE candidate_id = %s", [candidate.pk])
    refused(f"UPDATE {HEADS} SET seq = seq - 1 WHERE candidate_id = %s", [candidate.pk])
    refused(f"ALTER TABLE {ENTRIES} DISABLE TRIGGER USER")
    refused(f"ALTER TABLE {ENTRIES} DISABLE TRIGGER cadre_record_append_only")
    refused("SET session_replication_role = replica")
    assert RecordEntry.objects.filter(candidate=candidate).count() == n
    assert verify().ok


@postgres_only
def test_the_owner_connection_is_reported_by_the_deploy_check(settings):
    settings.PRODUCTION = True
    from cadre.checks import database_role

    errors = database_role(None)
    assert errors and {e.id for e in errors} == {"cadre.E003"}
    assert any("超级用户" in e.msg for e in errors)


@postgres_only
def test_the_triggers_refuse_the_owner_too_while_they_are_on(chains):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending FK checks first
    for sql in (
        f"TRUNCATE {ENTRIES}",
        f"TRUNCATE {HEADS}",
        f"DELETE FROM {HEADS}",
        f"UPDATE {HEADS} SET seq = 1",
    ):
        with pytest.raises(DatabaseError, match="S1"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    checkpoints.checkpoint_sign()
    for sql in (f"TRUNCATE {CHECKPOINTS}", f"DELETE FROM {CHECKPOINTS}", f"UPDATE {CHECKPOINTS} SET root = 'x'"):
        with pytest.raises(DatabaseError, match="S1"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)


# ---------------------------------------------------------------------------- checkpoints


def test_a_checkpoint_verifies_with_the_public_key_alone(chains):
    signed = checkpoints.checkpoint_sign()
    exported = json.loads(json.dumps(checkpoints.export(signed)))  # as a downloaded file
    assert exported["statement"]["chains"] == 2
    assert exported["statement"]["entries"] == sum(last_seq(c) for c in chains)
    # an outside verifier: Ed25519 over the canonical statement, with nothing but the public key
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(exported["public_key"]))
    statement = json.dumps(exported["statement"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    public.verify(base64.b64decode(exported["signature"]), statement.encode())
    report = checkpoints.check(exported, trusted_key=exported["public_key"])
    assert (
        report["ok"] and report["fingerprint"] == hashlib.sha256(base64.b64decode(exported["public_key"])).hexdigest()
    )


def test_a_changed_byte_fails_the_checkpoint(chains):
    exported = checkpoints.export(checkpoints.checkpoint_sign())
    trusted = exported["public_key"]
    changed = json.loads(json.dumps(exported))
    changed["statement"]["entries"] += 1
    assert checkpoints.check(changed, trusted_key=trusted)["signature_ok"] is False
    signature = bytearray(base64.b64decode(exported["signature"]))
    signature[0] ^= 1
    changed = {**exported, "signature": base64.b64encode(bytes(signature)).decode()}
    assert checkpoints.check(changed, trusted_key=trusted)["signature_ok"] is False
    changed = json.loads(json.dumps(exported))
    digest = changed["heads"][0]["hash"]
    changed["heads"][0]["hash"] = ("0" if digest[0] != "0" else "1") + digest[1:]
    report = checkpoints.check(changed, trusted_key=trusted)
    assert report["signature_ok"] is True and report["root_ok"] is False and not report["ok"]


def test_a_checkpoint_signed_with_another_key_is_not_trusted(chains, tmp_path, settings):
    settings.RECORD_SIGNING_KEY_FILE = str(tmp_path / "other.key")
    settings.RECORD_SIGNING_KEY = ""
    forged = checkpoints.export(checkpoints.checkpoint_sign())
    settings.RECORD_SIGNING_KEY_FILE = str(tmp_path / "real.key")
    report = checkpoints.check(forged)
    assert report["signature_ok"] and report["root_ok"] and report["key_ok"] is False and not report["ok"]
    assert verify().ok is False


def test_merkle_root_follows_rfc_6962():
    def h(data):
        return hashlib.sha256(data).digest()

    leaves = [b"a", b"b", b"c"]
    left = h(b"\x01" + h(b"\x00a") + h(b"\x00b"))
    assert checkpoints.merkle_root(leaves) == h(b"\x01" + left + h(b"\x00c")).hex()
    assert checkpoints.merkle_root([]) == hashlib.sha256(b"").hexdigest()
    assert checkpoints.merkle_root([b"a"]) == h(b"\x00a").hex()


def test_checkpoint_endpoints(chains, supervisor, admin_user, staff):
    client = APIClient()
    client.force_authenticate(admin_user)
    created = client.post("/api/v1/record/checkpoints/", {}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "statement", "signature", "public_key"}
    assert set(body["statement"]) == {"at", "chains", "entries", "root"}
    client.force_authenticate(supervisor)
    listed = client.get("/api/v1/record/checkpoints/").json()
    assert listed["count"] == 1 and listed["results"][0] == body
    assert client.post("/api/v1/record/checkpoints/", {}, format="json").status_code == 403
    heads = client.get(f"/api/v1/record/checkpoints/{body['id']}/heads/").json()["heads"]
    assert {h["candidate"] for h in heads} == {c.pk for c in chains}
    verified = client.get("/api/v1/record/verify/").json()
    assert (
        verified["ok"] is True and verified["checkpoint"]["ok"] is True and verified["checkpoint"]["id"] == body["id"]
    )
    download = client.get(f"/api/v1/record/checkpoints/{body['id']}/?download=1")
    assert "attachment" in download["Content-Disposition"] and download.json()["heads"] == heads
    client.force_authenticate(staff)
    assert client.get("/api/v1/record/checkpoints/").status_code == 403
    assert client.get(f"/api/v1/record/checkpoints/{body['id']}/heads/").status_code == 403


@postgres_only
def test_verify_record_against_a_downloaded_checkpoint_file(chains, tmp_path, capsys):
    long, short = chains
    path = tmp_path / "checkpoint.json"
    path.write_text(json.dumps(checkpoints.export(checkpoints.checkpoint_sign())))
    call_command("verify_record", "--checkpoint", str(path))
    out = capsys.readouterr().out
    assert "签名有效" in out and "ok" in out
    n = last_seq(long)
    as_owner(f"DELETE FROM {ENTRIES} WHERE candidate_id = %s AND seq = %s", params=[long.pk, n])
    with pytest.raises(CommandError):
        call_command("verify_record", "--checkpoint", str(path))
    assert f"candidate {long.pk} seq {n} missing_tail" in capsys.readouterr().out
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(CommandError, match="无法读取"):
        call_command("verify_record", "--checkpoint", str(broken))


def test_record_checkpoint_command_and_task(chains, capsys):
    from cadre.tasks import record_checkpoint

    call_command("record_checkpoint")
    assert "检查点" in capsys.readouterr().out
    pk = record_checkpoint()
    assert RecordCheckpoint.objects.filter(pk=pk).exists() and RecordCheckpoint.objects.count() == 2


# ---------------------------------------------------------------------------- payloads hash as stored


@pytest.mark.parametrize(
    "value, stored",
    [
        ("文本", "文本"),
        (0, 0),
        (-(2**53 - 1), -(2**53 - 1)),
        (True, True),
        (None, None),
        ([1, "a", [None]], [1, "a", [None]]),
        ({"键": {"b": 1}}, {"键": {"b": 1}}),
        ((1, 2), [1, 2]),
        (date(2026, 12, 2), "2026-12-02"),
        (datetime(2026, 12, 2, 8, 30), "2026-12-02T08:30:00"),
        (Decimal("0.5"), "0.5"),
    ],
    ids=["str", "int", "min-int", "bool", "null", "list", "object", "tuple", "date", "datetime", "decimal"],
)
def test_payload_types_that_round_trip(staff, candidate, value, stored):
    with transaction.atomic():
        entry = record_append(candidate=candidate, actor=staff, kind=RecordKind.FACT, payload={"v": value})
    assert RecordEntry.objects.get(pk=entry.pk).payload == {"v": stored}
    assert verify().ok


@pytest.mark.parametrize(
    "value",
    [1e16, -0.0, 0.5, float("nan"), float("inf"), 2**53, "a\x00b", "\ud800", {1: "int key"}, object(), b"bytes"],
    ids=["1e16", "-0.0", "float", "nan", "inf", "big-int", "nul", "surrogate", "int-key", "object", "bytes"],
)
def test_payload_values_that_would_not_round_trip_are_refused(staff, candidate, value):
    with pytest.raises(PayloadError), transaction.atomic():
        record_append(candidate=candidate, actor=staff, kind=RecordKind.FACT, payload={"v": value})
    assert RecordEntry.objects.filter(candidate=candidate).count() == 1


def test_the_entry_hash_is_what_api_md_says(chains):
    """A verifier recomputes the hash with nothing but hashlib and json, as ../shared/API.md describes."""
    for entry in RecordEntry.objects.filter(candidate=chains[0]).order_by("seq"):
        content = {
            "actor": entry.actor_id,
            "actor_name": entry.actor_name,
            "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "candidate": entry.candidate_id,
            "kind": entry.kind,
            "payload": entry.payload,
            "seq": entry.seq,
        }
        canonical_json = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256((entry.prev_hash + canonical_json).encode()).hexdigest() == entry.hash
        assert clean_payload(entry.payload) == entry.payload


def test_first_entry_links_to_genesis(candidate):
    assert RecordEntry.objects.get(candidate=candidate, seq=1).prev_hash == GENESIS


# ---------------------------------------------------------------------------- refusals inside another service


@services.records_refusals
def _note_then_move(*, actor, candidate_id, transition):
    """A service that writes, then moves the candidate inside its own transaction."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate_id)
    record_append(candidate=candidate, actor=actor, kind=RecordKind.FACT, payload={"fact": "note"})
    return services.candidate_transition(actor=actor, candidate_id=candidate_id, transition=transition)


def test_a_refusal_inside_another_service_is_recorded_after_its_rollback(staff, candidate):
    before = RecordEntry.objects.filter(candidate=candidate).count()
    with pytest.raises(TransitionRefused) as caught:
        _note_then_move(actor=staff, candidate_id=candidate.pk, transition="appoint")
    assert caught.value.violations[0].rule == "stage"
    rows = list(RecordEntry.objects.filter(candidate=candidate).order_by("seq"))
    assert len(rows) == before + 1  # the service's own note rolled back; the refusal stayed
    assert rows[-1].kind == RecordKind.REFUSED and rows[-1].payload["transition"] == "appoint"
    assert rows[-1].payload["violations"][0]["rule"] == "stage"
    assert caught.value.pending is None
    assert verify().ok


def test_a_wrong_stage_is_a_recorded_refusal_with_rule_stage(staff, candidate):
    client = APIClient()
    client.force_authenticate(staff)
    response = client.post(f"/api/v1/candidates/{candidate.pk}/transitions/appoint/", {}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "violations": [
            {
                "rule": "stage",
                "message": "人选当前处于“动议”阶段，不能任职（可能已被他人处理，请刷新后重试）",
                "source": "状态机",
                "overridable": False,
            }
        ]
    }
    last = RecordEntry.objects.filter(candidate=candidate).order_by("-seq").first()
    assert last.kind == RecordKind.REFUSED and last.actor == staff
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.MOTION
