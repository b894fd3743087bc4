"""What users see as a rule's 依据: the administrator's citations (`RuleDocument`, `RuleCitation`;
admin → 规则依据), never the developers' file numbers that `register(source=…)` notes in code.

Read through Django's cache (Redis when `REDIS_URL` is set, so shared by every process), so that
evaluating rules costs no query once warm. A save or delete of a document or citation, and every
`migrate`, starts a new generation: each process reads the citations afresh at its next use.
"""

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from .models import RuleCitation, RuleDocument

SEPARATOR = "；"


def _key(name: str) -> str:
    # Per database: the test database and the working one may share a Redis.
    return f"cadre:citations:{connection.settings_dict['NAME']}:{name}"


def sources() -> dict[str, str]:
    """Rule id → its 依据 as users see it (rules without a citation are absent)."""
    generation = cache.get(_key("generation"), 0)
    key = _key(f"sources:{generation}")
    found = cache.get(key)
    if found is None:
        found = _load()
        cache.set(key, found, timeout=None)
    return found


def source_for(rule_id: str) -> str:
    return sources().get(rule_id, "")


def _load() -> dict[str, str]:
    """One query. A rule's citations in order; consecutive ones of one document share its title:
    《创公信度示范县落实办法》三（三）1、三（五）1."""
    grouped: dict[str, list[list]] = {}
    for citation in RuleCitation.objects.select_related("document").order_by("rule", "order", "pk"):
        parts = grouped.setdefault(citation.rule, [])
        if parts and parts[-1][0] == citation.document_id and citation.article:
            parts[-1][2].append(citation.article)
        else:
            parts.append([citation.document_id, citation.document.title, [citation.article]])
    return {
        rule: SEPARATOR.join(title + "、".join(a for a in articles if a) for _, title, articles in parts)
        for rule, parts in grouped.items()
    }


def forget() -> None:
    """Start a new generation: every process reads the citations again at its next use."""
    key = _key("generation")
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)


@receiver([post_save, post_delete], sender=RuleDocument)
@receiver([post_save, post_delete], sender=RuleCitation)
def _changed(**kwargs):
    # Now, for this process's next read; and at commit, so that no process keeps what another
    # read from the database before the change was committed.
    forget()
    transaction.on_commit(forget)


@receiver(post_migrate)
def _migrated(sender, **kwargs):
    if sender.name == "cadre":
        forget()
