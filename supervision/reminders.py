"""Reminders on the dashboard, computed from the data on every view (a missed beat changes nothing):

- publicity periods that ended (P1): ready for appointment, or held up by a complaint (P2);
- rotation due 交流轮岗 (C1): years in the current post (`Cadre.position_since`) — 5 in a key post
  or 10 anywhere: must rotate; 8: should — except men from 58 and women from 53 (`004` 三(二)).

R2 expiries (nomination.selectors) and A2 probation ends (supervision.selectors) are on the
dashboard's deadline list already. Reaching retirement age 到龄 (C1): post holders whose 到龄年月
(cadre.retirement, the 2025 reform) falls within the next RETIREMENT_NOTICE_MONTHS, or has passed.
回避性交流 (leading where one grew up) needs the units' places, which are not modelled.

`reminder_tasks(user=)` is a dashboard task source (cadre.views.TASK_SOURCES); `digest()` is what
the daily beat job keeps as its result (supervision.tasks).
"""

from datetime import date

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from cadre import roles
from cadre.models import Cadre, Gender, Stage
from cadre.retirement import Retirement, retirement
from cadre.selectors import selections_for_user
from cadre.thresholds import snapshot

from . import deadline_services
from .models import Complaint, Publicity

ROTATION_LIMIT = 20  # dashboard rows, not a rule
RETIREMENT_NOTICE_MONTHS = 6  # how far ahead the dashboard shows 到龄 (a reminder window, not a rule)
YOUNGEST_RETIREMENT_YEARS = 55  # no one reaches 到龄 earlier: only holders this old are computed


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _count(queryset):
    return Coalesce(Subquery(queryset.values("candidate").annotate(n=Count("pk")).values("n")[:1]), 0)


def ended_publicities(*, user, today: date) -> list[Publicity]:
    """The latest publicity of each visible candidate still in publicity that ended before today
    (deadline_services' reading), with its open and substantiated complaints counted (P2)."""
    complaints = Complaint.objects.filter(candidate=OuterRef("candidate"))
    return list(
        deadline_services.ended_publicities(today=today)
        .filter(candidate__selection__in=selections_for_user(user=user).values("pk"))
        .select_related("candidate__cadre", "candidate__position__unit")
        .annotate(
            open_complaints=_count(complaints.exclude(status=Complaint.Status.CONCLUDED)),
            substantiated=_count(complaints.filter(substantiated=True)),
        )
    )


def _rotation_queryset(today: date, t):
    """C1 (thresholds `C1.*`): a key post held `key_post_years`, any post `should_rotate_years`."""
    key = Q(position__is_key_post=True, position_since__lte=_years_ago(today, t["C1.key_post_years"]))
    long = Q(position_since__lte=_years_ago(today, t["C1.should_rotate_years"]))
    exempt = Q(gender=Gender.MALE, birth_date__lte=_years_ago(today, t["C1.exempt_age_male"])) | Q(
        gender=Gender.FEMALE, birth_date__lte=_years_ago(today, t["C1.exempt_age_female"])
    )
    return (
        Cadre.objects.filter(position__isnull=False, position_since__isnull=False)
        .filter(key | long)
        .exclude(exempt)
        .select_related("position__unit")
        .order_by("position_since", "pk")
    )


def _full_years(since: date, today: date) -> int:
    return today.year - since.year - ((today.month, today.day) < (since.month, since.day))


def rotation_due(*, today: date, limit: int | None = ROTATION_LIMIT) -> list[tuple[Cadre, int, bool]]:
    """C1: (cadre, full years in post, must rotate) for the cadres due to rotate, longest in post first."""
    t = snapshot()
    cadres = _rotation_queryset(today, t)
    due = []
    for cadre in cadres[:limit] if limit else cadres:
        years = _full_years(cadre.position_since, today)
        must = years >= t["C1.must_rotate_years"] or (cadre.position.is_key_post and years >= t["C1.key_post_years"])
        due.append((cadre, years, must))
    return due


def retirement_due(*, today: date, limit: int | None = ROTATION_LIMIT) -> list[tuple[Cadre, Retirement]]:
    """C1 到龄: post holders whose 到龄年月 is at most RETIREMENT_NOTICE_MONTHS ahead (or already past)."""
    horizon = today.year * 12 + today.month - 1 + RETIREMENT_NOTICE_MONTHS
    old_enough = Cadre.objects.filter(
        position__isnull=False, birth_date__lte=_years_ago(today, YOUNGEST_RETIREMENT_YEARS - 1)
    ).select_related("position__unit")
    due = []
    for cadre in old_enough.order_by("birth_date", "pk"):
        reached = retirement(cadre.birth_date, cadre.gender)
        if reached.year * 12 + reached.month - 1 <= horizon:
            due.append((cadre, reached))
    due.sort(key=lambda row: (row[1].year, row[1].month, row[0].pk))
    return due[:limit] if limit else due


def reminder_tasks(*, user, today: date | None = None) -> list[dict]:
    """Dashboard entries {"label", "url", "stage"}: ended publicities, then rotations due (C1)."""
    if not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    tasks = []
    for p in ended_publicities(user=user, today=today):
        who = f"{p.candidate.cadre.name}（拟任{p.candidate.position}）"
        if p.substantiated:
            label = f"公示期满，举报反映问题属实，不得任用：{who}"
        elif p.open_complaints:
            label = f"公示期满，有 {p.open_complaints} 件举报未办结，暂不能任职：{who}"
        else:
            label = f"公示期满（{p.ends_on:%Y-%m-%d}），可办理任职：{who}"
        url = reverse(
            "supervision:publicity" if p.open_complaints or p.substantiated else "supervision:appointment",
            args=[p.candidate_id],
        )
        tasks.append({"label": label, "url": url, "stage": str(Stage.PUBLICITY.label), "kind": "publicity_ended"})
    if roles.can_read_cadres(user):
        for cadre, years, must in rotation_due(today=today):
            verb = "须交流" if must else "应交流"
            tasks.append(
                {
                    "label": f"{cadre.name} 任{cadre.position}已满 {years} 年，{verb}（C1）",
                    "url": reverse("cadre:cadre", args=[cadre.pk]),
                    "stage": "交流轮岗",
                    "kind": "rotation",
                }
            )
        for cadre, reached in retirement_due(today=today):
            tasks.append(
                {
                    "label": f"{cadre.name}（{cadre.position}）{reached.dotted} 到龄（{reached.age_text}）",
                    "url": reverse("cadre:cadre", args=[cadre.pk]),
                    "stage": "到龄",
                    "kind": "retirement",
                }
            )
    return tasks


def digest(*, today: date | None = None) -> dict:
    """Counts for the daily beat job (all selections, no user)."""
    today = today or timezone.localdate()
    ended = deadline_services.ended_publicities(today=today).values_list("closed", "flagged")
    rotation = rotation_due(today=today, limit=None)
    return {
        "date": today.isoformat(),
        "publicity_ended": len(ended),
        "publicity_not_closed": sum(1 for closed, _flagged in ended if not closed),
        "rotation_must": sum(1 for _c, _y, must in rotation if must),
        "rotation_should": sum(1 for _c, _y, must in rotation if not must),
        "retirement_due": len(retirement_due(today=today, limit=None)),
    }
