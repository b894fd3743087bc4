"""Many 干部任免审批表 PDFs as one zip, made in the background (cadre/approval_form_batch.py): the
page starts the job, htmx polls its progress, the starter downloads the zip; one test runs the job
in process, one through a real Celery worker."""

import io
import subprocess
import uuid
import zipfile

import pytest
from django.urls import reverse

from cadre import approval_form_batch, outbox, roles
from cadre.models import Job
from tests.factories import CadreFactory, UserFactory
from tests.supervision.test_deadlines import REAL, wait_done, worker


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def _texts(data: bytes) -> dict[str, str]:
    """Each PDF of the zip and its text (pdftotext)."""
    texts = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            pdf = archive.read(info)
            assert pdf.startswith(b"%PDF")
            texts[info.filename] = subprocess.run(
                ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
            ).stdout.decode()
    return texts


def _download(client, job) -> bytes:
    response = client.get(reverse("cadre:approval_form_job_zip", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_the_page_starts_a_job_with_progress_and_the_starter_downloads_the_zip(client, staff):
    cadres = [CadreFactory(name=f"导出{'甲乙丙丁戊'[n]}") for n in range(5)]
    client.force_login(staff)
    response = client.post(reverse("cadre:approval_form_pdf_job"), {"ids": ",".join(str(c.pk) for c in cadres)})
    job = Job.objects.get(name=approval_form_batch.JOB)
    assert response.status_code == 302 and response["Location"] == reverse("cadre:approval_form_job", args=[job.pk])
    assert job.args["ids"] == [c.pk for c in cadres] and job.created_by == staff
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page and "已完成 0 / 5（0%）" in page
    assert client.get(reverse("cadre:approval_form_job_zip", args=[job.pk])).status_code == 404  # not yet

    assert outbox.run(job.pk) == "done"
    job.refresh_from_db()
    assert job.result["forms"] == 5 and job.result["total"] == 5
    progress = client.get(reverse("cadre:approval_form_job_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in progress and "已完成 5 / 5（100%）" in progress and "下载全部 PDF" in progress
    texts = _texts(_download(client, job))
    assert len(texts) == 5
    for number, cadre in enumerate(cadres, start=1):
        [name] = [n for n in texts if n.endswith(f" {number}.干部任免审批表 {cadre.name}.pdf")]
        assert cadre.name in texts[name].replace(" ", "")

    client.force_login(UserFactory(roles=[roles.ORG_STAFF]))  # another member of staff: not theirs
    assert client.get(reverse("cadre:approval_form_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("cadre:approval_form_job_zip", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_unknown_or_unseen_ids_are_refused_and_nothing_enqueued(client, staff):
    client.force_login(staff)
    response = client.post(reverse("cadre:approval_form_pdf_job"), {"ids": "999999"})
    assert response.status_code == 400 and "不存在或您无权查看" in response.content.decode()
    response = client.post(reverse("cadre:approval_form_pdf_job"), {"ids": "a,b"})
    assert response.status_code == 400 and "请选择要导出的干部" in response.content.decode()
    assert not Job.objects.filter(name=approval_form_batch.JOB).exists()


@REAL
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_makes_the_zip_of_every_pdf(client, staff, settings):
    settings.MEDIA_ROOT = approval_form_batch.settings.BASE_DIR / "media"  # the worker's own setting
    cadres = [CadreFactory(name=f"工人{'甲乙丙丁戊己庚辛'[n]}") for n in range(8)]
    client.force_login(staff)
    with worker(f"ganbu-test-{uuid.uuid4().hex[:12]}") as process:
        response = client.post(reverse("cadre:approval_form_pdf_job"), {"ids": [c.pk for c in cadres]})
        assert response.status_code == 302
        job = wait_done(Job.objects.get(name=approval_form_batch.JOB).pk, process, timeout=120)
    assert job.status == Job.Status.DONE, job.last_error
    assert job.result["forms"] == 8
    try:
        texts = _texts(_download(client, job))
        assert len(texts) == 8
        joined = {name: text.replace(" ", "") for name, text in texts.items()}
        for number, cadre in enumerate(cadres, start=1):
            [name] = [n for n in joined if n.endswith(f" {number}.干部任免审批表 {cadre.name}.pdf")]
            assert cadre.name in joined[name]
    finally:
        approval_form_batch.zip_path(job).unlink()


@pytest.mark.django_db
def test_the_roster_and_the_selection_pages_start_jobs_for_what_they_list(client, staff, candidate):
    kept = CadreFactory(name="名册甲")
    CadreFactory(name="别人")
    client.force_login(staff)
    assert 'id="approval-forms-pdf-job"' in client.get(reverse("cadre:roster")).content.decode()
    url = reverse("cadre:approval_form_pdf_job") + "?q=名册"
    assert client.post(url, {"scope": "roster"}).status_code == 302
    assert Job.objects.get(name=approval_form_batch.JOB).args["ids"] == [kept.pk]
    page = client.get(reverse("cadre:selection", args=[candidate.selection_id])).content.decode()
    assert f'name="ids" value="{candidate.pk}"' in page
    response = client.post(reverse("cadre:approval_form_pdf_job"), {"kind": "candidate", "ids": str(candidate.pk)})
    job = Job.objects.filter(name=approval_form_batch.JOB).latest("pk")
    assert response.status_code == 302 and job.args["kind"] == "candidate" and job.args["ids"] == [candidate.pk]
    assert outbox.run(job.pk) == "done"
    [text] = _texts(_download(client, job)).values()
    assert candidate.cadre.name in text.replace(" ", "")
