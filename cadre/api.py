"""JSON API v1 (../shared/API.md). Thin: parse, call a service or selector, render."""

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views import defaults
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status
from rest_framework import serializers as drf_serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from . import roles, security_log, selectors, services
from .auth import ExpiringTokenAuthentication, lockout_response, token_issue, tokens_revoke
from .checkpoint import export as export_checkpoint
from .errors import Conflict, InvalidInput, NotAllowed, TransitionRefused
from .models import Assessment, Evaluation, Sanction, Stage
from .pagination import clean_query
from .record import verify
from .serializers import (
    AssessmentSerializer,
    AssignSerializer,
    CadreSerializer,
    CandidateSerializer,
    CheckpointExportSerializer,
    CheckpointHeadsSerializer,
    CheckpointSerializer,
    CheckSerializer,
    EvaluationSerializer,
    ImportantSerializer,
    PositionSerializer,
    RecordEntrySerializer,
    SanctionSerializer,
    SelectionSerializer,
    SendBackSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    TransitionSerializer,
    TransitionVerbSerializer,
    UnitSerializer,
    VerifySerializer,
)

VIOLATIONS_RESPONSE = OpenApiResponse(description='{"violations": [{"rule", "message", "source", "overridable"}]}')


def _messages(detail, path: str = "") -> list[str]:
    """Every message under one field, a nested one prefixed with where it is (`rule：…`, `0.votes：…`)."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            inner = path if key == "non_field_errors" else (f"{path}.{key}" if path else str(key))
            found += _messages(value, inner)
        return found
    if isinstance(detail, list):
        found = []
        for index, item in enumerate(detail):
            nested = isinstance(item, dict | list)
            found += _messages(item, (f"{path}.{index}" if path else str(index)) if nested else path)
        return found
    return [f"{path}：{detail}" if path else str(detail)]


def _errors(detail) -> dict[str, list[str]]:
    """DRF's error detail as API.md's `{field: [messages]}`: the top-level fields stay the keys and
    every value is a list of strings, as the schema says (cadre/schema.py) — a nested serializer's or
    a list item's errors (`override`, `votes`) become messages naming where they are, instead of the
    nested objects the fuzzer found (scripts/fuzz_api.py)."""
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def exception_handler(exc, context):
    """Translate domain errors once; shape every 400 as {"errors": {field: [messages]}}."""
    if isinstance(exc, TransitionRefused):
        services.record_pending_refusal(exc)
    if isinstance(exc, TransitionRefused | Conflict):
        return Response({"violations": [v.as_dict() for v in exc.violations]}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, InvalidInput):
        return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotAllowed):
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, RequestDataTooBig):
        return Response({"errors": {"non_field_errors": ["请求体过大"]}}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ParseError):
        return Response({"errors": {"non_field_errors": ["请求体不是有效的 JSON"]}}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = {"errors": _errors(exc.detail)}
    return response


def _json(body: dict, status_code: int) -> JsonResponse:
    return JsonResponse(body, status=status_code, json_dumps_params={"ensure_ascii": False})


# Django's own error handlers (config/urls.py handler400/404/500): a path the URL patterns do not
# match (`cadres/abc/`), a suspicious request or a crash under /api/ answers JSON in the API's shapes
# like every other error of the API (API.md "Every error body is JSON"); pages keep templates/4xx.html.
def bad_request(request, exception=None):
    if request.path.startswith("/api/"):
        return _json({"errors": {"non_field_errors": ["请求无效"]}}, 400)
    return defaults.bad_request(request, exception)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return _json({"detail": "未找到"}, 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return _json({"detail": "服务器内部错误"}, 500)
    return defaults.server_error(request)


def valid_input(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    if not isinstance(request.data, dict):
        raise InvalidInput({"non_field_errors": ["请求体必须是 JSON 对象"]})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# ---------------------------------------------------------------------------- auth


class TokenView(APIView):
    """POST: a token for username and password (refused with 429 while the account or address is
    locked, cadre.auth); DELETE with `Authorization: Token <key>`: revokes the caller's tokens."""

    permission_classes = [AllowAny]

    def get_authenticators(self):
        request = getattr(self, "request", None)  # None while the schema is generated
        if request is not None and request.method == "DELETE":
            return [ExpiringTokenAuthentication()]
        return []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description='{"errors": {...}}'),
            429: OpenApiResponse(description='{"detail"}，并带 Retry-After'),
        },
    )
    def post(self, request):
        data = valid_input(TokenRequestSerializer, request)
        # axes needs Django's request: it counts the failure and marks a locked-out attempt on it.
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if getattr(request._request, "axes_locked_out", False):
            return lockout_response(request._request)
        if user is None:
            raise InvalidInput({"non_field_errors": ["用户名或密码错误"]})
        return Response({"token": token_issue(user).key})

    @extend_schema(request=None, responses={204: None, 401: OpenApiResponse(description='{"detail"}')})
    def delete(self, request):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        tokens_revoke(request.user)
        security_log.record(
            "token_revoked",
            summary=f"{request.user.get_username()} 撤销了 API 令牌",
            username=request.user.get_username(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------------------- master data


class UnitList(generics.ListAPIView):
    serializer_class = UnitSerializer

    def get_queryset(self):
        return selectors.units_list()

    @extend_schema(request=UnitSerializer, responses={201: UnitSerializer})
    def post(self, request):
        data = valid_input(UnitSerializer, request)
        unit = services.unit_create(actor=request.user, **data)
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)


class PositionList(generics.ListAPIView):
    serializer_class = PositionSerializer

    def get_queryset(self):
        return selectors.positions_list()

    @extend_schema(request=PositionSerializer, responses={201: PositionSerializer})
    def post(self, request):
        data = valid_input(PositionSerializer, request)
        position = services.position_create(actor=request.user, **data)
        return Response(PositionSerializer(position).data, status=status.HTTP_201_CREATED)


def _require(allowed: bool):
    if not allowed:
        raise exceptions.PermissionDenied("您没有访问干部信息的权限")


@extend_schema_view(get=extend_schema(parameters=[OpenApiParameter("q", str, description="姓名包含（至多 50 字）")]))
class CadreList(generics.ListAPIView):
    serializer_class = CadreSerializer

    def get_queryset(self):
        _require(roles.can_read_cadres(self.request.user))
        query = clean_query(NameQuery, self.request)
        qs = selectors.cadres_for_user(user=self.request.user)
        return qs.filter(name__icontains=query["q"]) if "q" in query else qs

    @extend_schema(request=CadreSerializer, responses={201: CadreSerializer})
    def post(self, request):
        _require(roles.can_write_cadres(request.user))
        data = valid_input(CadreSerializer, request)
        cadre = services.cadre_create(actor=request.user, **data)
        return Response(CadreSerializer(cadre).data, status=status.HTTP_201_CREATED)


class CadreDetail(APIView):
    @extend_schema(responses={200: CadreSerializer})
    def get(self, request, pk):
        _require(roles.can_read_cadres(request.user))
        return Response(CadreSerializer(selectors.get_cadre_for_user(user=request.user, pk=pk)).data)

    @extend_schema(request=CadreSerializer, responses={200: CadreSerializer})
    def patch(self, request, pk):
        cadre = cadre_for_edit(request, pk)
        data = valid_input(CadreSerializer, request, instance=cadre, partial=True)
        cadre = services.cadre_update(actor=request.user, cadre=cadre, **data)
        return Response(CadreSerializer(cadre).data)


def cadre_for_edit(request, pk):
    """The permission rule of cadre writes (cadre.selectors.can_edit_cadre) as status codes: roles
    that do not see cadres 403, an unknown id 404, supervisors 403, staff the rule refuses 404."""
    _require(roles.can_read_cadres(request.user))
    selectors.get_cadre_for_user(user=request.user, pk=pk)
    _require(roles.can_write_cadres(request.user))
    return selectors.get_cadre_for_edit(user=request.user, pk=pk)


class _CadreFactList(generics.ListAPIView):
    """GET/POST of one kind of fact of one cadre: assessments, evaluations, sanctions."""

    model = None

    def _cadre(self):
        _require(roles.can_read_cadres(self.request.user))
        return selectors.get_cadre_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_queryset(self):
        return self.model.objects.filter(cadre=self._cadre())

    def post(self, request, pk):
        cadre = cadre_for_edit(request, pk)
        data = valid_input(self.serializer_class, request)
        fact = services.cadre_fact_create(actor=request.user, cadre=cadre, model=self.model, **data)
        return Response(self.serializer_class(fact).data, status=status.HTTP_201_CREATED)


@extend_schema_view(post=extend_schema(request=AssessmentSerializer, responses={201: AssessmentSerializer}))
class AssessmentList(_CadreFactList):
    model = Assessment
    serializer_class = AssessmentSerializer


@extend_schema_view(post=extend_schema(request=EvaluationSerializer, responses={201: EvaluationSerializer}))
class EvaluationList(_CadreFactList):
    model = Evaluation
    serializer_class = EvaluationSerializer


@extend_schema_view(post=extend_schema(request=SanctionSerializer, responses={201: SanctionSerializer}))
class SanctionList(_CadreFactList):
    model = Sanction
    serializer_class = SanctionSerializer


# ---------------------------------------------------------------------------- selections and candidates


@extend_schema_view(get=extend_schema(parameters=[OpenApiParameter("q", str, description="名称包含（至多 50 字）")]))
class SelectionList(generics.ListAPIView):
    serializer_class = SelectionSerializer

    def get_queryset(self):
        query = clean_query(NameQuery, self.request)
        qs = selectors.selections_for_user(user=self.request.user).prefetch_related("positions")
        return qs.filter(title__icontains=query["q"]) if "q" in query else qs

    @extend_schema(request=SelectionSerializer, responses={201: SelectionSerializer})
    def post(self, request):
        if not roles.has_role(request.user, roles.ORG_STAFF):
            raise NotAllowed("只有组工干部可以发起选任工作")
        data = valid_input(SelectionSerializer, request)
        selection = services.selection_create(actor=request.user, **data)
        return Response(SelectionSerializer(selection).data, status=status.HTTP_201_CREATED)


class SelectionDetail(APIView):
    @extend_schema(responses={200: SelectionSerializer})
    def get(self, request, pk):
        selection = selectors.get_selection_for_user(user=request.user, pk=pk)
        return Response(SelectionSerializer(selection).data)


class SelectionAssign(APIView):
    @extend_schema(request=AssignSerializer, responses={204: None})
    def post(self, request, pk):
        selection = selectors.get_selection_for_user(user=request.user, pk=pk)
        data = valid_input(AssignSerializer, request)
        # The same 400 for an unknown id, an inactive account and one without the role
        # (services.ASSIGN_REFUSED), checked after the permission so a refused caller learns nothing.
        user = User.objects.filter(pk=data["user"]).first()
        services.selection_assign(actor=request.user, selection=selection, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


Q_MESSAGES = {"max_length": "搜索词不能超过 50 个字", "null_characters_not_allowed": "搜索词不能含空字符"}


class CandidateQuery(drf_serializers.Serializer):
    selection = drf_serializers.IntegerField(
        required=False,
        min_value=1,
        error_messages={"invalid": "选任工作编号必须是整数", "min_value": "选任工作编号必须是正整数"},
    )
    stage = drf_serializers.ChoiceField(
        choices=Stage.choices,
        required=False,
        error_messages={"invalid_choice": f"未知的阶段（可选：{'、'.join(Stage.values)}）"},
    )
    q = drf_serializers.CharField(required=False, max_length=50, error_messages=Q_MESSAGES)


class NameQuery(drf_serializers.Serializer):
    q = drf_serializers.CharField(required=False, max_length=50, error_messages=Q_MESSAGES)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("selection", int, description="选任工作编号"),
            OpenApiParameter("stage", str, enum=Stage.values, description="所处阶段"),
            OpenApiParameter("q", str, description="干部姓名包含（至多 50 字）"),
        ]
    )
)
class CandidateList(generics.ListAPIView):
    serializer_class = CandidateSerializer

    def get_queryset(self):
        query = clean_query(CandidateQuery, self.request)
        qs = selectors.candidates_list_for_user(user=self.request.user)
        if "selection" in query:
            qs = qs.filter(selection_id=query["selection"])
        if "stage" in query:
            qs = qs.filter(stage=query["stage"])
        if "q" in query:
            qs = qs.filter(cadre__name__icontains=query["q"])
        return qs

    @extend_schema(request=CandidateSerializer, responses={201: CandidateSerializer})
    def post(self, request):
        data = valid_input(CandidateSerializer, request, context={"request": request})
        candidate = services.candidate_create(
            actor=request.user, selection=data["selection"], position=data["position"], cadre=data["cadre"]
        )
        return Response(CandidateSerializer(candidate).data, status=status.HTTP_201_CREATED)


class CandidateDetail(APIView):
    @extend_schema(responses={200: CandidateSerializer})
    def get(self, request, pk):
        return Response(CandidateSerializer(selectors.get_candidate_for_user(user=request.user, pk=pk)).data)


TRANSITION_PATH = OpenApiParameter(
    "transition",
    str,
    OpenApiParameter.PATH,
    enum=list(TransitionVerbSerializer().fields["transition"].choices),
    description="操作（状态机的动词）",
)


def _verb(transition: str) -> str:
    """The path's verb through TransitionVerbSerializer: unknown → 400 {"errors": {"transition": […]}}."""
    serializer = TransitionVerbSerializer(data={"transition": transition})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["transition"]


class CandidateCheck(APIView):
    @extend_schema(parameters=[TRANSITION_PATH], responses={200: CheckSerializer})
    def get(self, request, pk, transition):
        candidate = selectors.get_candidate_for_user(user=request.user, pk=pk)
        transition = _verb(transition)
        evaluation = services.candidate_check(candidate=candidate, transition=transition)
        return Response({"allowed": evaluation.allowed, "violations": [v.as_dict() for v in evaluation.violations]})


class CandidateTransition(APIView):
    @extend_schema(
        parameters=[TRANSITION_PATH],
        request=TransitionSerializer,
        responses={200: CandidateSerializer, 409: VIOLATIONS_RESPONSE},
    )
    def post(self, request, pk, transition):
        selectors.get_candidate_for_user(user=request.user, pk=pk)
        transition = _verb(transition)
        data = valid_input(TransitionSerializer, request)
        overrides = list(data.get("overrides", []))
        if "override" in data:
            overrides.append(data["override"])
        candidate = services.candidate_transition(
            actor=request.user,
            candidate_id=pk,
            transition=transition,
            overrides=[dict(o) for o in overrides],
            reason=data.get("reason", ""),
        )
        return Response(CandidateSerializer(candidate).data)


class CandidateSendBack(APIView):
    @extend_schema(request=SendBackSerializer, responses={200: CandidateSerializer})
    def post(self, request, pk):
        selectors.get_candidate_for_user(user=request.user, pk=pk)
        data = valid_input(SendBackSerializer, request)
        candidate = services.candidate_send_back(
            actor=request.user, candidate_id=pk, to_stage=data["to_stage"], reason=data["reason"]
        )
        return Response(CandidateSerializer(candidate).data)


class CandidateImportant(APIView):
    @extend_schema(request=ImportantSerializer, responses={201: RecordEntrySerializer})
    def post(self, request, pk):
        selectors.get_candidate_for_user(user=request.user, pk=pk)
        data = valid_input(ImportantSerializer, request)
        entry = services.candidate_record_important(actor=request.user, candidate_id=pk, **data)
        return Response(RecordEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class CandidateRecord(generics.ListAPIView):
    serializer_class = RecordEntrySerializer

    def get_queryset(self):
        candidate = selectors.get_candidate_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.record_for_candidate(candidate=candidate)


class RecordVerify(APIView):
    @extend_schema(responses={200: VerifySerializer})
    def get(self, request):
        if not roles.reads_everything(request.user):
            raise NotAllowed("只有监督人员可以校验全程纪实记录")
        result = verify()
        return Response(
            {"ok": result.ok, "entries": result.entries, "checkpoint": result.checkpoint, "broken": result.broken}
        )


def _require_reader(user):
    if not roles.reads_everything(user):
        raise NotAllowed("只有监督人员和管理员可以查看纪实记录检查点")


class CheckpointList(generics.ListAPIView):
    serializer_class = CheckpointSerializer

    def get_queryset(self):
        _require_reader(self.request.user)
        return selectors.checkpoints_list()

    @extend_schema(request=None, responses={201: CheckpointSerializer})
    def post(self, request):
        if not roles.has_role(request.user, roles.ADMIN):
            raise NotAllowed("只有管理员可以立即签署检查点")
        signed = services.record_checkpoint_sign(actor=request.user)
        return Response(CheckpointSerializer(signed).data, status=status.HTTP_201_CREATED)


class CheckpointDetail(APIView):
    """The whole checkpoint as a file for offline verification (`verify_record --checkpoint FILE`)."""

    @extend_schema(responses={200: CheckpointExportSerializer})
    def get(self, request, pk):
        _require_reader(request.user)
        checkpoint = selectors.get_checkpoint(pk=pk)
        response = Response(export_checkpoint(checkpoint))
        if request.query_params.get("download"):
            response["Content-Disposition"] = f'attachment; filename="record-checkpoint-{checkpoint.pk}.json"'
        return response


class CheckpointHeads(APIView):
    @extend_schema(responses={200: CheckpointHeadsSerializer})
    def get(self, request, pk):
        _require_reader(request.user)
        checkpoint = selectors.get_checkpoint(pk=pk)
        return Response({"heads": export_checkpoint(checkpoint)["heads"]})
