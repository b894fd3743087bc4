"""Pages of the archive (A4): a selection's 记实表 PDFs, archiving a selection or a year as one
background job with a progress bar (htmx polls a small partial every 2 s; the JSON status is there
too), and the downloads. Reading: whoever sees the selection (supervisors see every one, S6);
starting: assigned staff and administrators (supervision.archive.can_archive)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cadre import roles
from cadre.errors import InvalidInput, NotAllowed
from cadre.models import Job
from cadre.selectors import get_candidate_for_user, get_selection_for_user, selection_ids_for_user

from . import archive
from .models import RecordArchive


def _batch_job_for_user(user, job_id) -> Job:
    """A batch job its starter or a supervisor/admin may follow; anyone else gets 404."""
    job = Job.objects.filter(pk=job_id, name=archive.BATCH_JOB).first()
    if job is None or not (job.created_by_id == user.pk or roles.reads_everything(user)):
        raise Http404("任务不存在")
    return job


def _latest_archives(candidates):
    latest = RecordArchive.objects.filter(candidate=OuterRef("pk")).order_by("-head_seq")
    return candidates.annotate(
        archive_id=Subquery(latest.values("pk")[:1]),
        archive_seq=Subquery(latest.values("head_seq")[:1]),
        archive_sha=Subquery(latest.values("sha256")[:1]),
        archive_at=Subquery(latest.values("created_at")[:1]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def selection_archive(request, pk):
    selection = get_selection_for_user(user=request.user, pk=pk)
    may_archive = archive.can_archive(request.user, selection)
    if request.method == "POST":
        if not may_archive:
            raise PermissionDenied(_("您未被分配承办此选任工作，不能归档"))
        try:
            job = archive.batch_request(actor=request.user, selection=selection)
        except (InvalidInput, NotAllowed) as exc:
            messages.error(request, getattr(exc, "message", "") or "；".join(sum(exc.errors.values(), [])))
            return redirect("supervision:archive_selection", pk=selection.pk)
        return redirect("supervision:archive_job", job_id=job.pk)
    candidates = _latest_archives(
        selection.candidates.select_related("cadre", "position__unit").order_by("position_id", "pk")
    )
    context = {
        "selection": selection,
        "candidates": candidates,
        "may_archive": may_archive,
        "may_archive_year": roles.has_role(request.user, roles.ORG_STAFF, roles.ADMIN),
        "year": timezone.localdate().year,
    }
    return render(request, "supervision/archive.html", context)


@login_required
@require_POST
def year_archive(request):
    if not roles.has_role(request.user, roles.ORG_STAFF, roles.ADMIN):
        raise PermissionDenied(_("只有承办人或管理员可以归档"))
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = 0
    back = request.POST.get("selection")
    try:
        job = archive.batch_request(actor=request.user, year=year)
    except (InvalidInput, NotAllowed) as exc:
        messages.error(request, getattr(exc, "message", "") or "；".join(sum(exc.errors.values(), [])))
        if back and back.isdigit():
            return redirect("supervision:archive_selection", pk=int(back))
        return redirect("cadre:selections")
    return redirect("supervision:archive_job", job_id=job.pk)


def _job_context(job: Job) -> dict:
    state = archive.progress(job)
    return {"job": job, "progress": state, "running": state["status"] in (Job.Status.PENDING, Job.Status.RUNNING)}


@login_required
@require_GET
def archive_job(request, job_id):
    job = _batch_job_for_user(request.user, job_id)
    context = _job_context(job)
    selection_id = job.args.get("selection")
    context["selection_id"] = selection_id
    context["year"] = job.args.get("year")
    return render(request, "supervision/archive_job.html", context)


@login_required
@require_GET
def archive_progress(request, job_id):
    """The progress bar alone; while the job runs it asks htmx to fetch it again in 2 s."""
    job = _batch_job_for_user(request.user, job_id)
    return render(request, "supervision/_archive_progress.html", _job_context(job))


@login_required
@require_GET
def archive_status(request, job_id):
    job = _batch_job_for_user(request.user, job_id)
    return JsonResponse(archive.progress(job))


@login_required
@require_GET
def archive_zip(request, job_id):
    """The latest PDF of each candidate of the job's selections that the user sees."""
    job = _batch_job_for_user(request.user, job_id)
    if job.status != Job.Status.DONE:
        raise Http404("归档尚未完成")
    selections = job.args.get("selections") or []
    visible = selection_ids_for_user(user=request.user)
    if visible is not None:
        selections = [pk for pk in selections if pk in set(visible)]
    response = HttpResponse(archive.zip_of(archive.latest_archives(selections)), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="archive-{job.pk}.zip"'
    return response


@login_required
@require_GET
def archive_pdf(request, pk):
    found = RecordArchive.objects.filter(pk=pk).values_list("candidate_id", flat=True).first()
    if found is None:
        raise Http404("归档不存在")
    get_candidate_for_user(user=request.user, pk=found)  # 404 unless the user sees the candidate
    record = RecordArchive.objects.select_related("candidate__cadre").get(pk=pk)
    response = HttpResponse(bytes(record.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="archive-{record.candidate_id}-{record.head_seq}.pdf"'
    response["X-Content-SHA256"] = record.sha256
    return response
