"""Pages that hand out the 干部任免审批表 (.lrmx, .docx, .pdf; several as a zip) and import .lrmx
files (upload → preview → apply). Thin: who may read (cadre.selectors), render (cadre/approval_form.py),
import (cadre/lrmx_import.py)."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import approval_form, approval_form_batch, lrmx_import, roles, selectors
from .errors import Conflict, InvalidInput, NotAllowed
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
        upload = request.FILES.getlist("file")  # one file, or an .lrm with its .pic
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
    except (InvalidInput, Conflict) as exc:  # Conflict: S1, the file was imported already
        context = {
            "units": selectors.units_list(),
            "errors": [m for messages_ in exc.errors.values() for m in messages_],
            "preview": None,
        }
        return render(request, "cadre/cadre_import.html", context, status=409 if isinstance(exc, Conflict) else 400)
    return render(request, "cadre/cadre_import_done.html", {"result": result})


# ---------------------------------------------------------------------------- many PDFs, by the worker


def _job_ids(request) -> list[int]:
    raw = request.POST.getlist("ids")
    values = [part.strip() for chunk in raw for part in str(chunk).split(",") if part.strip()]
    if not values or not all(v.isdigit() for v in values):
        raise InvalidInput({"ids": ["请选择要导出的干部"]})
    return [int(v) for v in values]


@login_required
@require_POST
@_page
def forms_pdf_job(request):
    """Start the background job (any number of forms); the browser goes to its progress page."""
    kind = "candidate" if request.POST.get("kind") == "candidate" else "cadre"
    if request.POST.get("scope") == "roster":  # the roster's filter (q, unit in the query string), every page
        from .roster_views import _filtered

        _ensure_reader(request.user)
        ids = list(_filtered(request)[0].values_list("pk", flat=True)[: approval_form_batch.MAX_FORMS + 1])
    else:
        ids = _job_ids(request)
    job = approval_form_batch.batch_request(actor=request.user, kind=kind, ids=ids)
    return redirect("cadre:approval_form_job", job_id=job.pk)


def _job_context(job) -> dict:
    state = approval_form_batch.progress(job)
    return {"job": job, "progress": state, "running": state["status"] in ("pending", "running")}


@login_required
@require_GET
def forms_job(request, job_id):
    job = approval_form_batch.job_for_user(request.user, job_id)
    return render(request, "cadre/approval_form_job.html", _job_context(job))


@login_required
@require_GET
def forms_job_progress(request, job_id):
    """The progress bar alone; while the job runs it asks htmx to fetch it again in 2 s."""
    job = approval_form_batch.job_for_user(request.user, job_id)
    return render(request, "cadre/approval_form_progress.html", _job_context(job))


@login_required
@require_GET
def forms_job_zip(request, job_id):
    job = approval_form_batch.job_for_user(request.user, job_id)
    path = approval_form_batch.zip_path(job)
    if path is None:
        raise Http404("导出尚未完成")
    name = job.result.get("name") or approval_form.zip_name("pdf")
    response = FileResponse(path.open("rb"), content_type="application/zip")
    response["Content-Disposition"] = f"attachment; filename=\"approval-forms.zip\"; filename*=UTF-8''{quote(name)}"
    return response
