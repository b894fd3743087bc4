"""The jobs page (/jobs/): the outbox's pending, running, done and failed jobs (cadre.outbox), for
organization staff, supervisors and administrators; staff and administrators may start the jobs
registered as manual ones (e.g. the publicity check) at once, and start a failed job again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import outbox, roles
from .models import Job

JOBS_LIMIT = 200


def can_see_jobs(user) -> bool:
    return user.is_authenticated and roles.has_role(user, roles.ORG_STAFF, roles.SUPERVISOR, roles.ADMIN)


def can_start_jobs(user) -> bool:
    return user.is_authenticated and roles.has_role(user, roles.ORG_STAFF, roles.ADMIN)


def _manual_handlers() -> list[outbox.Handler]:
    return sorted((h for h in outbox.handlers().values() if h.manual), key=lambda h: h.name)


def _retry(request, job_id: str):
    with transaction.atomic():
        job = outbox.retry(int(job_id)) if job_id.isdigit() else None
    if job is None:
        messages.error(request, _("只有失败的任务可以重新执行"))
    else:
        job.refresh_from_db()
        messages.success(
            request,
            _("已重新提交后台任务 %(id)s：%(label)s（%(status)s）")
            % {"id": job.pk, "label": outbox.label(job.name), "status": job.get_status_display()},
        )
    return redirect("cadre:jobs")


@login_required
@require_http_methods(["GET", "POST"])
def jobs(request):
    user = request.user
    if not can_see_jobs(user):
        raise Http404
    if request.method == "POST":
        if not can_start_jobs(user):
            raise Http404
        if "retry" in request.POST:
            return _retry(request, request.POST["retry"])
        name = request.POST.get("name", "")
        if name not in {h.name for h in _manual_handlers()}:
            messages.error(request, _("没有这个可立即执行的后台任务"))
            return redirect("cadre:jobs")
        with transaction.atomic():
            job = outbox.enqueue(name, args={}, actor=user)
        job.refresh_from_db()
        messages.success(
            request,
            _("已提交后台任务 %(id)s：%(label)s（%(status)s）")
            % {"id": job.pk, "label": outbox.label(name), "status": job.get_status_display()},
        )
        return redirect("cadre:jobs")
    status = request.GET.get("status", "")
    rows = Job.objects.select_related("created_by").order_by("-created_at", "-id")
    if status in Job.Status.values:
        rows = rows.filter(status=status)
    counts = dict(Job.objects.order_by().values_list("status").annotate(n=Count("pk")))
    labels = {name: h.label for name, h in outbox.handlers().items()}
    context = {
        "jobs": [(job, labels.get(job.name, job.name)) for job in rows[:JOBS_LIMIT]],
        "limit": JOBS_LIMIT,
        "status": status,
        "statuses": [(s, Job.Status(s).label, counts.get(s, 0)) for s in Job.Status.values],
        "manual": _manual_handlers() if can_start_jobs(user) else [],
        "can_retry": can_start_jobs(user),
    }
    return render(request, "cadre/jobs.html", context)
