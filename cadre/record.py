"""The full-process record (S1): append-only, one hash chain per candidate, a head per chain.

Each entry's hash is sha256(prev_hash + canonical content) (../shared/API.md, "The entry hash").
Each chain's head (last seq and hash) lives in `RecordHead` and moves in the same transaction as
the append, so an entry removed from the end no longer matches it; signed checkpoints
(`cadre.checkpoint`) fix every head at a moment, so a tail removed or rewritten together with its
head is caught against the latest checkpoint. `verify()` names, per candidate, the kind of problem.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import orjson
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.functional import Promise

from .errors import Conflict
from .models import Candidate, RecordEntry, RecordHead

GENESIS = "0" * 64
# Integers beyond 2**53 lose precision in JavaScript verifiers (and in some JSON libraries).
MAX_INT = 2**53 - 1


class PayloadError(TypeError):
    """A payload value that would not come back from the database exactly as hashed."""


def clean_payload(value, path: str = "payload"):
    """The payload as plain JSON that round-trips through jsonb byte for byte.

    Strings, integers (|n| ≤ 2**53-1), booleans, null, lists and objects with string keys pass;
    dates and datetimes become ISO 8601 strings and decimals or fractions strings, on purpose.
    Floats (jsonb rewrites 1e16 and -0.0), NaN, NUL characters (jsonb refuses them), lone
    surrogates and any other type raise PayloadError: the caller must say what it means.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise PayloadError(f"{path}: 整数超出范围（|n| ≤ 2**53-1），请以字符串记录")
        return int(value)
    if isinstance(value, str | Promise):
        text = str(value)
        if "\x00" in text:
            raise PayloadError(f"{path}: 文本不能包含 NUL 字符")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise PayloadError(f"{path}: 文本不是有效的 Unicode") from exc
        return text
    if isinstance(value, float):
        raise PayloadError(f"{path}: 纪实记录不接受浮点数（数据库会改写其写法），请以字符串或整数记录")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | Fraction):
        return str(value)
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise PayloadError(f"{path}: 对象的键必须是文本，而不是 {type(key).__name__}")
            cleaned[str(clean_payload(key, path))] = clean_payload(item, f"{path}.{key}")
        return cleaned
    if isinstance(value, list | tuple):
        return [clean_payload(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise PayloadError(f"{path}: 纪实记录不接受 {type(value).__name__} 类型的值")


def format_at(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(*, candidate_id, seq, at, actor_id, actor_name, kind, payload) -> bytes:
    """UTF-8 JSON, sorted keys, no spaces, non-ASCII as is (identical to Python's
    json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":")))."""
    content = {
        "candidate": candidate_id,
        "seq": seq,
        "at": at if isinstance(at, str) else format_at(at),
        "actor": actor_id,
        "actor_name": actor_name,
        "kind": kind,
        "payload": payload,
    }
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)


def entry_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + content).hexdigest()


def record_append(*, candidate, actor, kind: str, payload: dict) -> RecordEntry:
    """Append one entry to the candidate's chain and move its head, inside the caller's transaction.

    The caller's transaction is the one that does the thing recorded: the entry commits with it or
    not at all. The candidate's row lock is taken here too (immediate when the caller holds it), so
    two appends to one chain take turns whoever calls.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("record_append must run inside the transaction that does what it records")
    payload = clean_payload(payload)
    list(Candidate.objects.select_for_update(of=("self",)).filter(pk=candidate.pk).values_list("pk"))
    head = RecordHead.objects.select_for_update().filter(candidate_id=candidate.pk).first()
    seq, prev_hash = (head.seq + 1, head.hash) if head else (1, GENESIS)
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
    digest = entry_hash(prev_hash, content)
    try:
        with transaction.atomic():
            entry = RecordEntry.objects.create(
                candidate=candidate,
                seq=seq,
                at=at,
                actor=actor,
                actor_name=actor_name,
                kind=kind,
                payload=payload,
                prev_hash=prev_hash,
                hash=digest,
            )
            if head:
                RecordHead.objects.filter(candidate_id=candidate.pk).update(seq=seq, hash=digest)
            else:
                RecordHead.objects.create(candidate_id=candidate.pk, seq=seq, hash=digest)
    except IntegrityError as exc:
        # Only reachable when a writer bypassed the lock above (another chain head was written).
        raise Conflict("纪实记录正在被他人写入，请刷新后重试", rule="S1") from exc
    return entry


# ---------------------------------------------------------------------------- verification

# Timestamps formatted by PostgreSQL exactly as format_at() does, and payloads as text for orjson:
# parsing timestamps and jsonb in Python was half the time of a verification.
_PG_ROWS = """
SELECT candidate_id, seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
       actor_id, actor_name, kind, payload::text, prev_hash, hash
FROM cadre_recordentry {where} ORDER BY candidate_id, seq
"""


def _rows(candidate_ids):
    """(candidate, seq, at as text, actor, actor_name, kind, payload as JSON bytes, prev_hash, hash)."""
    if connection.vendor == "postgresql":
        where, params = (
            ("WHERE candidate_id = ANY(%s)", [list(candidate_ids)]) if candidate_ids is not None else ("", [])
        )
        with transaction.atomic(), connection.chunked_cursor() as cursor:
            cursor.execute(_PG_ROWS.format(where=where), params)
            while chunk := cursor.fetchmany(5000):
                yield from chunk
        return
    rows = RecordEntry.objects.order_by("candidate_id", "seq")
    if candidate_ids is not None:
        rows = rows.filter(candidate_id__in=candidate_ids)
    fields = ("candidate_id", "seq", "at", "actor_id", "actor_name", "kind", "payload", "prev_hash", "hash")
    for row in rows.values_list(*fields).iterator(chunk_size=5000):
        candidate_id, seq, at, actor_id, actor_name, kind, payload, prev_hash, stored = row
        yield candidate_id, seq, format_at(at), actor_id, actor_name, kind, orjson.dumps(payload), prev_hash, stored


@dataclass
class Chain:
    """What verification learned of one chain."""

    last_seq: int = 0
    hashes: dict[int, str] = field(default_factory=dict)  # only the seqs someone asked about
    first_at: str | None = None
    broken: tuple[int, str] | None = None  # (seq, "edited" | "removed")


@dataclass
class VerifyResult:
    entries: int
    broken: list[dict]
    checkpoint: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.broken and (self.checkpoint is None or self.checkpoint["ok"])


def _walk(candidate_ids, watch: dict[int, set[int]]) -> tuple[int, dict[int, Chain]]:
    """Recompute every chain; keep the hashes at the seqs in `watch` (heads and checkpoint heads)."""
    chains: dict[int, Chain] = {}
    count = 0
    current = chain = None
    expected_prev, expected_seq = GENESIS, 1
    loads, dumps, sha256, sort = orjson.loads, orjson.dumps, hashlib.sha256, orjson.OPT_SORT_KEYS
    for candidate_id, seq, at, actor_id, actor_name, kind, payload, prev_hash, stored in _rows(candidate_ids):
        count += 1
        if candidate_id != current:
            current, chain = candidate_id, Chain(first_at=at)
            chains[candidate_id] = chain
            expected_prev, expected_seq = GENESIS, 1
            wanted = watch.get(candidate_id, ())
        chain.last_seq = seq
        if seq in wanted:
            chain.hashes[seq] = stored
        if chain.broken:
            continue
        if seq != expected_seq:
            chain.broken = (expected_seq, "removed")
            continue
        content = dumps(
            {
                "actor": actor_id,
                "actor_name": actor_name,
                "at": at,
                "candidate": candidate_id,
                "kind": kind,
                "payload": loads(payload),
                "seq": seq,
            },
            option=sort,
        )
        if prev_hash != expected_prev or sha256(prev_hash.encode() + content).hexdigest() != stored:
            chain.broken = (seq, "edited")
            continue
        expected_prev, expected_seq = stored, seq + 1
    return count, chains


def verify(
    candidate_ids=None, *, checkpoint: dict | None | bool = None, trusted_key: str | None = None
) -> VerifyResult:
    """Recompute every chain (or those of `candidate_ids`) and compare it with its head and with a
    signed checkpoint (`checkpoint` as exported by cadre.checkpoint; None: the latest stored one;
    False: none).

    Problems per candidate, as ../shared/API.md names them: `edited` (an entry's content or link
    changed), `removed` (entries missing from the middle), `missing_tail` (the chain ends before its
    head or its checkpointed head), `missing_chain` (no entries at all: seq is null), and
    `not_in_checkpoint` (the chain differs from what the checkpoint signed, or predates it unseen).
    The checkpoint's signature is checked against `trusted_key` (base64), by default the configured key.
    """
    from . import checkpoint as checkpoints

    if checkpoint is None:
        checkpoint = checkpoints.latest_export()
    elif checkpoint is False:
        checkpoint = None
    signed = checkpoints.check(checkpoint, trusted_key=trusted_key) if checkpoint else None
    signed_heads = {h["candidate"]: (h["seq"], h["hash"]) for h in checkpoint["heads"]} if checkpoint else {}

    heads = RecordHead.objects.all()
    known = Candidate.objects.all()
    if candidate_ids is not None:
        candidate_ids = [int(pk) for pk in candidate_ids]
        heads, known = heads.filter(candidate_id__in=candidate_ids), known.filter(pk__in=candidate_ids)
        signed_heads = {pk: head for pk, head in signed_heads.items() if pk in set(candidate_ids)}
    heads = {pk: (seq, digest) for pk, seq, digest in heads.values_list("candidate_id", "seq", "hash")}

    watch: dict[int, set[int]] = {}
    for source in (heads, signed_heads):
        for pk, (seq, _) in source.items():
            watch.setdefault(pk, set()).add(seq)
    count, chains = _walk(candidate_ids, watch)

    broken: list[dict] = []
    everyone = sorted(set(known.values_list("pk", flat=True)) | set(heads) | set(signed_heads) | set(chains))
    for pk in everyone:
        chain = chains.get(pk)
        problems: list[tuple[int | None, str]] = []
        if chain is None:
            problems.append((None, "missing_chain"))
        else:
            if chain.broken:
                problems.append(chain.broken)
            problems.extend(_against_head(chain, heads.get(pk), "missing_tail", "edited"))
            if checkpoint:
                if pk in signed_heads:
                    problems.extend(_against_head(chain, signed_heads[pk], "missing_tail", "not_in_checkpoint"))
                elif chain.first_at is not None and chain.first_at <= checkpoint["statement"]["at"]:
                    problems.append((1, "not_in_checkpoint"))
        seen = set()
        for seq, problem in problems:
            if (seq, problem) not in seen:
                seen.add((seq, problem))
                broken.append({"candidate": pk, "seq": seq, "problem": problem})
    return VerifyResult(entries=count, broken=broken, checkpoint=signed)


def _against_head(chain: Chain, head, short: str, differs: str):
    """A chain must reach its head (else `short`) and hold the head's hash at its seq (else `differs`)."""
    if head is None:
        return []
    seq, digest = head
    if chain.last_seq < seq:
        return [(chain.last_seq + 1, short)]
    if chain.hashes.get(seq) != digest:
        return [(seq, differs)]
    return []
