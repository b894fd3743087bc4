"""The papers of publicity and appointment, printed (issue #11): the 任前公示 notice (P3: basic facts,
proposed post, period, complaint channels, 落款) and the draft 任职通知 (关于某某同志任职的通知, from
the committee's decision). The decision comes from the record's `decision_result` fact, as
`selectors.decided_on` reads it (supervision does not import voting)."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cadre import pdf
from cadre.models import Candidate, RecordKind, Stage
from cadre.selectors import get_candidate_for_user, is_promotion
from cadre.thresholds import snapshot

from .selectors import appointment_of, latest_publicity

# A candidate the committee passed is in one of these (publicize follows a passing result, V3).
DECIDED_STAGES = (Stage.PUBLICITY, Stage.SUSPENDED, Stage.APPOINTED)


def _cadre_loaded(candidate: Candidate):
    """The cadre with its unit and current post, which the pages' candidate does not carry."""
    from cadre.models import Cadre

    return Cadre.objects.select_related("unit", "position__unit").get(pk=candidate.cadre_id)


def publicity_context(*, candidate: Candidate) -> dict:
    publicity = latest_publicity(candidate)
    if publicity is None:
        raise pdf.PaperMissing(
            [_("任前公示（公示期间、举报电话、来信地址、网上举报地址）：请先在“任前公示”页发布公示")]
        )
    return {
        "candidate": candidate,
        "publicity": publicity,
        "facts": pdf.basic_facts(_cadre_loaded(candidate), proposed=candidate.position),
        "starts_on": pdf.ymd(publicity.starts_on),
        "ends_on": pdf.ymd(publicity.ends_on),
        "issuer": publicity.issuer,
        "issued_on": pdf.ymd(timezone.localtime(publicity.published_at).date()),
    }


def decision_of(candidate: Candidate) -> dict | None:
    """The latest counted committee result of the candidate (the `decision_result` fact's payload)."""
    return (
        candidate.record.filter(kind=RecordKind.FACT, payload__fact="decision_result")
        .order_by("-seq")
        .values_list("payload", flat=True)
        .first()
    )


def _probation_text(candidate: Candidate, appointment) -> str:
    """A2: a newly promoted cadre's probation, as the notice words it."""
    if appointment is not None:
        if not appointment.promotion:
            return ""
        return _("（试用期至%(day)s）") % {"day": pdf.ymd(appointment.probation_ends_on)}
    if not is_promotion(candidate):
        return ""
    days = snapshot()["A2.probation_days"]
    return _("（试用期一年）") if days in (365, 366) else _("（试用期%(n)s天）") % {"n": days}


def appointment_context(*, candidate: Candidate) -> dict:
    decision = decision_of(candidate)
    if decision is None or not decision.get("passed") or candidate.stage not in DECIDED_STAGES:
        raise pdf.PaperMissing([_("常委会（全委会）讨论决定通过的结果：人选经票决通过后才能起草任职通知")])
    cadre = _cadre_loaded(candidate)
    appointment = appointment_of(candidate)
    removed = cadre.position if cadre.position_id and cadre.position_id != candidate.position_id else None
    return {
        "candidate": candidate,
        "cadre": cadre,
        "position": candidate.position,
        "removed": removed,
        "meeting": decision.get("meeting_title") or _("县委常委会会议"),
        "held_on": pdf.ymd(date.fromisoformat(decision["held_on"])),
        "probation": _probation_text(candidate, appointment),
        "appointment": appointment,
        "document_number": appointment.document_number if appointment else "",
        "issuer": pdf.appointing_organ(),
        "issued_on": pdf.ymd(appointment.effective_on) if appointment else "",
    }


@login_required
@require_GET
def publicity_pdf(request, pk):
    candidate = get_candidate_for_user(user=request.user, pk=pk)
    return pdf.print_paper(
        request,
        selection=candidate.selection,
        build=lambda: publicity_context(candidate=candidate),
        template="print/publicity_notice.html",
        filename=_("任前公示-%(name)s.pdf") % {"name": candidate.cadre.name},
        title=_("干部任前公示"),
        back_url=reverse("supervision:publicity", args=[candidate.pk]),
    )


@login_required
@require_GET
def appointment_notice_pdf(request, pk):
    candidate = get_candidate_for_user(user=request.user, pk=pk)
    return pdf.print_paper(
        request,
        selection=candidate.selection,
        build=lambda: appointment_context(candidate=candidate),
        template="print/appointment_notice.html",
        filename=_("任职通知-%(name)s.pdf") % {"name": candidate.cadre.name},
        title=_("关于%(name)s同志任职的通知") % {"name": candidate.cadre.name},
        back_url=reverse("supervision:appointment", args=[candidate.pk]),
    )
