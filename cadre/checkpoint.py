"""Signed checkpoints of the record (S1): every chain's head at one moment, under a Merkle root.

Like a Certificate Transparency signed tree head: the leaves are the heads in candidate order, the
root is RFC 6962's Merkle tree hash over them, and the statement `{"at", "chains", "entries",
"root"}` is signed with an Ed25519 key that lives outside the database (settings
RECORD_SIGNING_KEY or RECORD_SIGNING_KEY_FILE). Someone who rewrites a chain and its head in the
database cannot sign a new statement, so the rewrite shows against the latest checkpoint.

Offline verification needs only an exported checkpoint (`export()`: statement, signature, public
key, heads): check the signature with the public key, recompute the root from the heads, and
compare each chain's entry at the checkpointed seq with the checkpointed hash.
"""

import base64
import hashlib
import os
from pathlib import Path

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from .models import RecordCheckpoint, RecordHead


def _canonical(value) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


# ---------------------------------------------------------------------------- the key


def generate_key_file(path: Path) -> Ed25519PrivateKey:
    """Write a new private key (base64 of the 32-byte seed) readable by its owner only."""
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(seed).decode() + "\n")
    return key


def _parse_seed(text: str, origin: str) -> Ed25519PrivateKey:
    try:
        seed = base64.b64decode(text.strip(), validate=True)
        return Ed25519PrivateKey.from_private_bytes(seed)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{origin} 不是有效的 Ed25519 私钥（32 字节种子的 base64）") from exc


def signing_key() -> Ed25519PrivateKey:
    """The configured key; outside production a development key is made on first use."""
    if settings.RECORD_SIGNING_KEY:
        return _parse_seed(settings.RECORD_SIGNING_KEY, "RECORD_SIGNING_KEY")
    path = Path(settings.RECORD_SIGNING_KEY_FILE)
    if not path.exists():
        if settings.PRODUCTION:
            raise ImproperlyConfigured(f"纪实记录签名密钥文件 {path} 不存在（python manage.py record_signing_key）")
        try:
            return generate_key_file(path)
        except FileExistsError:
            pass  # another process made it first
    return _parse_seed(path.read_text(), str(path))


def public_key_b64(key: Ed25519PrivateKey | None = None) -> str:
    raw = (key or signing_key()).public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def fingerprint(public_key: str) -> str:
    """SHA-256 of the raw public key, hex: what supervisors compare with the published one."""
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()


# ---------------------------------------------------------------------------- the tree


def leaf(*, candidate: int, seq: int, hash: str) -> bytes:
    return _canonical({"candidate": candidate, "seq": seq, "hash": hash})


def merkle_root(leaves: list[bytes]) -> str:
    """RFC 6962 §2.1: MTH({}) = SHA-256(), leaf = SHA-256(0x00 || d), node = SHA-256(0x01 || l || r),
    split at the largest power of two below n."""

    def tree(hashes: list[bytes]) -> bytes:
        if len(hashes) == 1:
            return hashes[0]
        k = 1 << ((len(hashes) - 1).bit_length() - 1)
        return hashlib.sha256(b"\x01" + tree(hashes[:k]) + tree(hashes[k:])).digest()

    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    return tree([hashlib.sha256(b"\x00" + item).digest() for item in leaves]).hex()


# ---------------------------------------------------------------------------- sign and check


def checkpoint_sign() -> RecordCheckpoint:
    """Sign every chain's head now. One query reads the heads (one consistent snapshot)."""
    key = signing_key()
    with transaction.atomic():
        heads = [
            {"candidate": pk, "seq": seq, "hash": digest}
            for pk, seq, digest in RecordHead.objects.order_by("candidate_id").values_list(
                "candidate_id", "seq", "hash"
            )
        ]
        at = timezone.now()
        statement = {
            "at": at.isoformat(timespec="microseconds"),
            "chains": len(heads),
            "entries": sum(h["seq"] for h in heads),
            "root": merkle_root([leaf(**h) for h in heads]),
        }
        signed = _canonical(statement)
        return RecordCheckpoint.objects.create(
            at=at,
            chains=statement["chains"],
            entries=statement["entries"],
            root=statement["root"],
            statement=signed.decode(),
            heads=_canonical(heads).decode(),
            signature=base64.b64encode(key.sign(signed)).decode(),
            public_key=public_key_b64(key),
        )


def export(checkpoint: RecordCheckpoint, *, with_heads: bool = True) -> dict:
    """The checkpoint as a supervisor downloads it (../shared/API.md, record/checkpoints/)."""
    data = {
        "id": checkpoint.pk,
        "statement": orjson.loads(checkpoint.statement),
        "signature": checkpoint.signature,
        "public_key": checkpoint.public_key,
        "fingerprint": fingerprint(checkpoint.public_key),
    }
    if with_heads:
        data["heads"] = orjson.loads(checkpoint.heads)
    return data


def latest_export() -> dict | None:
    checkpoint = RecordCheckpoint.objects.order_by("-id").first()
    return export(checkpoint) if checkpoint else None


def check(data: dict, *, trusted_key: str | None = None) -> dict:
    """Verify an exported checkpoint on its own: signature, root over its heads, counts, and whether
    it was signed by the trusted key (the configured one by default; offline, the one given)."""
    statement, heads = data.get("statement") or {}, data.get("heads") or []
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(data["public_key"]))
        public.verify(base64.b64decode(data["signature"]), _canonical(statement))
        signature_ok = True
    except (InvalidSignature, KeyError, TypeError, ValueError):
        signature_ok = False
    try:
        leaves = [leaf(candidate=h["candidate"], seq=h["seq"], hash=h["hash"]) for h in heads]
        root_ok = (
            merkle_root(leaves) == statement.get("root")
            and statement.get("chains") == len(heads)
            and statement.get("entries") == sum(h["seq"] for h in heads)
        )
    except (KeyError, TypeError):
        root_ok = False
    trusted = trusted_key if trusted_key is not None else public_key_b64()
    key_ok = data.get("public_key") == trusted
    return {
        "id": data.get("id"),
        "at": statement.get("at"),
        "chains": statement.get("chains"),
        "root": statement.get("root"),
        "fingerprint": fingerprint(data["public_key"]) if signature_ok else None,
        "signature_ok": signature_ok,
        "root_ok": root_ok,
        "key_ok": key_ok,
        "ok": signature_ok and root_ok and key_ok,
    }
