"""The reserve cadre pool 后备干部: entering it (source, date, the posts a cadre is considered for), its
status reserve → inspection object → used / withdrawn, each step kept in ReserveChange, and the pool's
structure against C2's targets. The procedure moves the status itself (`follow_transition`, called by
cadre.services when a candidate is inspected or appointed); staff add cadres and withdraw them.
"""

from datetime import date
from fractions import Fraction

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from . import roles
from .cleaning import Cleaner
from .errors import Conflict, InvalidInput, NotAllowed
from .models import EDUCATION_RANK, Cadre, Education, Gender, Position, ReserveCadre, ReserveChange
from .thresholds import snapshot

Status = ReserveCadre.Status
# The moves staff make by hand; the procedure's own (→ inspection, → used) come from the transitions.
BY_HAND = {
    Status.RESERVE: {Status.WITHDRAWN},
    Status.INSPECTION: {Status.RESERVE, Status.WITHDRAWN},
    Status.USED: set(),
    Status.WITHDRAWN: {Status.RESERVE},
}
FOLLOWS = {"inspect": Status.INSPECTION, "appoint": Status.USED}


def _ensure_writer(actor: User) -> None:
    if not roles.can_write_cadres(actor):
        raise NotAllowed("只有组工干部和管理员可以维护后备干部")


def _change(reserve: ReserveCadre, to: str, reason: str, by: User | None) -> None:
    ReserveChange.objects.create(reserve=reserve, from_status=reserve.status, to_status=to, reason=reason, by=by)
    reserve.status = to
    reserve.save(update_fields=["status"])


@transaction.atomic
def reserve_add(*, actor: User, cadre_id, source: str, since: date, position_ids=()) -> ReserveCadre:
    """A cadre enters the pool (or comes back to it after withdrawal) for the posts they are considered for."""
    _ensure_writer(actor)
    clean = Cleaner()
    cadre = Cadre.objects.select_for_update().filter(pk=cadre_id).first() if str(cadre_id).isdigit() else None
    if cadre is None:
        clean.add("cadre", "请选择干部")
    source = clean.text(source, "source", max_length=200, label="推荐来源，如“2026年度后备干部民主推荐”")
    since = clean.date(since, "since", not_future=True, label="入库日期")
    wanted = [int(p) for p in position_ids if str(p).isdigit()]
    positions = list(Position.objects.filter(pk__in=wanted))
    if len(positions) != len(set(wanted)):
        clean.add("positions", "拟考虑职位不存在")
    clean.done()
    reserve = ReserveCadre.objects.select_for_update().filter(cadre=cadre).first()
    if reserve is not None and reserve.status != Status.WITHDRAWN:
        raise Conflict(f"{cadre.name}已在后备干部库中（{reserve.get_status_display()}）", rule="S1")
    if reserve is None:
        reserve = ReserveCadre(cadre=cadre, source=source, since=since, status=Status.RESERVE)
        reserve.save()
        ReserveChange.objects.create(reserve=reserve, to_status=Status.RESERVE, reason=f"入库：{source}", by=actor)
    else:
        reserve.source, reserve.since = source, since
        reserve.save(update_fields=["source", "since"])
        _change(reserve, Status.RESERVE, f"重新入库：{source}", actor)
    reserve.positions.set(positions)
    return reserve


@transaction.atomic
def reserve_set_status(*, actor: User, reserve_id, status: str, reason: str) -> ReserveCadre:
    """Staff withdraw a cadre from the pool or put one back; the procedure's moves are not theirs to make."""
    _ensure_writer(actor)
    found = ReserveCadre.objects.select_for_update().filter(pk=reserve_id) if str(reserve_id).isdigit() else None
    reserve = found.first() if found is not None else None
    if reserve is None:
        raise InvalidInput({"reserve": ["后备干部记录不存在"]})
    clean = Cleaner()
    clean.choice(status, "status", Status.values, message="状态不正确")
    reason = clean.text(reason, "reason", max_length=500, label="事由")
    clean.done()
    if status not in BY_HAND[reserve.status]:
        raise Conflict(
            f"后备干部状态不能由“{reserve.get_status_display()}”改为“{Status(status).label}”"
            "（列为考察对象、已使用由选任程序自动记录）"
        )
    _change(reserve, status, reason, actor)
    return reserve


def follow_transition(*, cadre_id: int, transition: str, actor: User, candidate_label: str) -> str | None:
    """The procedure moved the cadre's candidacy: inspected → 考察对象, appointed → 已使用 (in its
    transaction). Returns the new status, or None when the reserve did not change."""
    to = FOLLOWS.get(transition)
    if to is None:
        return None
    reserve = ReserveCadre.objects.select_for_update().filter(cadre_id=cadre_id).first()
    if reserve is None or reserve.status in (to, Status.USED, Status.WITHDRAWN):
        return None
    _change(reserve, to, f"{candidate_label}：{'列为考察对象' if to == Status.INSPECTION else '任职'}", actor)
    return to


# ---------------------------------------------------------------------------- reading


def reserve_list(*, unit_id=None, status=None) -> QuerySet[ReserveCadre]:
    rows = ReserveCadre.objects.select_related("cadre__unit", "cadre__position").prefetch_related(
        Prefetch("positions", queryset=Position.objects.select_related("unit")),
        Prefetch("changes", queryset=ReserveChange.objects.select_related("by")),
    )
    if unit_id:
        rows = rows.filter(cadre__unit_id=unit_id)
    if status in Status.values:
        rows = rows.filter(status=status)
    return rows.order_by("cadre__unit__name", "cadre__birth_date", "pk")


def age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def structure(reserves, *, today: date | None = None) -> list[dict]:
    """The pool's shares against C2's targets (young, bachelor, postgraduate, women), from the thresholds."""
    today = today or timezone.localdate()
    t = snapshot()
    cadres = [r.cadre for r in reserves]
    young_age = t["C2.chief_young_age"]
    rank = EDUCATION_RANK
    checks = [
        (f"{young_age}周岁以下", "C2.chief_young_share", lambda c: age(c.birth_date, today) <= young_age),
        ("大学本科以上", "C2.bachelor_share", lambda c: rank[c.education] >= rank[Education.BACHELOR]),
        ("研究生", "C2.postgraduate_share", lambda c: rank[c.education] >= rank[Education.MASTER]),
        ("女干部", "C2.female_share", lambda c: c.gender == Gender.FEMALE),
    ]
    rows = []
    for label, key, test in checks:
        count, target = sum(1 for c in cadres if test(c)), t[key]
        share = Fraction(count, len(cadres)) if cadres else None
        rows.append(
            {
                "label": label,
                "count": count,
                "total": len(cadres),
                "percent": f"{float(share) * 100:.1f}%" if share is not None else "—",
                "target": f"≥{float(target) * 100:.0f}%" if target else "未设量化目标",
                "met": None if share is None or not target else share >= target,
            }
        )
    return rows
