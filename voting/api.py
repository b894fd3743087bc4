"""JSON API of the decision stage 讨论决定: briefs (V7), meetings and their agenda (M4), counted results
(V1–V9) (../shared/API.md).

Thin: find the object the user may see (404 otherwise), refuse a write the browser would refuse
(403), check the body's types (400), call a service or selector, render. The domain errors the
services raise are translated once, by cadre.api.exception_handler.
"""

from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, QueryDict
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, generics, status
from rest_framework import serializers as drf_serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from cadre import roles
from cadre import services as cadre_services
from cadre.access import ensure_can_work
from cadre.api import cadre_for_edit, valid_input
from cadre.errors import NotAllowed
from cadre.models import Kinship
from cadre.pagination import IdFirstPagination, paged
from cadre.rules import refusal
from cadre.selectors import get_cadre_for_user, get_candidate_for_user, get_selection_for_user
from cadre.thresholds import snapshot

from . import codes_pdf, selectors, services, throttle
from .ballot_serializers import (
    BallotSessionInputSerializer,
    BallotSessionListSerializer,
    BallotSessionSerializer,
    CastSerializer,
    KinshipSerializer,
    MemberCadreSerializer,
    OpenSessionSerializer,
    ReceiptSerializer,
    RecusalSerializer,
)
from .models import BallotCode, BallotSession
from .serializers import (
    AgendaInputSerializer,
    AgendaItemSerializer,
    BriefSerializer,
    CandidateInputSerializer,
    DecisionMeetingSerializer,
    OpenMeetingSerializer,
    VoteResultEntrySerializer,
    VoteResultInputSerializer,
    VoteResultSerializer,
)

ERRORS_400 = OpenApiResponse(description='{"errors": {field: [messages]}}, nothing written')
VIOLATIONS_409 = OpenApiResponse(description='{"violations": [{"rule", "message", "source", "overridable"}]}')


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
        data = valid_input(BriefSerializer, request)
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
        data = valid_input(DecisionMeetingSerializer, request)
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

    def get_queryset(self):
        return _meeting(self.request, self.kwargs["pk"]).agenda.all()

    @extend_schema(
        request=AgendaInputSerializer,
        responses={201: AgendaItemSerializer, 400: ERRORS_400, 409: OpenApiResponse(description="会议已经开始")},
    )
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        ensure_can_work(request.user, meeting.selection)
        data = valid_input(AgendaInputSerializer, request, context={"meeting": meeting})
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
        data = valid_input(OpenMeetingSerializer, request)
        services.meeting_open(actor=request.user, meeting_id=meeting.pk, present=data["present"])
        return Response(DecisionMeetingSerializer(_meeting(request, pk)).data)


class DecisionMeetingResults(APIView):
    """A meeting held on paper: the counted results (`confirmed: true`, never changed, V9) and the first
    entries waiting for a second clerk (`confirmed: false`, numbers not shown: the second entry is blind).
    POST is the first entry; it counts only once confirmed. A failed vote rejects nobody by itself (V5)."""

    @extend_schema(responses={200: paged(VoteResultSerializer)})
    def get(self, request, pk):
        meeting = _meeting(request, pk)
        results = VoteResultSerializer(
            selectors.meeting_results(meeting=meeting), many=True, context={"thresholds": snapshot()}
        ).data
        entries = VoteResultEntrySerializer(selectors.meeting_entries(meeting=meeting), many=True).data
        # One list (results, then entries waiting), paged as every list of the API.
        paginator = IdFirstPagination()
        page = paginator.paginate_queryset([*results, *entries], request, view=self)
        return paginator.get_paginated_response(page)

    @extend_schema(
        request=VoteResultInputSerializer,
        responses={
            201: VoteResultEntrySerializer,
            400: ERRORS_400,
            409: OpenApiResponse(description="会议尚未开始，已录入待核对（S1），或结果已经录入（V9）；V1、V4"),
        },
    )
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        ensure_can_work(request.user, meeting.selection)
        data = valid_input(VoteResultInputSerializer, request, context={"meeting": meeting})
        entry = services.decision_result_enter(
            actor=request.user, meeting_id=meeting.pk, candidate_id=data.pop("candidate").pk, **data
        )
        return Response(VoteResultEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class DecisionMeetingResultConfirm(APIView):
    """The second clerk's blind entry: the same numbers → the result counts (`confirmed: true`; V3, V4, V9
    apply now); different numbers → 409 naming which differ, nothing written; the first clerk → 403."""

    @extend_schema(
        request=VoteResultInputSerializer,
        responses={
            201: VoteResultSerializer,
            400: ERRORS_400,
            403: OpenApiResponse(description="不能核对自己录入的结果"),
            409: OpenApiResponse(description="两次录入不一致；或 V1、V4、V9"),
        },
    )
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        ensure_can_work(request.user, meeting.selection)
        data = valid_input(VoteResultInputSerializer, request, context={"meeting": meeting})
        result = services.decision_result_confirm(
            actor=request.user, meeting_id=meeting.pk, candidate_id=data.pop("candidate").pk, **data
        )
        return Response(VoteResultSerializer(result).data, status=status.HTTP_201_CREATED)


class DecisionMeetingResultDiscard(APIView):
    """Withdraw a first entry not yet confirmed (a typing error found at the second entry)."""

    @extend_schema(request=CandidateInputSerializer, responses={204: None, 400: ERRORS_400, 409: VIOLATIONS_409})
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        ensure_can_work(request.user, meeting.selection)
        data = valid_input(CandidateInputSerializer, request, context={"meeting": meeting})
        services.decision_result_discard(actor=request.user, meeting_id=meeting.pk, candidate_id=data["candidate"].pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DecisionMeetingSecondVote(APIView):
    """V5: after a tie or nobody passing for a post, the committee's choice of a second vote: a new meeting
    with the same candidates on its agenda (the other choice, 不予通过, is the `reject` transition)."""

    @extend_schema(request=None, responses={201: DecisionMeetingSerializer, 409: VIOLATIONS_409})
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        ensure_can_work(request.user, meeting.selection)
        second = services.meeting_second_vote(actor=request.user, meeting_id=meeting.pk)
        return Response(DecisionMeetingSerializer(_meeting(request, second.pk)).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------- online secret ballots
# (imports kept with the section they serve, so this block is an append to the file)


TOO_MANY = OpenApiResponse(description="错误投票码过多：Retry-After 秒后再试")
CODE = OpenApiParameter("code", str, description="投票码（不登录、凭投票码投票的参与人）")


# The bodies these views build by hand (services return dicts), so that the schema — and the fuzzer
# in CI (scripts/fuzz_api.py) — can hold them to a shape; items differ by kind, hence `object`.
def _object():
    return drf_serializers.DictField()


VOTER_BALLOT = inline_serializer(
    "VoterBallot",
    {
        "session": drf_serializers.IntegerField(),
        "kind": drf_serializers.CharField(),
        "title": drf_serializers.CharField(),
        "status": drf_serializers.CharField(),
        "voted": drf_serializers.BooleanField(),
        "items": drf_serializers.ListField(child=_object()),
    },
)
TALLY = inline_serializer(
    "BallotTally",
    {"ballots": drf_serializers.IntegerField(), "items": drf_serializers.ListField(child=_object())},
)
BULLETIN = inline_serializer(
    "BallotBulletin",
    {
        "entries": inline_serializer(
            "BulletinEntry", {"receipt": drf_serializers.CharField(), "choices": _object()}, many=True
        ),
        "root": drf_serializers.CharField(),
        "count": drf_serializers.IntegerField(),
    },
)
RECUSAL = inline_serializer(
    "RecusalRecorded",
    {
        "item": drf_serializers.IntegerField(),
        "user": drf_serializers.IntegerField(),
        "reason": drf_serializers.CharField(),
    },
)


class SignedInOrCode(BasePermission):
    """Code voters have no account: an anonymous request passes only with a code, and only for a method the
    endpoint has (any other anonymous request is refused like everywhere else)."""

    message = "请先登录，或输入投票码"

    def has_permission(self, request, view):
        if request.user and request.user.is_authenticated:
            return True
        if not hasattr(view, request.method.lower()):
            return False
        data = request.data if request.method == "POST" else request.query_params
        return isinstance(data, dict | QueryDict) and bool(data.get("code"))


def _session(request, pk) -> BallotSession:
    return selectors.get_ballot_session_for_user(user=request.user, pk=pk)


def _managed(request, pk) -> BallotSession:
    session = _session(request, pk)
    if not selectors.can_manage_session(user=request.user, session=session):
        raise NotAllowed("您未被分配承办此投票")
    return session


def _detail(session) -> dict:
    return BallotSessionSerializer(BallotSession.objects.get(pk=session.pk)).data


def _with_code_limit(request, pk, code, call):
    """A code attempt: refused with 429 while the address is over the limit; a wrong code counts."""
    if code is None:
        return call()
    address = request.META.get("REMOTE_ADDR", "")
    wait = throttle.retry_after(pk, address)
    if wait:
        return Response(
            {"detail": f"错误投票码次数过多，请 {wait} 秒后再试"},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(wait)},
        )
    try:
        return call()
    except services.WrongCode:
        throttle.wrong_code(pk, address)
        raise


def _voter_user(request, code):
    if code is None and not request.user.is_authenticated:
        raise exceptions.NotAuthenticated("请先登录，或输入投票码")
    if code is None:
        _session(request, request.parser_context["kwargs"]["pk"])  # a member sees only their sessions (404)
    return request.user if code is None else None


class BallotSessionList(generics.ListAPIView):
    """Online ballots the user may see: staff their selections', members those they attend, supervisors all."""

    serializer_class = BallotSessionListSerializer

    def get_queryset(self):
        return (
            selectors.ballot_sessions_for_user(user=self.request.user)
            .annotate(cast_count=Count("ballots"))
            .order_by("-id")
        )

    @extend_schema(
        request=BallotSessionInputSerializer,
        responses={201: BallotSessionSerializer, 400: ERRORS_400, 403: None, 409: VIOLATIONS_409},
    )
    def post(self, request):
        """Creates a draft session; for code sessions the answer carries `codes`, the plain codes, this once."""
        if not roles.has_role(request.user, roles.ORG_STAFF):
            raise NotAllowed("只有组工干部可以组织投票")
        data = valid_input(BallotSessionInputSerializer, request)
        with transaction.atomic():
            session, codes = self._create(request, data)
        body = _detail(session)
        if codes:
            body["codes"] = codes
        return Response(body, status=status.HTTP_201_CREATED)

    @staticmethod
    def _create(request, data):
        """The plain codes exist only now: the sheet of `codes.pdf` is printed from them, in this transaction."""
        session, codes = services.ballot_session_create(
            actor=request.user,
            kind=data["kind"],
            title=data["title"],
            meeting_id=data.get("meeting"),
            selection_id=data.get("selection"),
            position_ids=data.get("positions"),
            cadre_ids=data.get("cadres"),
            body=data.get("body", ""),
            entitled=data.get("entitled"),
            codes=data.get("codes"),
            unit_id=data.get("unit"),
            year=data.get("year"),
        )
        if codes:
            codes_pdf.codes_pdf_save(
                session=session, codes=codes, vote_url=request.build_absolute_uri(reverse("voting:ballot_vote"))
            )
        return session, codes


class BallotSessionCodesPdf(APIView):
    """The sheet of codes printed when they were issued: staff of the session, from draft on."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: None})
    def get(self, request, pk):
        session = _session(request, pk)
        if not selectors.can_manage_session(user=request.user, session=session) or not session.uses_codes:
            raise Http404("投票码不存在")
        stored = codes_pdf.codes_pdf_open(session.pk)
        if stored is None:
            raise Http404("投票码单未生成")
        response = FileResponse(stored, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="ballot-codes-{session.pk}.pdf"'
        response["Cache-Control"] = "no-store"
        return response


class BallotSessionDetail(APIView):
    @extend_schema(responses={200: BallotSessionSerializer, 404: None})
    def get(self, request, pk):
        return Response(_detail(_session(request, pk)))


class BallotSessionOpen(APIView):
    @extend_schema(
        request=OpenSessionSerializer, responses={200: BallotSessionSerializer, 400: ERRORS_400, 409: VIOLATIONS_409}
    )
    def post(self, request, pk):
        """Decision: attendance is taken now (`present`), 409 V1 below the quorum. Code sessions: `{}`."""
        session = _managed(request, pk)
        data = valid_input(OpenSessionSerializer, request)
        session = services.ballot_session_open(actor=request.user, session_id=session.pk, present=data.get("present"))
        return Response(_detail(session))


class BallotForVoter(APIView):
    permission_classes = [SignedInOrCode]

    @extend_schema(
        parameters=[CODE], responses={200: VOTER_BALLOT, 400: ERRORS_400, 409: VIOLATIONS_409, 429: TOO_MANY}
    )
    def get(self, request, pk):
        """The items this voter (a member, or `?code=`) may vote on, each with `recused` (V8)."""
        code = request.query_params.get("code")
        user = _voter_user(request, code)
        return _with_code_limit(
            request, pk, code, lambda: Response(services.ballot_for(session_id=pk, user=user, code=code))
        )


class BallotCast(APIView):
    permission_classes = [SignedInOrCode]

    @extend_schema(
        request=CastSerializer,
        responses={201: ReceiptSerializer, 400: ERRORS_400, 409: VIOLATIONS_409, 429: TOO_MANY},
    )
    def post(self, request, pk):
        """One secret ballot → its receipt. 409: V2 已投票, V9 not open, V8 recused, V4 two approvals."""
        raw_code = request.data.get("code") if isinstance(request.data, dict) else None
        user = _voter_user(request, raw_code)
        data = valid_input(CastSerializer, request)
        code = data.get("code")
        if code is None and user is None:
            raise exceptions.NotAuthenticated("请先登录，或输入投票码")

        def cast():
            receipt = services.ballot_cast(session_id=pk, choices=data["choices"], user=user, code=code)
            return Response({"receipt": receipt}, status=status.HTTP_201_CREATED)

        return _with_code_limit(request, pk, code, cast)


class BallotSessionClose(APIView):
    @extend_schema(request=None, responses={200: TALLY, 409: VIOLATIONS_409})
    def post(self, request, pk):
        """Closes the vote and answers the tally at once (V2)."""
        session = _managed(request, pk)
        return Response(services.ballot_session_close(actor=request.user, session_id=session.pk))


def _closed(session):
    if session.status != BallotSession.Status.CLOSED:
        raise refusal("V2", "投票尚未结束，结果在结束时当场公布")


class BallotSessionTally(APIView):
    @extend_schema(responses={200: TALLY, 409: VIOLATIONS_409})
    def get(self, request, pk):
        """The tally announced at closing: per item the counts and `passed` (V3 / R3 / E2)."""
        session = _session(request, pk)
        _closed(session)
        return Response(session.result)


class BallotSessionBulletin(APIView):
    permission_classes = [SignedInOrCode]

    @extend_schema(parameters=[CODE], responses={200: BULLETIN, 404: None, 409: VIOLATIONS_409, 429: TOO_MANY})
    def get(self, request, pk):
        """After closing: every (receipt, choices) sorted by receipt, and `root` (sha256 of the canonical JSON).
        Supervisors, admins, staff of the session, its voters (members, or `?code=` with the code used)."""
        code = request.query_params.get("code")
        if code is not None:
            return _with_code_limit(request, pk, code, lambda: self._by_code(pk, code))
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated("请先登录，或输入投票码")
        session = _session(request, pk)
        user = request.user
        allowed = (
            roles.reads_everything(user)
            or selectors.can_manage_session(user=user, session=session)
            or session.present.filter(pk=user.pk).exists()
        )
        if not allowed:
            raise NotAllowed("您不能查看本次投票的公告板")
        return self._bulletin(session)

    def _by_code(self, pk, code):
        session = BallotSession.objects.filter(pk=pk).first()
        digest = services.code_digest(code)
        if session is None or not BallotCode.objects.filter(session=session, digest=digest).exists():
            raise services.WrongCode()
        return self._bulletin(session)

    def _bulletin(self, session):
        _closed(session)
        entries = selectors.bulletin_entries(session=session)
        return Response({"entries": entries, "root": selectors.bulletin_root(entries), "count": len(entries)})


class BallotSecondVote(APIView):
    @extend_schema(request=None, responses={201: BallotSessionSerializer, 409: VIOLATIONS_409})
    def post(self, request, pk):
        """V5: after a tie or nobody passing, a second vote on the same items (a new meeting and session)."""
        session = _managed(request, pk)
        second = services.ballot_second_vote(actor=request.user, session_id=session.pk)
        return Response(_detail(second), status=status.HTTP_201_CREATED)


class BallotRecusals(APIView):
    @extend_schema(request=RecusalSerializer, responses={201: RECUSAL, 400: ERRORS_400, 409: VIOLATIONS_409})
    def post(self, request, pk):
        """V8: staff record a member's recusal from one item."""
        session = _managed(request, pk)
        data = valid_input(RecusalSerializer, request)
        recusal = services.ballot_recusal_record(
            actor=request.user, session_id=session.pk, item_id=data["item"], user_id=data["user"], reason=data["reason"]
        )
        return Response(
            {"item": recusal.item_id, "user": recusal.user_id, "reason": recusal.reason}, status=status.HTTP_201_CREATED
        )


class UserCadre(APIView):
    @extend_schema(request=MemberCadreSerializer, responses={200: MemberCadreSerializer, 400: ERRORS_400, 403: None})
    def patch(self, request, pk):
        """Admin: the user's own cadre record (V8 reads the cadres' kinships through it)."""
        if not roles.has_role(request.user, roles.ADMIN):
            raise NotAllowed("只有管理员可以设置用户本人的干部信息")
        data = valid_input(MemberCadreSerializer, request)
        link = services.member_cadre_set(actor=request.user, user_id=pk, cadre_id=data["cadre"])
        return Response({"id": pk, "cadre": link.cadre_id if link else None})


@extend_schema_view(post=extend_schema(request=KinshipSerializer, responses={201: KinshipSerializer}))
class CadreKinships(generics.ListAPIView):
    """Kinships of a cadre, whichever side they were entered on (I9, V8). Read by those who read cadres
    (org_staff, admins, supervisors); written by org_staff and admins under the cadre-edit rule."""

    serializer_class = KinshipSerializer

    def get_queryset(self):
        cadre = get_cadre_for_user(user=self.request.user, pk=self.kwargs["pk"])  # 404 for those who see no cadres
        return Kinship.objects.filter(Q(cadre=cadre) | Q(relative=cadre)).order_by("id")

    def post(self, request, pk):
        get_cadre_for_user(user=request.user, pk=pk)
        cadre = cadre_for_edit(request, pk)
        data = valid_input(KinshipSerializer, request)
        fact = cadre_services.cadre_fact_create(actor=request.user, cadre=cadre, model=Kinship, **data)
        return Response(KinshipSerializer(fact).data, status=status.HTTP_201_CREATED)
