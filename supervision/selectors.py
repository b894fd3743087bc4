"""Reads of publicity, complaints and appointment, including the public notices (no login)."""

from datetime import date, timedelta
from fractions import Fraction

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cadre import thresholds
from cadre.models import Candidate, RecordKind, Stage
from cadre.selectors import selections_for_user

from .models import Appointment, Complaint, PreAppointmentTalk, Publicity

# Complaints are accepted from the public only about candidates in these stages (S3, P2).
COMPLAINABLE_STAGES = (Stage.INSPECTION, Stage.PUBLICITY)

# A notice stays public while the candidate is in publicity, suspended, or appointed from it.
PUBLIC_STAGES = (Stage.PUBLICITY, Stage.SUSPENDED, Stage.APPOINTED)
DEADLINE_WINDOW_DAYS = 30


def decided_on(candidate: Candidate) -> date | None:
    """The date of the committee meeting that last decided the candidate, from the record's
    `decision_result` fact (voting writes it; supervision does not import voting)."""
    entry = (
        candidate.record.filter(kind=RecordKind.FACT, payload__fact="decision_result")
        .order_by("-seq")
        .values_list("payload__held_on", flat=True)
        .first()
    )
    return date.fromisoformat(entry) if entry else None


def latest_publicity(candidate: Candidate) -> Publicity | None:
    return Publicity.objects.filter(candidate=candidate).order_by("-published_at", "-id").first()


def complaints_of(candidate: Candidate) -> QuerySet[Complaint]:
    return Complaint.objects.filter(candidate=candidate).order_by("-received_on", "-id")


def open_complaints_count(*, candidate: Candidate) -> int:
    return Complaint.objects.filter(candidate=candidate).exclude(status=Complaint.Status.CONCLUDED).count()


def get_complaint_by_reference(*, reference) -> Complaint:
    """The public lookup: an unknown reference is a 404, like any malformed one."""
    if not isinstance(reference, str) or not reference.strip():
        raise Http404("查询编号不存在")
    try:
        return Complaint.objects.only("reference", "status").get(reference=reference.strip().upper())
    except Complaint.DoesNotExist as exc:
        raise Http404("查询编号不存在") from exc


def complainable_candidate(*, pk) -> Candidate | None:
    """A candidate the public may complain about (in inspection or publicity), else None: the
    public cannot tell a candidate out of these stages from one that does not exist."""
    try:
        return (
            Candidate.objects.select_related("cadre", "position__unit").filter(stage__in=COMPLAINABLE_STAGES).get(pk=pk)
        )
    except (Candidate.DoesNotExist, ValueError, TypeError):
        return None


def complaint_stats(*, date_from: date, date_to: date) -> dict:
    """S3: complaints received from `date_from` to `date_to` (inclusive); verified = concluded.

    Each group: total, verified, rate (None when total is 0), target, met (a group with no
    complaints meets its target). Compared exactly (fractions), so 95 of 100 meets 0.95.
    """
    done = Q(status=Complaint.Status.CONCLUDED)
    row = Complaint.objects.filter(received_on__gte=date_from, received_on__lte=date_to).aggregate(
        total=Count("pk"),
        verified=Count("pk", filter=done),
        real_total=Count("pk", filter=Q(real_name=True)),
        real_verified=Count("pk", filter=Q(real_name=True) & done),
        lead_total=Count("pk", filter=Q(clear_lead=True)),
        lead_verified=Count("pk", filter=Q(clear_lead=True) & done),
    )
    snap = thresholds.snapshot()

    def group(total, verified, key):
        target = snap[key]
        rate = Fraction(verified, total) if total else None
        return {
            "total": total,
            "verified": verified,
            "rate": float(rate) if rate is not None else None,
            "target": float(target),
            "met": rate is None or rate >= target,
        }

    return {
        "overall": group(row["total"], row["verified"], "S3.verified_share"),
        "real_name": group(row["real_total"], row["real_verified"], "S3.real_name_verified_share"),
        "clear_lead": group(row["lead_total"], row["lead_verified"], "S3.clear_lead_verified_share"),
    }


def talks_of(candidate: Candidate) -> QuerySet[PreAppointmentTalk]:
    return PreAppointmentTalk.objects.filter(candidate=candidate)


def appointment_of(candidate: Candidate) -> Appointment | None:
    return Appointment.objects.filter(candidate=candidate).first()


def appointment_corrections(candidate: Candidate) -> list[dict]:
    """The recorded corrections of the appointment date (#11), oldest first: old, new, reason, who, when."""
    entries = candidate.record.filter(kind=RecordKind.FACT, payload__fact="appointment_date_corrected")
    return [
        {
            "at": e.at,
            "actor": e.actor_name,
            "old": e.payload.get("old_effective_on"),
            "new": e.payload.get("effective_on"),
            "reason": e.payload.get("reason"),
        }
        for e in entries.order_by("seq")
    ]


def get_complaint_for_candidate(*, candidate: Candidate, pk) -> Complaint:
    try:
        return Complaint.objects.get(candidate=candidate, pk=pk)
    except (Complaint.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("举报不存在") from exc


# ---------------------------------------------------------------------------- public notices


def public_notices() -> QuerySet[Publicity]:
    return (
        Publicity.objects.filter(candidate__stage__in=PUBLIC_STAGES)
        .select_related("candidate__cadre", "candidate__position__unit")
        .order_by("-starts_on", "-id")
    )


def get_public_notice(*, pk) -> Publicity:
    try:
        return public_notices().get(pk=pk)
    except (Publicity.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("公示不存在") from exc


# ---------------------------------------------------------------------------- deadlines


def upcoming_deadlines(*, user, today: date | None = None) -> list[dict]:
    """Publicity ends and probation ends within 30 days, for the selections the user can see.

    Each item: kind, label, date, candidate_id, and url (the stage page where it is handled).
    """
    today = today or timezone.localdate()
    until = today + timedelta(days=DEADLINE_WINDOW_DAYS)
    visible = selections_for_user(user=user).values("pk")
    deadlines = [
        {
            "kind": "publicity_end",
            "label": f"{p.candidate.cadre.name} 任前公示期满（{p.candidate.position}）",
            "date": p.ends_on,
            "candidate_id": p.candidate_id,
            "url": reverse("supervision:publicity", args=[p.candidate_id]),
        }
        for p in Publicity.objects.filter(
            candidate__selection__in=visible,
            candidate__stage=Stage.PUBLICITY,  # a suspended (暂缓) publicity runs out for nobody
            ends_on__gte=today,
            ends_on__lte=until,
        ).select_related("candidate__cadre", "candidate__position__unit")
    ]
    deadlines += [
        {
            "kind": "probation_end",
            "label": f"{a.candidate.cadre.name} 试用期满（{a.candidate.position}），需进行考核",
            "date": a.probation_ends_on,
            "candidate_id": a.candidate_id,
            "url": reverse("supervision:appointment", args=[a.candidate_id]),
        }
        for a in Appointment.objects.filter(
            candidate__selection__in=visible,
            candidate__stage=Stage.APPOINTED,
            probation_ends_on__gte=today,
            probation_ends_on__lte=until,
        ).select_related("candidate__cadre", "candidate__position__unit")
    ]
    return sorted(deadlines, key=lambda d: (d["date"], d["candidate_id"]))
