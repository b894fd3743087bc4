"""Many 干部任免审批表 as PDFs in one zip, made by the Celery worker through the outbox
(cadre.outbox): `batch_request` checks who asks and what, and enqueues one job; the job renders
the forms one by one, keeps its progress in the cache (the job's transaction commits only at the
end) for the htmx progress bar, and writes the zip under MEDIA_ROOT/var/approval-forms/. Only the
one who started it downloads it (cadre/approval_form_views.py). A handful stay synchronous
(`approval_form.MAX_BATCH_PDF`)."""

import os
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import timezone

from . import approval_form, outbox, roles, selectors
from .errors import InvalidInput, NotAllowed
from .models import Job

JOB = "cadre.approval_form_pdfs"
MAX_FORMS = 2000
PROGRESS_TTL = 24 * 3600
KINDS = ("cadre", "candidate")


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "var" / "approval-forms"


def progress_key(batch: str) -> str:
    return f"cadre:approval-form-batch:{batch}"


def _visible(actor, kind: str, ids: list[int]) -> list[int]:
    if kind == "cadre":
        found = set(selectors.cadres_for_user(user=actor).filter(pk__in=ids).values_list("pk", flat=True))
    else:
        found = set(selectors.candidates_for_user(user=actor).filter(pk__in=ids).values_list("pk", flat=True))
    return [pk for pk in ids if pk in found]


def batch_request(*, actor: User, kind: str, ids: list[int]) -> Job:
    """One background job making the PDFs of these cadres (or candidates) the actor may read."""
    if not roles.can_read_cadres(actor):
        raise NotAllowed("您没有查看干部信息的权限")
    if kind not in KINDS:
        raise InvalidInput({"kind": ["未知的导出对象"]})
    ids = list(dict.fromkeys(int(pk) for pk in ids))
    if not ids:
        raise InvalidInput({"ids": ["请选择要导出的干部"]})
    if len(ids) > MAX_FORMS:
        raise InvalidInput({"ids": [f"一次最多导出 {MAX_FORMS} 份"]})
    visible = _visible(actor, kind, ids)
    if len(visible) != len(ids):
        raise InvalidInput({"ids": ["部分干部不存在或您无权查看，请刷新后重试"]})
    args = {"kind": kind, "ids": ids, "actor": actor.pk, "batch": uuid.uuid4().hex}
    return outbox.enqueue(JOB, args=args, actor=actor)


def _persons(kind: str, ids: list[int], actor):
    from .models import Cadre, Candidate

    if kind == "cadre":
        rows = Cadre.objects.in_bulk(ids)
        for pk in ids:
            if pk in rows:
                yield approval_form.person_for_cadre(rows[pk], user=actor)
    else:
        rows = Candidate.objects.select_related("cadre").in_bulk(ids)
        for pk in ids:
            if pk in rows:
                yield approval_form.person_for_candidate(rows[pk], user=actor)


def make_zip(*, kind: str, ids: list[int], actor: int | None = None, batch: str = "", **_rest) -> dict:
    """The job: each form in turn into a zip file (conventional numbered names), progress in the
    cache; the file is written under a temporary name and renamed at the end."""
    user = User.objects.filter(pk=actor).first() if actor else None
    total = len(ids)
    cache.set(progress_key(batch), {"done": 0, "total": total}, PROGRESS_TTL)
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    final = target / f"{batch}.zip"
    partial = target / f"{batch}.zip.part"
    today = timezone.localdate()
    done = 0
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, person in enumerate(_persons(kind, ids, user), start=1):
            name = approval_form.file_name(person, "pdf", number=number, on=today)
            archive.writestr(name, approval_form.render_pdf(person))
            done = number
            cache.set(progress_key(batch), {"done": done, "total": total}, PROGRESS_TTL)
    os.replace(partial, final)
    return {"total": total, "forms": done, "file": final.name, "name": approval_form.zip_name("pdf")}


outbox.register(JOB, label="批量导出干部任免审批表（PDF）")(make_zip)


def progress(job: Job) -> dict:
    state = cache.get(progress_key(job.args.get("batch", ""))) or {}
    total = len(job.args.get("ids") or [])
    done = total if job.status == Job.Status.DONE else state.get("done", 0)
    return outbox.progress(job, done=done, total=total)


def job_for_user(user, job_id) -> Job:
    """Only the one who started the job follows and downloads it; anyone else gets 404."""
    from django.http import Http404

    job = Job.objects.filter(pk=job_id, name=JOB).first()
    if job is None or job.created_by_id != user.pk:
        raise Http404("任务不存在")
    return job


def zip_path(job: Job) -> Path | None:
    if job.status != Job.Status.DONE or not job.result:
        return None
    path = folder() / Path(str(job.result.get("file", ""))).name
    return path if path.is_file() else None
