"""The year's figures (S5 一报告两评议; C2 team structure; C1 rotation), as plain data.

`annual_figures(year=, unit=)` is the one read behind the annual page, its PDF and its Excel file:
- selections started in the year (`Selection.created_at`, Asia/Shanghai) and how many were
  competitive 差额 (`Selection.competitive`);
- appointments effective in the year (`Appointment.effective_on`), the share chosen in a
  competitive selection, the newly promoted, and the appointees (for the plenary's evaluation);
- complaints received in the year against S3's targets (`selectors.complaint_stats`);
- the chosen unit's leadership team (the holders of the unit's positions) against C2's targets
  (`C2_TARGETS`, values from the `C2.*` thresholds, `004` 二(一)), with its age, gender,
  education and level distributions;
- the cadres due for rotation under C1 (`reminders.rotation_due`) with their years in post.

Counts cover the calendar year; ages and years in post are reckoned on `as_of` (today for the
current year, 31 December for an earlier one) from the current holders' data. Shares are compared
exactly (fractions): 1 of 5 meets a 20% target.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from django.db.models import Count, Q
from django.utils import timezone

from cadre.models import EDUCATION_RANK, LEVEL_RANK, Cadre, Education, Gender, Level, Selection, Unit
from cadre.thresholds import Snapshot, snapshot

from .models import Appointment
from .reminders import _full_years, rotation_due
from .selectors import complaint_stats


@dataclass(frozen=True)
class Target:
    """One C2 target: among `basis` (a level, or the whole team), the members `who` describes."""

    key: str
    label: str
    basis: str | None  # a Level value, or None for the whole team
    kind: str  # "share": share ≥ threshold; "count": count ≥ threshold
    threshold: str  # the Threshold key of the minimum


# `004` 二(一): 正科职干部40周岁以下要达到20%，其中35周岁左右人员不少于3名；副科职干部中30周岁左右人员达到30%；
# 研究生以上学历占18%左右，本科以上学历占85%以上；加大女干部的选拔任用 (no figure: C2.female_share 0).
C2_TARGETS = (
    Target("chief_young", "正科职干部中{young}周岁以下", Level.SECTION_CHIEF, "share", "C2.chief_young_share"),
    Target("chief_around", "正科职干部中{chief_around}周岁左右", Level.SECTION_CHIEF, "count", "C2.chief_around_count"),
    Target(
        "deputy_around", "副科职干部中{deputy_around}周岁左右", Level.SECTION_DEPUTY, "share", "C2.deputy_around_share"
    ),
    Target("postgraduate", "研究生以上学历", None, "share", "C2.postgraduate_share"),
    Target("bachelor", "本科以上学历", None, "share", "C2.bachelor_share"),
    Target("female", "女干部", None, "share", "C2.female_share"),
)

BASIS_LABELS = {Level.SECTION_CHIEF: "正科职干部", Level.SECTION_DEPUTY: "副科职干部", None: "班子成员"}
AGE_BANDS = ((None, 30), (31, 35), (36, 40), (41, 45), (46, 50), (51, None))  # full years, inclusive


def _percent(share: Fraction | None) -> str | None:
    return None if share is None else f"{float(share) * 100:.1f}%"


def _target_percent(share: Fraction) -> str:
    return f"{float(share) * 100:.1f}".removesuffix(".0") + "%"


def _year_range(year: int) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
    return start, timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))


def _count_share(count: int, basis: int) -> dict:
    share = Fraction(count, basis) if basis else None
    return {
        "count": count,
        "basis": basis,
        "share": None if share is None else float(share),
        "percent": _percent(share),
    }


def _selections(year: int) -> dict:
    start, end = _year_range(year)
    row = Selection.objects.filter(created_at__gte=start, created_at__lt=end).aggregate(
        total=Count("pk"), competitive=Count("pk", filter=Q(competitive=True))
    )
    return {"total": row["total"], **_count_share(row["competitive"], row["total"])}


def _appointments(year: int) -> tuple[dict, list[dict]]:
    rows = list(
        Appointment.objects.filter(effective_on__gte=date(year, 1, 1), effective_on__lte=date(year, 12, 31))
        .select_related("candidate__cadre", "candidate__position__unit", "candidate__selection")
        .order_by("effective_on", "pk")
    )
    competitive = sum(1 for a in rows if a.candidate.selection.competitive)
    summary = {
        "total": len(rows),
        "promotions": sum(1 for a in rows if a.promotion),
        **_count_share(competitive, len(rows)),
    }
    appointees = [
        {
            "candidate_id": a.candidate_id,
            "name": a.candidate.cadre.name,
            "position": str(a.candidate.position),
            "effective_on": a.effective_on,
            "document_number": a.document_number,
            "competitive": a.candidate.selection.competitive,
            "promotion": a.promotion,
        }
        for a in rows
    ]
    return summary, appointees


def _band_label(low: int | None, high: int | None) -> str:
    if low is None:
        return f"{high}周岁及以下"
    if high is None:
        return f"{low}周岁及以上"
    return f"{low}–{high}周岁"


def _distribution(labels_counts: list[tuple[str, int]], size: int) -> list[dict]:
    return [{"label": label, **_count_share(n, size)} for label, n in labels_counts]


def team_structure(*, unit: Unit, as_of: date, t: Snapshot) -> dict:
    """C2 for one unit's leadership team: the current holders of the unit's positions."""
    members = list(
        Cadre.objects.filter(position__unit=unit).select_related("position").order_by("position__id", "name", "pk")
    )
    ages = {c.pk: _full_years(c.birth_date, as_of) for c in members}
    around = t["C2.around_years"]
    young, chief_around, deputy_around = t["C2.chief_young_age"], t["C2.chief_around_age"], t["C2.deputy_around_age"]
    bachelor = EDUCATION_RANK[Education.BACHELOR]
    postgraduate = EDUCATION_RANK[Education.MASTER]
    who = {
        "chief_young": lambda c: ages[c.pk] <= young,
        "chief_around": lambda c: abs(ages[c.pk] - chief_around) <= around,
        "deputy_around": lambda c: abs(ages[c.pk] - deputy_around) <= around,
        "postgraduate": lambda c: EDUCATION_RANK.get(c.education, -1) >= postgraduate,
        "bachelor": lambda c: EDUCATION_RANK.get(c.education, -1) >= bachelor,
        "female": lambda c: c.gender == Gender.FEMALE,
    }
    names = {"young": young, "chief_around": chief_around, "deputy_around": deputy_around}
    targets = []
    for target in C2_TARGETS:
        pool = [c for c in members if target.basis is None or c.position.level == target.basis]
        count = sum(1 for c in pool if who[target.key](c))
        minimum = t[target.threshold]
        share = Fraction(count, len(pool)) if pool else None
        if target.kind == "share":
            has_target = minimum > 0
            met = None if not pool or not has_target else share >= minimum
            target_label = f"≥{_target_percent(minimum)}" if has_target else "未设量化目标"
            target_share = float(minimum) if has_target else None
        else:
            has_target = minimum > 0
            met = None if not pool or not has_target else count >= minimum
            target_label = f"≥{minimum}人" if has_target else "未设量化目标"
            target_share = minimum / len(pool) if has_target and pool and minimum <= len(pool) else None
        targets.append(
            {
                "key": target.key,
                "label": target.label.format(**names),
                "basis_label": BASIS_LABELS[target.basis],
                **_count_share(count, len(pool)),
                "kind": target.kind,
                "threshold": target.threshold,
                "minimum": float(minimum) if target.kind == "share" else minimum,
                "target_label": target_label,
                "target_share": target_share,
                "has_target": has_target,
                "met": met,
            }
        )
    size = len(members)
    bands = [
        (
            _band_label(low, high),
            sum(1 for a in ages.values() if (low is None or a >= low) and (high is None or a <= high)),
        )
        for low, high in AGE_BANDS
    ]
    levels = sorted({c.position.level for c in members}, key=lambda lv: -LEVEL_RANK.get(lv, 0))
    return {
        "unit": {"id": unit.pk, "name": unit.name},
        "size": size,
        "targets": targets,
        "age": _distribution(bands, size),
        "gender": _distribution([(str(g.label), sum(1 for c in members if c.gender == g)) for g in Gender], size),
        "education": _distribution(
            [(str(e.label), sum(1 for c in members if c.education == e)) for e in Education], size
        ),
        "level": _distribution(
            [(str(Level(lv).label), sum(1 for c in members if c.position.level == lv)) for lv in levels], size
        ),
        "members": [
            {
                "name": c.name,
                "position": c.position.title,
                "level": str(Level(c.position.level).label),
                "gender": c.get_gender_display(),
                "age": ages[c.pk],
                "education": c.get_education_display(),
            }
            for c in members
        ],
    }


def _rotation(as_of: date, t: Snapshot) -> list[dict]:
    """C1, as the dashboard computes it (`reminders.rotation_due`), with the reason for each."""
    rows = []
    for cadre, years, must in rotation_due(today=as_of, limit=None):
        key_post = cadre.position.is_key_post
        if key_post and years >= t["C1.key_post_years"]:
            reason = f"关键岗位任职满{t['C1.key_post_years']}年"
        elif years >= t["C1.must_rotate_years"]:
            reason = f"同一职位任职满{t['C1.must_rotate_years']}年"
        else:
            reason = f"同一职位任职满{t['C1.should_rotate_years']}年"
        rows.append(
            {
                "cadre_id": cadre.pk,
                "name": cadre.name,
                "unit": cadre.position.unit.name,
                "position": cadre.position.title,
                "since": cadre.position_since,
                "years": years,
                "key_post": key_post,
                "must": must,
                "requirement": "须交流" if must else "应交流",
                "reason": reason,
            }
        )
    return rows


def as_of_date(year: int, today: date | None = None) -> date:
    today = today or timezone.localdate()
    return today if year >= today.year else date(year, 12, 31)


def annual_figures(*, year: int, unit: Unit | None = None, today: date | None = None) -> dict:
    """Everything the annual page, PDF and Excel show, as plain data (see the module's docstring)."""
    as_of = as_of_date(year, today)
    t = snapshot()
    appointments, appointees = _appointments(year)
    complaints = complaint_stats(date_from=date(year, 1, 1), date_to=date(year, 12, 31))
    return {
        "year": year,
        "as_of": as_of,
        "date_from": date(year, 1, 1),
        "date_to": date(year + 1, 1, 1) - timedelta(days=1),
        "selections": _selections(year),
        "appointments": appointments,
        "appointees": appointees,
        "complaints": {
            key: {**group, "percent": _percent(Fraction(group["verified"], group["total"]) if group["total"] else None)}
            for key, group in complaints.items()
        },
        "team": team_structure(unit=unit, as_of=as_of, t=t) if unit is not None else None,
        "rotation": _rotation(as_of, t),
    }
