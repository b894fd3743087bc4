"""A4: the 全程记实表 (`001` 附件4) of a candidate as an A4 PDF, stored and recorded.

`archive_candidate(candidate_id=…)` renders the form with WeasyPrint and the CJK font — basic facts
(第四条(一)), each stage's entries with the persons responsible (第四条(二), S4), important situations
(第四条(三)), tallies, complaints and their conclusions, the outcome — with the chain head and the
latest checkpoint's root on every page (CSS @page margin boxes), stores it (`RecordArchive`) and
appends a FACT `archive_pdf` entry holding its SHA-256. Entries come from the one renderer of the
record (`cadre.record_text`, the template `cadre/_record_entries.html`), as on the candidate page.

One archive per head: when nothing but archive entries follows the latest archive's head, running
again stores nothing (the job is safe to run twice). Jobs go through the outbox (`cadre.outbox`):
`archive_request` (one candidate; on appointment once, by key) and `batch_request` (a selection or a
year, one job, progress in the cache for the browser's progress bar).
"""

import hashlib
import io
import uuid
import zipfile

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from cadre import outbox, record_text, roles
from cadre.errors import InvalidInput, NotAllowed
from cadre.models import FORWARD, Candidate, Position, RecordCheckpoint, RecordKind, Selection, Stage
from cadre.people import person_name
from cadre.record import record_append
from cadre.selectors import can_work_on, selections_for_user

from .models import Appointment, Complaint, Publicity, RecordArchive

ARCHIVE_JOB = "supervision.archive_record"
BATCH_JOB = "supervision.archive_batch"
FACT = "archive_pdf"
PROGRESS_TTL = 24 * 3600

# 第四条(二): the procedure's stages, in the form's order; the ways out are listed after them.
SECTIONS = [*FORWARD, Stage.SUSPENDED, Stage.ELIMINATED, Stage.WITHDRAWN, Stage.REJECTED]
# Payload keys that name people responsible besides the entry's actor (S4).
PERSON_KEYS = (
    "nominator",
    "signed_by",
    "leader",
    "members",
    "entered_by",
    "confirmed_by",
    "talked_by",
    "investigator_name",
    "participants",
)
TALLY_FACTS = ("recommendation", "decision_result", "ballot_result", "decision_meeting_opened")


def _is_archive_entry(entry) -> bool:
    return entry.kind == RecordKind.FACT and isinstance(entry.payload, dict) and entry.payload.get("fact") == FACT


# ---------------------------------------------------------------------------- what the form shows


def _names(user_ids) -> dict[int, str]:
    users = User.objects.filter(pk__in=[pk for pk in user_ids if pk]).only("username", "first_name", "last_name")
    return {u.pk: person_name(u) for u in users}


def _sections(entries, who: str, names: dict[int, str]) -> list[dict]:
    """Entries grouped by the stage the candidate was in when each was written; a transition closes
    the stage it leaves. Each stage with its persons responsible: who acted, and who is named."""
    by_stage: dict[str, dict] = {}
    stage = Stage.MOTION
    for entry in entries:
        section = by_stage.setdefault(stage, {"stage": stage, "entries": [], "actors": {}, "named": {}})
        section["entries"].append(entry)
        if entry.actor_id:
            section["actors"][names.get(entry.actor_id, entry.actor_name)] = None
        payload = entry.payload if isinstance(entry.payload, dict) else {}
        for key in PERSON_KEYS:
            value = payload.get(key)
            for name in value if isinstance(value, list) else [value]:
                if isinstance(name, str) and name.strip():
                    section["named"][name.strip()] = None
        if entry.kind in (RecordKind.TRANSITION, RecordKind.SEND_BACK) and payload.get("to"):
            stage = payload["to"]
    out = []
    for code in SECTIONS + [s for s in by_stage if s not in SECTIONS]:
        section = by_stage.get(code)
        if section:
            out.append(
                {
                    "label": record_text.stage_label(code),
                    "entries": section["entries"],
                    "actors": "、".join(section["actors"]) or record_text.SYSTEM,
                    "named": "、".join(n for n in section["named"] if n not in section["actors"]),
                }
            )
    return out


def _tallies(entries) -> list[dict]:
    out = []
    for entry in entries:
        payload = entry.payload if isinstance(entry.payload, dict) else {}
        if entry.kind == RecordKind.FACT and payload.get("fact") in TALLY_FACTS:
            out.append(
                {
                    "at": record_text.time_text(entry.at),
                    "label": record_text.fact_label(payload),
                    "rows": record_text.rows_of(payload),
                }
            )
    return out


def _basic_facts(candidate: Candidate, entries) -> list[tuple[str, str]]:
    """第四条(一). 现任职务 is the post held before this appointment (A3 has changed the cadre's)."""
    cadre = candidate.cadre
    current = cadre.position
    for entry in entries:
        payload = entry.payload if isinstance(entry.payload, dict) else {}
        if entry.kind == RecordKind.TRANSITION and payload.get("transition") == "appoint":
            previous = (payload.get("effects") or {}).get("previous_position")
            current = Position.objects.select_related("unit").filter(pk=previous).first() if previous else None

    def ym(day):
        return f"{day.year}年{day.month}月" if day else "—"

    return [
        ("姓名", cadre.name),
        ("性别", str(cadre.get_gender_display())),
        ("民族", cadre.ethnicity or "—"),
        ("成长地", cadre.hometown or "—"),
        ("学历", str(cadre.get_education_display())),
        ("出生年月", ym(cadre.birth_date)),
        ("加入党派时间", ym(cadre.party_date)),
        ("参加工作时间", ym(cadre.work_start_date)),
        ("工作单位", cadre.unit.name),
        ("现任职务", str(current) if current else "—"),
        ("任现职级时间", ym(cadre.rank_since)),
        ("拟任职务", str(candidate.position)),
    ]


def _complaints(candidate: Candidate) -> list[dict]:
    """Complaints and their conclusions (第四条(三)6), never the complainant's name or phone."""
    rows = []
    for c in Complaint.objects.filter(candidate=candidate).order_by("received_on", "pk"):
        rows.append(
            {
                "number": c.pk,
                "received_on": record_text.date_text(c.received_on),
                "channel": str(c.get_channel_display()),
                "category": str(c.get_category_display()),
                "real_name": "实名" if c.real_name else "匿名",
                "status": str(c.get_status_display()),
                "outcome": str(c.get_outcome_display()) if c.outcome else "—",
                "conclusion": c.conclusion or "—",
            }
        )
    return rows


def _conclusion(candidate: Candidate) -> list[tuple[str, str]]:
    rows = [("结果", record_text.stage_label(candidate.stage))]
    publicity = Publicity.objects.filter(candidate=candidate).order_by("-published_at").first()
    if publicity:
        period = f"{record_text.date_text(publicity.starts_on)}至{record_text.date_text(publicity.ends_on)}"
        rows.append(("任前公示", f"{period}（{publicity.working_days} 个工作日）"))
    appointment = Appointment.objects.filter(candidate=candidate).first()
    if appointment:
        rows.append(("任职文号", appointment.document_number))
        rows.append(("任职日期", record_text.date_text(appointment.effective_on)))
        if appointment.probation_ends_on:
            rows.append(("试用期满", record_text.date_text(appointment.probation_ends_on)))
    return rows


def archive_context(candidate: Candidate, entries, *, checkpoint: RecordCheckpoint | None) -> dict:
    head = entries[-1] if entries else None
    names = _names({e.actor_id for e in entries})
    who = candidate.cadre.name
    return {
        "candidate": candidate,
        "cadre": candidate.cadre,
        "who": who,
        "basic": _basic_facts(candidate, entries),
        "sections": _sections(entries, who, names),
        "important": [e for e in entries if e.is_important],
        "tallies": _tallies(entries),
        "complaints": _complaints(candidate),
        "conclusion": _conclusion(candidate),
        "head": head,
        "checkpoint": checkpoint,
        "now": record_text.time_text(timezone.now()),
    }


def render_pdf(candidate: Candidate, entries, *, checkpoint: RecordCheckpoint | None) -> tuple[bytes, int]:
    """The PDF and its number of pages."""
    from weasyprint import HTML

    html = render_to_string("supervision/archive_pdf.html", archive_context(candidate, entries, checkpoint=checkpoint))
    document = HTML(string=html).render()
    return document.write_pdf(), len(document.pages)


# ---------------------------------------------------------------------------- store and record


def _unchanged_since(archive: RecordArchive | None, candidate: Candidate) -> bool:
    if archive is None:
        return False
    newer = candidate.record.filter(seq__gt=archive.head_seq).exclude(kind=RecordKind.FACT, payload__fact=FACT)
    return not newer.exists()


@transaction.atomic
def archive_candidate(*, candidate_id: int, actor_id: int | None = None) -> dict:
    """Render, store and record the candidate's 记实表 — unless the latest archive already shows
    everything (then nothing is written). Returns {"archive": id, "created": bool}."""
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("selection", "position__unit", "cadre__unit", "cadre__position__unit")
        .filter(pk=candidate_id)
        .first()
    )
    if candidate is None:
        raise InvalidInput({"candidate": ["人选不存在"]})
    latest = RecordArchive.objects.filter(candidate=candidate).order_by("-head_seq").defer("pdf").first()
    if _unchanged_since(latest, candidate):
        return {"archive": latest.pk, "created": False}
    entries = list(candidate.record.order_by("seq"))
    head = entries[-1]
    checkpoint = RecordCheckpoint.objects.order_by("-id").first()
    pdf, pages = render_pdf(candidate, entries, checkpoint=checkpoint)
    digest = hashlib.sha256(pdf).hexdigest()
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    archive = RecordArchive.objects.create(
        candidate=candidate,
        head_seq=head.seq,
        head_hash=head.hash,
        checkpoint_root=checkpoint.root if checkpoint else "",
        sha256=digest,
        pdf=pdf,
        size=len(pdf),
        created_by=actor,
    )
    record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.FACT,
        payload={
            "fact": FACT,
            "label": "全程记实表归档",
            "archive": archive.pk,
            "sha256": digest,
            "size": len(pdf),
            "pages": pages,
            "head_seq": head.seq,
            "head_hash": head.hash,
            "checkpoint_root": archive.checkpoint_root,
        },
    )
    return {"archive": archive.pk, "created": True}


# ---------------------------------------------------------------------------- jobs (cadre.outbox)


def archive_request(*, candidate_id: int, actor: User | None = None, on_appointment: bool = False):
    """Archive one candidate in the background; on appointment once per candidate (the job's key)."""
    key = f"{ARCHIVE_JOB}:{candidate_id}:appointed" if on_appointment else None
    return outbox.enqueue(
        ARCHIVE_JOB, args={"candidate": candidate_id, "actor": actor.pk if actor else None}, key=key, actor=actor
    )


def can_archive(user, selection: Selection) -> bool:
    """Starting an archive changes the record: assigned staff and administrators; supervisors read."""
    return roles.has_role(user, roles.ADMIN) or can_work_on(user=user, selection=selection)


def year_selections(*, user, year: int):
    """The selections of `year` (created then, Asia/Shanghai) the user may archive."""
    if roles.has_role(user, roles.ADMIN):
        selections = Selection.objects.all()
    elif roles.has_role(user, roles.ORG_STAFF):
        selections = selections_for_user(user=user)
    else:
        raise NotAllowed("只有承办人或管理员可以归档")
    return selections.filter(created_at__year=year).order_by("pk")


def batch_request(*, actor: User, selection: Selection | None = None, year: int | None = None):
    """One background job archiving every candidate of a selection, or of a year's selections. The
    job's arguments name the selections (ids); the candidates are read when it runs."""
    if selection is not None:
        if not can_archive(actor, selection):
            raise NotAllowed("您未被分配承办此选任工作，不能归档")
        selections = [selection.pk]
    elif year is not None:
        if not isinstance(year, int) or not 1950 <= year <= 9999:
            raise InvalidInput({"year": ["年度不正确"]})
        selections = list(year_selections(user=actor, year=year).values_list("pk", flat=True))
    else:
        raise InvalidInput({"selection": ["请选择选任工作或年度"]})
    if not Candidate.objects.filter(selection_id__in=selections).exists():
        raise InvalidInput({"selection": ["没有可归档的人选"]})
    args = {
        "selections": selections,
        "selection": selection.pk if selection else None,
        "year": year,
        "actor": actor.pk,
        "batch": uuid.uuid4().hex,
    }
    return outbox.enqueue(BATCH_JOB, args=args, actor=actor)


def batch_candidates(selections: list[int]) -> list[int]:
    return list(Candidate.objects.filter(selection_id__in=selections).order_by("pk").values_list("pk", flat=True))


def progress_key(batch: str) -> str:
    return f"supervision:archive-batch:{batch}"


def archive_batch(*, selections: list[int], actor: int | None = None, batch: str = "", **_scope) -> dict:
    """The batch job: each candidate of the selections in turn (each archive in its own savepoint);
    progress in the cache, since the job's own transaction commits only at the end."""
    candidates = batch_candidates(selections)
    total, created = len(candidates), 0
    cache.set(progress_key(batch), {"done": 0, "total": total}, PROGRESS_TTL)
    for done, candidate_id in enumerate(candidates, start=1):
        created += archive_candidate(candidate_id=candidate_id, actor_id=actor)["created"]
        cache.set(progress_key(batch), {"done": done, "total": total}, PROGRESS_TTL)
    return {"created": created, "unchanged": total - created, "total": total}


def progress(job) -> dict:
    """{"status", "done", "total", "percent"} of a batch job, for the progress bar."""
    state = cache.get(progress_key(job.args.get("batch", ""))) or {}
    if job.status == job.Status.DONE and job.result:
        done = total = job.result.get("total", 0)
    else:
        total = state.get("total")
        if total is None:
            total = Candidate.objects.filter(selection_id__in=job.args.get("selections") or []).count()
        done = state.get("done", 0)
    return outbox.progress(job, done=done, total=total)


def latest_archives(selections: list[int]):
    """The latest archive of each candidate of these selections (what a batch's zip holds)."""
    newest = RecordArchive.objects.filter(candidate=OuterRef("candidate")).order_by("-head_seq").values("pk")[:1]
    return (
        RecordArchive.objects.filter(candidate__selection_id__in=selections, pk=Subquery(newest))
        .order_by("candidate_id")
        .select_related("candidate__cadre")
    )


def zip_of(archives) -> bytes:
    """The archives' PDFs in one zip, each named by candidate and head."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for archive in archives.iterator(chunk_size=20) if hasattr(archives, "iterator") else archives:
            zf.writestr(file_name(archive), bytes(archive.pdf))
    return buffer.getvalue()


def file_name(archive: RecordArchive) -> str:
    return f"记实表-{archive.candidate.cadre.name}-{archive.candidate_id}-{archive.head_seq}.pdf"
