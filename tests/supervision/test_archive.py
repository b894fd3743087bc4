"""A4: the 记实表 PDF of an appointed candidate — rendered, stored once per head, recorded; batches
of a selection with their progress and zip; who may start and who may download."""

import hashlib
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from cadre import outbox, services
from cadre.models import Job, RecordEntry, RecordHead, RecordKind
from cadre.record import verify
from supervision import archive
from supervision.models import RecordArchive

from ..conftest import advance
from ..factories import CadreFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
    from pypdf import PdfReader  # pragma: no cover - only without poppler-utils

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def appointed(staff, publicizing):
    return advance(publicizing, staff, "appoint")


def archive_facts(candidate):
    return RecordEntry.objects.filter(candidate=candidate, kind=RecordKind.FACT, payload__fact=archive.FACT)


def test_appointment_enqueues_the_archive_and_the_pdf_shows_name_post_and_head(appointed):
    job = Job.objects.get(name=archive.ARCHIVE_JOB)
    assert job.args["candidate"] == appointed.pk and job.key.endswith(f":{appointed.pk}:appointed")
    head_before = RecordHead.objects.get(candidate=appointed)

    assert outbox.run(job.pk) == "done"

    stored = RecordArchive.objects.get(candidate=appointed)
    pdf = bytes(stored.pdf)
    assert pdf.startswith(b"%PDF") and stored.size == len(pdf)
    assert stored.sha256 == hashlib.sha256(pdf).hexdigest()
    assert (stored.head_seq, stored.head_hash) == (head_before.seq, head_before.hash)
    text = pdf_text(pdf)
    assert appointed.cadre.name in text
    assert appointed.position.title in text and appointed.position.unit.name in text
    assert head_before.hash in text  # the chain head, in the margin of every page
    assert text.count(head_before.hash) >= 2 or "1 / 1" in text
    assert "干部选拔任用工作记实表" in text and "经办人" in text and "北京时间" in text
    # The record holds the PDF's SHA-256, and the chain still verifies.
    fact = archive_facts(appointed).get()
    assert fact.payload["sha256"] == stored.sha256 and fact.payload["head_hash"] == head_before.hash
    assert fact.actor_id is None and verify([appointed.pk], checkpoint=False).ok

    if shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(exist_ok=True)
        prefix = ARTIFACTS / "archive_first_page"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-", str(prefix)],
            input=pdf,
            check=True,
        )
        assert (ARTIFACTS / "archive_first_page.png").stat().st_size > 10_000


def test_running_twice_for_the_same_head_stores_one_archive(staff, appointed):
    first = archive.archive_candidate(candidate_id=appointed.pk)
    second = archive.archive_candidate(candidate_id=appointed.pk)
    assert first["created"] is True and second == {"archive": first["archive"], "created": False}
    assert RecordArchive.objects.filter(candidate=appointed).count() == 1 and archive_facts(appointed).count() == 1
    # The outbox job too: a second run of a done job is skipped, a second enqueue on appointment is the same job.
    job = Job.objects.get(name=archive.ARCHIVE_JOB)
    assert outbox.run(job.pk) == "done" and outbox.run(job.pk) == "skipped"
    assert archive.archive_request(candidate_id=appointed.pk, on_appointment=True).pk == job.pk
    assert RecordArchive.objects.filter(candidate=appointed).count() == 1
    # Something new in the record: a new archive.
    services.candidate_record_important(actor=staff, candidate_id=appointed.pk, category="other", text="补充说明")
    assert archive.archive_candidate(candidate_id=appointed.pk)["created"] is True
    assert RecordArchive.objects.filter(candidate=appointed).count() == 2


def test_the_batch_over_a_selection_archives_everyone_with_progress_and_a_zip(client, staff, appointed, rival):
    client.force_login(staff)
    url = reverse("supervision:archive_selection", args=[appointed.selection_id])
    response = client.post(url)
    job = Job.objects.get(name=archive.BATCH_JOB)
    assert response.status_code == 302 and response["Location"] == reverse("supervision:archive_job", args=[job.pk])
    assert job.args["selections"] == [appointed.selection_id] and job.created_by == staff
    assert archive.batch_candidates(job.args["selections"]) == sorted([appointed.pk, rival.pk])

    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page and "<progress" in page
    assert client.get(reverse("supervision:archive_status", args=[job.pk])).json() == {
        "status": "pending",
        "status_label": "待执行",
        "done": 0,
        "total": 2,
        "percent": 0,
        "error": "",
    }

    assert outbox.run(job.pk) == "done"
    job.refresh_from_db()
    assert job.result["created"] == 2 and job.result["total"] == 2
    status = client.get(reverse("supervision:archive_status", args=[job.pk])).json()
    assert status == {**status, "status": "done", "done": 2, "total": 2, "percent": 100}
    partial = client.get(reverse("supervision:archive_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in partial and "下载全部 PDF" in partial  # done: polling stops

    download = client.get(reverse("supervision:archive_zip", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert len(names) == 2 and any(appointed.cadre.name in n for n in names)
    # A second batch with nothing new stores nothing.
    again = archive.batch_request(actor=staff, selection=appointed.selection)
    outbox.run(again.pk)
    again.refresh_from_db()
    assert again.result["created"] == 0 and RecordArchive.objects.count() == 2


def test_who_may_start_and_who_may_download(client, staff, other_staff, supervisor, appointed):
    done = archive.archive_candidate(candidate_id=appointed.pk)
    pdf_url = reverse("supervision:archive_pdf", args=[done["archive"]])
    page_url = reverse("supervision:archive_selection", args=[appointed.selection_id])
    job = archive.batch_request(actor=staff, selection=appointed.selection)
    outbox.run(job.pk)
    zip_url = reverse("supervision:archive_zip", args=[job.pk])

    # A supervisor reads and downloads (S6) but starts nothing.
    client.force_login(supervisor)
    page = client.get(page_url)
    assert page.status_code == 200 and "归档本选任工作全部人选" not in page.content.decode()
    pdf = client.get(pdf_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(zip_url).status_code == 200
    assert client.post(page_url).status_code == 403
    assert client.post(reverse("supervision:archive_year"), {"year": 2025}).status_code == 403

    # Staff not assigned to the selection: nothing visible, nothing started.
    before = (Job.objects.count(), RecordArchive.objects.count(), RecordEntry.objects.count())
    client.force_login(other_staff)
    assert client.get(page_url).status_code == 404
    assert client.post(page_url).status_code == 404
    assert client.get(pdf_url).status_code == 404
    assert client.get(zip_url).status_code == 404
    assert client.get(reverse("supervision:archive_status", args=[job.pk])).status_code == 404
    response = client.post(reverse("supervision:archive_year"), {"year": appointed.selection.created_at.year})
    assert response.status_code == 302  # their year holds no selection of theirs: refused with a message
    assert (Job.objects.count(), RecordArchive.objects.count(), RecordEntry.objects.count()) == before

    # The assigned staff member (positive control) sees the button.
    client.force_login(staff)
    assert "归档本选任工作全部人选" in client.get(page_url).content.decode()


def test_a_year_batch_covers_the_staff_members_selections_of_that_year(staff, appointed):
    other = services.candidate_create(
        actor=staff, selection=appointed.selection, position=appointed.position, cadre=CadreFactory()
    )
    job = archive.batch_request(actor=staff, year=appointed.selection.created_at.year)
    assert set(archive.batch_candidates(job.args["selections"])) >= {appointed.pk, other.pk}
    outbox.run(job.pk)
    assert RecordArchive.objects.filter(candidate__in=[appointed, other]).count() == 2
