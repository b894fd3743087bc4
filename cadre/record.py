"""The full-process record (S1): append-only, one hash chain per candidate.

Each entry's hash is sha256(prev_hash + canonical content). Changing, removing or reordering a
row breaks the chain from that row on, and `verify()` names the first broken entry per candidate.
Callers append inside the transaction that does the thing recorded, holding the candidate's row
lock, so two appends to one chain cannot interleave (and (candidate, seq) is unique besides).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.utils import timezone

from .models import RecordEntry

GENESIS = "0" * 64


def canonical(*, candidate_id, seq, at, actor_id, actor_name, kind, payload) -> bytes:
    content = {
        "candidate": candidate_id,
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor_id,
        "actor_name": actor_name,
        "kind": kind,
        "payload": payload,
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + content).hexdigest()


def record_append(*, candidate, actor, kind: str, payload: dict) -> RecordEntry:
    """Append one entry to the candidate's chain. Call with the candidate row locked."""
    last = RecordEntry.objects.filter(candidate=candidate).order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    # Round-trip the payload through JSON so the hash covers exactly what the database returns.
    payload = json.loads(json.dumps(payload, ensure_ascii=False, default=str))
    at = timezone.now()
    actor_name = actor.get_username() if actor else "system"
    content = canonical(
        candidate_id=candidate.pk,
        seq=seq,
        at=at,
        actor_id=actor.pk if actor else None,
        actor_name=actor_name,
        kind=kind,
        payload=payload,
    )
    return RecordEntry.objects.create(
        candidate=candidate,
        seq=seq,
        at=at,
        actor=actor,
        actor_name=actor_name,
        kind=kind,
        payload=payload,
        prev_hash=prev_hash,
        hash=entry_hash(prev_hash, content),
    )


@dataclass
class VerifyResult:
    entries: int
    broken: list[dict]

    @property
    def ok(self) -> bool:
        return not self.broken


def verify(candidate_ids=None) -> VerifyResult:
    """Recompute every chain (or those of `candidate_ids`); name the first broken entry of each."""
    rows = RecordEntry.objects.order_by("candidate_id", "seq")
    if candidate_ids is not None:
        rows = rows.filter(candidate_id__in=candidate_ids)
    rows = rows.values_list(
        "candidate_id", "seq", "at", "actor_id", "actor_name", "kind", "payload", "prev_hash", "hash"
    )
    count = 0
    broken: list[dict] = []
    current, expected_prev, expected_seq, failed = None, GENESIS, 1, False
    for candidate_id, seq, at, actor_id, actor_name, kind, payload, prev_hash, stored in rows.iterator(chunk_size=5000):
        count += 1
        if candidate_id != current:
            current, expected_prev, expected_seq, failed = candidate_id, GENESIS, 1, False
        if failed:
            continue
        content = canonical(
            candidate_id=candidate_id,
            seq=seq,
            at=at,
            actor_id=actor_id,
            actor_name=actor_name,
            kind=kind,
            payload=payload,
        )
        if seq != expected_seq or prev_hash != expected_prev or entry_hash(prev_hash, content) != stored:
            broken.append({"candidate": candidate_id, "seq": seq})
            failed = True
            continue
        expected_prev, expected_seq = stored, seq + 1
    return VerifyResult(entries=count, broken=broken)
