"""Pages that hand out the 干部任免审批表 (.lrmx, .docx, .pdf; several as a zip) and import .lrmx
files (upload → preview → apply). Thin: who may read (cadre.selectors), render (cadre/approval_form.py),
import (cadre/lrmx_import.py)."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import approval_form, lrmx_import, roles, selectors
from .errors import InvalidInput, NotAllowed
from .views import forbidden

READ_REFUSED = "您没有查看干部信息的权限"


def attachment(data: bytes, fmt: str, name: str) -> HttpResponse:
    """A download with its Chinese file name (RFC 6266 filename*, an ASCII fallback)."""
    content_type = "application/zip" if name.endswith(".zip") else approval_form.FORMATS[fmt]
    response = HttpResponse(data, content_type=content_type)
    ascii_name = "approval-form." + name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response


def _format(fmt: str) -> str:
    if fmt not in approval_form.FORMATS:
        raise Http404("未知的格式")
    return fmt


def _layout(request) -> str | None:
    return "3" if request.GET.get("layout") == "3" else ("new" if request.GET.get("layout") == "new" else None)


def _ensure_reader(user) -> None:
    if not roles.can_read_cadres(user):
        raise NotAllowed(READ_REFUSED)


def _ids(request) -> list[int]:
    raw = request.POST.getlist("ids") or request.GET.getlist("ids")
    values = [part for chunk in raw for part in str(chunk).split(",") if part.strip()]
    if not values or not all(v.strip().isdigit() for v in values):
        raise InvalidInput({"ids": ["请给出要导出的编号（ids=1,2,3）"]})
    ids = list(dict.fromkeys(int(v) for v in values))
    if len(ids) > approval_form.MAX_BATCH:
        raise InvalidInput({"ids": [f"一次最多导出 {approval_form.MAX_BATCH} 份"]})
    return ids


def cadre_form_response(request, pk, fmt):
    """Shared by the page and the API: the reader check (403), the cadre (404), the file."""
    fmt = _format(fmt)
    _ensure_reader(request.user)
    cadre = selectors.get_cadre_for_user(user=request.user, pk=pk)
    person = approval_form.person_for_cadre(cadre, user=request.user)
    data = approval_form.render(person, fmt, layout=_layout(request))
    return attachment(data, fmt, approval_form.file_name(person, fmt))


def candidate_form_response(request, pk, fmt):
    fmt = _format(fmt)
    _ensure_reader(request.user)
    candidate = selectors.get_candidate_for_user(user=request.user, pk=pk)
    person = approval_form.person_for_candidate(candidate, user=request.user)
    data = approval_form.render(person, fmt, layout=_layout(request))
    return attachment(data, fmt, approval_form.file_name(person, fmt))


def batch_response(request, kind: str):
    """Several forms as one zip: `ids` (repeated or comma-separated) and `format` (lrmx by default)."""
    fmt = _format(request.POST.get("format") or request.GET.get("format") or "lrmx")
    _ensure_reader(request.user)
    ids = _ids(request)
    if fmt == "pdf" and len(ids) > approval_form.MAX_BATCH_PDF:
        raise InvalidInput({"ids": [f"一次最多导出 {approval_form.MAX_BATCH_PDF} 份 PDF，请分批导出"]})
    persons = []
    for pk in ids:
        if kind == "cadre":
            cadre = selectors.get_cadre_for_user(user=request.user, pk=pk)
            persons.append(approval_form.person_for_cadre(cadre, user=request.user))
        else:
            candidate = selectors.get_candidate_for_user(user=request.user, pk=pk)
            persons.append(approval_form.person_for_candidate(candidate, user=request.user))
    data = approval_form.render_zip(persons, fmt, layout=_layout(request))
    return attachment(data, fmt, approval_form.zip_name(fmt))


def _page(handler):
    """NotAllowed → the 403 page, InvalidInput → 400 with the messages."""

    def view(request, *args, **kwargs):
        try:
            return handler(request, *args, **kwargs)
        except NotAllowed as exc:
            return forbidden(request, exc)
        except InvalidInput as exc:
            text = "；".join(m for messages_ in exc.errors.values() for m in messages_)
            return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")

    view.__name__ = handler.__name__
    view.__doc__ = handler.__doc__
    return view


@login_required
@require_GET
@_page
def cadre_form(request, pk, fmt):
    return cadre_form_response(request, pk, fmt)


@login_required
@require_GET
@_page
def candidate_form(request, pk, fmt):
    return candidate_form_response(request, pk, fmt)


@login_required
@require_http_methods(["GET", "POST"])
@_page
def cadre_forms_zip(request):
    return batch_response(request, "cadre")


@login_required
@require_http_methods(["GET", "POST"])
@_page
def candidate_forms_zip(request):
    return batch_response(request, "candidate")


# ---------------------------------------------------------------------------- import


def _ensure_importer(user) -> None:
    if not roles.can_write_cadres(user):
        raise NotAllowed("只有组工干部和管理员可以导入干部任免审批表")


@login_required
@require_http_methods(["GET", "POST"])
def cadre_import(request):
    """Upload a .lrmx or a zip of them → the preview, nothing written."""
    try:
        _ensure_importer(request.user)
    except NotAllowed as exc:
        return forbidden(request, exc)
    context = {"units": selectors.units_list(), "errors": [], "preview": None}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        unit_id = request.POST.get("unit") or None
        try:
            result = lrmx_import.import_preview(actor=request.user, upload=upload, unit_id=unit_id)
        except InvalidInput as exc:
            context["errors"] = [m for messages_ in exc.errors.values() for m in messages_]
            status = 400
        else:
            context["preview"] = result
    return render(request, "cadre/cadre_import.html", context, status=status)


@login_required
@require_POST
def cadre_import_apply(request, token):
    try:
        _ensure_importer(request.user)
        result = lrmx_import.import_apply(actor=request.user, token=token)
    except NotAllowed as exc:
        return forbidden(request, exc)
    except InvalidInput as exc:
        context = {
            "units": selectors.units_list(),
            "errors": [m for messages_ in exc.errors.values() for m in messages_],
            "preview": None,
        }
        return render(request, "cadre/cadre_import.html", context, status=400)
    return render(request, "cadre/cadre_import_done.html", {"result": result})
