"""API v1: the 干部任免审批表 as files, and the .lrmx import (../shared/API.md). Thin: the same
checks and renderers as the pages (cadre/approval_form_views.py), the errors the API's way."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions
from rest_framework import serializers as drf_serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from . import approval_form, lrmx_import, roles
from .approval_form_views import batch_response, cadre_form_response, candidate_form_response
from .errors import InvalidInput, NotAllowed
from .models import ApprovalFormImport

# The schema names each file's content type (approval_form.FORMATS), so clients and the fuzzer in CI
# (scripts/fuzz_api.py) can hold the downloads to it; an unknown format is a 404 like an unknown path.
FILE_RESPONSE = {
    (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description=f"the .{fmt} file")
    for fmt, content_type in approval_form.FORMATS.items()
}
ZIP_RESPONSE = {
    (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="the forms as one .zip"),
    404: OpenApiResponse(description="某个编号不存在，或当前用户无权查看"),
}
FORMAT_PATH = OpenApiParameter(
    "fmt", str, OpenApiParameter.PATH, enum=list(approval_form.FORMATS), description="文件格式"
)
LAYOUT = OpenApiParameter("layout", str, enum=["3", "new"], description="表样：3 为 3.x 版，new 为新版（默认）")
BATCH = [
    OpenApiParameter("ids", str, required=True, pattern=r"^[0-9]+(,[0-9]+)*$", description="编号，逗号分隔"),
    OpenApiParameter("format", str, enum=list(approval_form.FORMATS), description="文件格式（默认 lrmx）"),
    LAYOUT,
]


class CadreApprovalForm(APIView):
    @extend_schema(parameters=[FORMAT_PATH, LAYOUT], responses=FILE_RESPONSE)
    def get(self, request, pk, fmt):
        return cadre_form_response(request, pk, fmt)


class CandidateApprovalForm(APIView):
    @extend_schema(parameters=[FORMAT_PATH, LAYOUT], responses=FILE_RESPONSE)
    def get(self, request, pk, fmt):
        return candidate_form_response(request, pk, fmt)


class FileFormatNegotiation(DefaultContentNegotiation):
    """`?format=` of the zips is the forms' file format (lrmx, docx, pdf), not DRF's renderer override
    (URL_FORMAT_OVERRIDE), which answered every `?format=docx` with 404 before the view ran (found
    by the fuzzer, scripts/fuzz_api.py). The files are the views' own responses; errors are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class CadreApprovalForms(APIView):
    """Several at once: `ids` (repeated or comma-separated), `format`, `layout`."""

    content_negotiation_class = FileFormatNegotiation

    @extend_schema(request=None, parameters=BATCH, responses=ZIP_RESPONSE)
    def get(self, request):
        return batch_response(request._request, "cadre")

    @extend_schema(request=None, parameters=BATCH, responses=ZIP_RESPONSE)
    def post(self, request):
        return batch_response(request._request, "cadre")


class CandidateApprovalForms(APIView):
    content_negotiation_class = FileFormatNegotiation

    @extend_schema(request=None, parameters=BATCH, responses=ZIP_RESPONSE)
    def get(self, request):
        return batch_response(request._request, "candidate")

    @extend_schema(request=None, parameters=BATCH, responses=ZIP_RESPONSE)
    def post(self, request):
        return batch_response(request._request, "candidate")


def _require_importer(user):
    if not roles.can_read_cadres(user):
        raise exceptions.PermissionDenied("您没有访问干部信息的权限")
    if not roles.can_write_cadres(user):
        raise NotAllowed("只有组工干部和管理员可以导入干部任免审批表")


# The import's bodies (built by lrmx_import / roster): rows differ by source (.lrmx or .xlsx), hence `object`.
IMPORT_PREVIEW = inline_serializer(
    "ImportPreview",
    {
        "preview": drf_serializers.ListField(child=drf_serializers.DictField()),
        "token": drf_serializers.CharField(),
    },
)
IMPORT_APPLIED = inline_serializer(
    "ImportApplied",
    {
        "created": drf_serializers.ListField(child=drf_serializers.IntegerField()),
        "updated": drf_serializers.ListField(child=drf_serializers.IntegerField()),
    },
)


class CadreImport(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string"}}}},
        responses={200: IMPORT_PREVIEW},
    )
    def post(self, request):
        _require_importer(request.user)
        upload = request.FILES.get("file")
        if upload is not None and (upload.name or "").lower().endswith(".xlsx"):
            return Response(_roster_preview(request.user, upload))
        uploads = request.FILES.getlist("file")  # one file, or an .lrm with its .pic
        unit_id = request.data.get("unit") or None
        result = lrmx_import.import_preview(actor=request.user, upload=uploads, unit_id=unit_id)
        return Response(lrmx_import.preview_json(result))


# A 干部名册 (.xlsx) shares the endpoint (../shared/API.md): cadre/roster.py reads it; its tokens are
# told apart by this prefix ("." is not in a .lrmx token's alphabet).
XLSX_TOKEN = "xlsx."


def _roster_preview(actor, upload) -> dict:
    from . import roster

    if (upload.size or 0) > lrmx_import.MAX_UPLOAD:
        raise InvalidInput({"file": [f"文件过大：上传文件不能超过 {lrmx_import.MAX_UPLOAD // 1024 // 1024} MB"]})
    token, rows = roster.preview_save(actor=actor, data=upload.read())
    return {
        "preview": [
            {
                "row": row.number,
                "cadre": row.cadre.pk if row.cadre else None,
                "name": row.fields.get("name") or (row.cadre.name if row.cadre else ""),
                "changes": {header: list(change) for header, change in row.changes.items()},
                "errors": [f"第 {row.number} 行“{column}”：{reason}" for column, reason in row.errors],
            }
            for row in rows
        ],
        "token": XLSX_TOKEN + token,
    }


class CadreImportApply(APIView):
    @extend_schema(request=None, responses={200: IMPORT_APPLIED})
    def post(self, request, token):
        """An upload that is not this user's (or no longer exists) is 404 whoever asks, like any unknown id."""
        from . import roster

        if token.startswith(XLSX_TOKEN):
            known = roster.preview_exists(actor=request.user, token=token[len(XLSX_TOKEN) :])
        else:
            known = ApprovalFormImport.objects.filter(token=str(token)[:64], created_by=request.user).exists()
        if not known:
            raise Http404("导入不存在或已过期，请重新上传")
        _require_importer(request.user)
        if token.startswith(XLSX_TOKEN):
            skip_bad = str(request.data.get("skip_bad", "")).lower() in ("1", "true", "yes")
            return Response(roster.apply(actor=request.user, token=token[len(XLSX_TOKEN) :], skip_bad=skip_bad))
        return Response(lrmx_import.import_apply(actor=request.user, token=token))
