"""Data that lets a candidate pass the rules of this app's stages, for demo data and tests.

PREPARE maps a transition name to a function (candidate, actor) -> None that creates, through
this app's services, what the rules registered for that transition need (idempotent).
"""

from datetime import timedelta

from django.utils import timezone

from .models import RecommendationMeeting, RecommendationResult


def _recommendation(candidate, actor):
    if RecommendationResult.objects.filter(cadre=candidate.cadre, meeting__selection=candidate.selection).exists():
        return
    meeting = RecommendationMeeting.objects.create(
        selection=candidate.selection,
        unit=candidate.cadre.unit,
        held_on=timezone.localdate() - timedelta(days=7),
        entitled=40,
        present=38,
        entered_by=actor,
    )
    RecommendationResult.objects.create(meeting=meeting, cadre=candidate.cadre, votes=30, rank=1)


PREPARE: dict = {"inspect": _recommendation}
