"""JSON API of the decision stage 讨论决定: briefs (V7), meetings and their agenda (M4), counted results
(V1–V9) (../shared/API.md).

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
from cadre.api import _valid
from cadre.selectors import get_candidate_for_user, get_selection_for_user
from cadre.thresholds import snapshot

from . import selectors, services
from .serializers import (
    AgendaInputSerializer,
    AgendaItemSerializer,
    BriefSerializer,
    DecisionMeetingSerializer,
    OpenMeetingSerializer,
    VoteResultInputSerializer,
    VoteResultSerializer,
)

ERRORS_400 = OpenApiResponse(description='{"errors": {field: [messages]}}, nothing written')


# ---------------------------------------------------------------------------- brief (V7)


class BriefDetail(APIView):
    """V7: the candidate's 任职推荐材料; PUT writes or amends it until a result is recorded."""

    @extend_schema(responses={200: BriefSerializer, 404: OpenApiResponse(description="尚未形成任职推荐材料")})
    def get(self, request, pk):
        candidate = get_candidate_for_user(user=request.user, pk=pk)
        brief = selectors.brief_of(candidate)
        if brief is None:
            raise Http404("尚未形成任职推荐材料")
        return Response(BriefSerializer(brief).data)

    @extend_schema(
        request=BriefSerializer,
        responses={200: BriefSerializer, 400: ERRORS_400, 409: OpenApiResponse(description="已不能修改")},
    )
    def put(self, request, pk):
        candidate = get_candidate_for_user(user=request.user, pk=pk)
        ensure_can_work(request.user, candidate.selection)
        data = _valid(BriefSerializer, request)
        brief = services.brief_save(actor=request.user, candidate_id=candidate.pk, **data)
        return Response(BriefSerializer(brief).data)


class CandidateVoteResults(generics.ListAPIView):
    """The candidate's counted results, newest first."""

    serializer_class = VoteResultSerializer

    def get_queryset(self):
        candidate = get_candidate_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.results_of_candidate(candidate).select_related("candidate__cadre", "entered_by")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "thresholds": snapshot()}


# ---------------------------------------------------------------------------- meetings


class DecisionMeetingList(generics.ListAPIView):
    """The committee meetings that decide candidates of a selection."""

    serializer_class = DecisionMeetingSerializer

    def get_queryset(self):
        selection = get_selection_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.meetings_of_selection(selection=selection)

    @extend_schema(request=DecisionMeetingSerializer, responses={201: DecisionMeetingSerializer, 400: ERRORS_400})
    def post(self, request, pk):
        selection = get_selection_for_user(user=request.user, pk=pk)
        ensure_can_work(request.user, selection)
        data = _valid(DecisionMeetingSerializer, request)
        meeting = services.meeting_create(actor=request.user, selection=selection, **data)
        return Response(DecisionMeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


def _meeting(request, pk):
    return selectors.meeting_detail(meeting=selectors.get_meeting_for_user(user=request.user, pk=pk))


class DecisionMeetingDetail(APIView):
    @extend_schema(responses={200: DecisionMeetingSerializer})
    def get(self, request, pk):
        return Response(DecisionMeetingSerializer(_meeting(request, pk)).data)


class DecisionMeetingAgenda(generics.ListAPIView):
    """M4: the meeting's agenda; a candidate is added before the meeting opens, never after."""

    serializer_class = AgendaItemSerializer
    pagination_class = None

    def get_queryset(self):
        return _meeting(self.request, self.kwargs["pk"]).agenda.all()

    @extend_schema(
        request=AgendaInputSerializer,
        responses={201: AgendaItemSerializer, 400: ERRORS_400, 409: OpenApiResponse(description="会议已经开始")},
    )
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        ensure_can_work(request.user, meeting.selection)
        data = _valid(AgendaInputSerializer, request, context={"meeting": meeting})
        item = services.agenda_add(actor=request.user, meeting_id=meeting.pk, candidate_id=data["candidate"].pk)
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)


class DecisionMeetingOpen(APIView):
    @extend_schema(
        request=OpenMeetingSerializer,
        responses={200: DecisionMeetingSerializer, 400: ERRORS_400, 409: OpenApiResponse(description="会议已经开始")},
    )
    def post(self, request, pk):
        """The meeting opens with `present` members: the agenda is closed from now on."""
        meeting = _meeting(request, pk)
        ensure_can_work(request.user, meeting.selection)
        data = _valid(OpenMeetingSerializer, request)
        services.meeting_open(actor=request.user, meeting_id=meeting.pk, present=data["present"])
        return Response(DecisionMeetingSerializer(_meeting(request, pk)).data)


class DecisionMeetingResults(generics.ListAPIView):
    """V1–V9: the counted results of a meeting. A result, once recorded, is never changed (V9); a candidate
    who did not pass with the quorum met is rejected at once (V3)."""

    serializer_class = VoteResultSerializer
    pagination_class = None

    def get_queryset(self):
        return _meeting(self.request, self.kwargs["pk"]).results.all()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "thresholds": snapshot()}

    @extend_schema(
        request=VoteResultInputSerializer,
        responses={
            201: VoteResultSerializer,
            400: ERRORS_400,
            409: OpenApiResponse(description="会议尚未开始，或结果已经录入（V9）"),
        },
    )
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        ensure_can_work(request.user, meeting.selection)
        data = _valid(VoteResultInputSerializer, request, context={"meeting": meeting})
        result = services.decision_result_record(
            actor=request.user,
            meeting_id=meeting.pk,
            candidate_id=data["candidate"].pk,
            approve=data["approve"],
            disapprove=data["disapprove"],
            abstain=data["abstain"],
            recused=data["recused"],
        )
        return Response(VoteResultSerializer(result).data, status=status.HTTP_201_CREATED)
