"""JSON API of the motion, nomination and recommendation stages (../shared/API.md).

Thin: find the object the user may see (404 otherwise), refuse a write the browser would refuse
(403), check the body's types (400), call a service or selector, render. The domain errors the
services raise are translated once, by cadre.api.exception_handler.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cadre.access import ensure_can_work
from cadre.api import valid_input
from cadre.selectors import get_candidate_for_user, get_selection_for_user

from . import selectors, services
from .serializers import (
    CandidateResultsSerializer,
    InspectionDecisionInputSerializer,
    InspectionDecisionSerializer,
    MotionAgendaSerializer,
    NominationSerializer,
    RecommendationConfirmSerializer,
    RecommendationEntrySerializer,
    RecommendationMeetingSerializer,
)

ERRORS_400 = OpenApiResponse(description='{"errors": {field: [messages]}}, nothing written')


# ---------------------------------------------------------------------------- motion agenda (M4)


class AgendaItemList(generics.ListAPIView):
    """M4: the agenda items of a selection's motion."""

    serializer_class = MotionAgendaSerializer

    def get_queryset(self):
        selection = get_selection_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.agenda_for_selection(selection=selection)

    @extend_schema(request=MotionAgendaSerializer, responses={201: MotionAgendaSerializer, 400: ERRORS_400})
    def post(self, request, pk):
        selection = get_selection_for_user(user=request.user, pk=pk)
        ensure_can_work(request.user, selection)
        data = valid_input(MotionAgendaSerializer, request)
        agenda = services.motion_agenda_record(actor=request.user, selection_id=selection.pk, **data)
        return Response(MotionAgendaSerializer(agenda).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------- nomination (N1)


class NominationList(generics.ListAPIView):
    """N1: the initial nominations of a candidate."""

    serializer_class = NominationSerializer

    def get_queryset(self):
        candidate = get_candidate_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.nominations_for_candidate(candidate=candidate)

    @extend_schema(request=NominationSerializer, responses={201: NominationSerializer, 400: ERRORS_400})
    def post(self, request, pk):
        candidate = get_candidate_for_user(user=request.user, pk=pk)
        ensure_can_work(request.user, candidate.selection)
        data = valid_input(NominationSerializer, request)
        nomination = services.nomination_record(actor=request.user, candidate_id=candidate.pk, **data)
        return Response(NominationSerializer(nomination).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------- recommendation (R1), double entry


class RecommendationMeetingList(generics.ListAPIView):
    """R1: the recommendations of a selection. POST is the first entry; it counts once confirmed."""

    serializer_class = RecommendationMeetingSerializer

    def get_queryset(self):
        selection = get_selection_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.meetings_for_selection(selection=selection)

    @extend_schema(
        request=RecommendationEntrySerializer, responses={201: RecommendationMeetingSerializer, 400: ERRORS_400}
    )
    def post(self, request, pk):
        selection = get_selection_for_user(user=request.user, pk=pk)
        ensure_can_work(request.user, selection)
        data = valid_input(RecommendationEntrySerializer, request)
        meeting = services.recommendation_enter(
            actor=request.user,
            selection_id=selection.pk,
            unit_id=data["unit"],
            kind=data["kind"],
            held_on=data["held_on"],
            entitled=data["entitled"],
            present=data["present"],
            votes=data["votes"],
        )
        meeting = selectors.meetings_for_selection(selection=selection).get(pk=meeting.pk)
        body = RecommendationMeetingSerializer(meeting, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


def _meeting(request, pk, meeting_pk):
    selection = get_selection_for_user(user=request.user, pk=pk)
    meeting = selectors.meetings_for_selection(selection=selection).filter(pk=meeting_pk).first()
    if meeting is None:
        raise Http404("民主推荐记录不存在")
    return selection, meeting


class RecommendationMeetingDetail(APIView):
    @extend_schema(responses={200: RecommendationMeetingSerializer})
    def get(self, request, pk, meeting_pk):
        _, meeting = _meeting(request, pk, meeting_pk)
        return Response(RecommendationMeetingSerializer(meeting, context={"request": request}).data)

    @extend_schema(responses={204: None, 409: OpenApiResponse(description="已确认的推荐结果不能撤销")})
    def delete(self, request, pk, meeting_pk):
        """Withdraw a first entry that was not confirmed (e.g. a typing error found at the second entry)."""
        selection, meeting = _meeting(request, pk, meeting_pk)
        ensure_can_work(request.user, selection)
        services.recommendation_discard(actor=request.user, meeting_id=meeting.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecommendationConfirm(APIView):
    """R1, second entry: a different assigned staff member re-enters the numbers blind. They match →
    confirmed and recorded for each candidate; they differ → 400 naming what differs, nothing written."""

    @extend_schema(
        request=RecommendationConfirmSerializer,
        responses={
            200: RecommendationMeetingSerializer,
            400: ERRORS_400,
            403: OpenApiResponse(description="不能核对确认自己录入的推荐结果"),
            409: OpenApiResponse(description="已经确认"),
        },
    )
    def post(self, request, pk, meeting_pk):
        selection, meeting = _meeting(request, pk, meeting_pk)
        ensure_can_work(request.user, selection)
        data = valid_input(RecommendationConfirmSerializer, request)
        services.recommendation_confirm(actor=request.user, meeting_id=meeting.pk, **data)
        meeting = selectors.meetings_for_selection(selection=selection).get(pk=meeting.pk)
        return Response(RecommendationMeetingSerializer(meeting, context={"request": request}).data)


class CandidateRecommendationResults(APIView):
    """R2/R3: the candidate's confirmed results in this selection, and how many await confirmation."""

    @extend_schema(responses={200: CandidateResultsSerializer})
    def get(self, request, pk):
        candidate = get_candidate_for_user(user=request.user, pk=pk)
        return Response(CandidateResultsSerializer(selectors.results_for_candidate(candidate=candidate)).data)


# ---------------------------------------------------------------------------- inspection objects (R5)


class InspectionDecisionList(generics.ListAPIView):
    """R5: the 部长办公会's decisions on the inspection objects, with reasons."""

    serializer_class = InspectionDecisionSerializer

    def get_queryset(self):
        selection = get_selection_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.decisions_for_selection(selection=selection)

    @extend_schema(
        request=InspectionDecisionInputSerializer, responses={201: InspectionDecisionSerializer, 400: ERRORS_400}
    )
    def post(self, request, pk):
        selection = get_selection_for_user(user=request.user, pk=pk)
        ensure_can_work(request.user, selection)
        data = valid_input(InspectionDecisionInputSerializer, request)
        decision = services.inspection_decision_record(
            actor=request.user,
            selection_id=selection.pk,
            meeting_date=data["meeting_date"],
            reasons=data["reasons"],
            candidate_ids=data["candidates"],
        )
        decision = selectors.decisions_for_selection(selection=selection).get(pk=decision.pk)
        return Response(InspectionDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
