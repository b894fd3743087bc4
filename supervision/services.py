"""Writes of publicity, complaints and appointment.

Each function: keyword-only, one transaction, permission via cadre.access.ensure_can_work, input
checked by cadre.cleaning, and a record entry on the candidate (row locked) in the same transaction.
A refusal by the procedure is a 409 naming its rule (cadre.rules.refusal).

Supervision does not import voting (voting reads supervision's complaints for V6): the decision date
a publicity must follow comes from the record's `decision_result` fact.
"""

import hashlib
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cadre import roles
from cadre import services as cadre_services
from cadre.access import ensure_can_work
from cadre.cleaning import Cleaner
from cadre.errors import Conflict, InvalidInput
from cadre.models import OPEN_STAGES, Candidate, Gender, RecordKind, Stage
from cadre.people import person_name
from cadre.ratelimit import Limiter
from cadre.record import record_append
from cadre.rules import refusal
from cadre.selectors import is_promotion
from cadre.thresholds import snapshot

from .models import Appointment, Complaint, PreAppointmentTalk, Publicity, default_issuer, new_reference
from .selectors import COMPLAINABLE_STAGES, decided_on, latest_publicity, open_complaints_count
from .workdays import CalendarUnavailableError, add_working_days, count_working_days

MAX_TEXT = 5000
TALK_STAGES = (Stage.DECISION, Stage.PUBLICITY, Stage.SUSPENDED)


def _lock_candidate(candidate_id) -> Candidate:
    try:
        return (
            Candidate.objects.select_for_update(of=("self",))
            .select_related("selection", "position__unit", "cadre__unit", "cadre__position__unit")
            .get(pk=candidate_id)
        )
    except (Candidate.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"candidate": ["人选不存在"]}) from exc


# ---------------------------------------------------------------------------- publicity (P1, P3)


def _ymd(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _ym(day: date | None) -> str:
    return f"{day.year}年{day.month}月" if day else ""


def notice_text(
    *, candidate: Candidate, starts_on: date, ends_on: date, phone: str, letter: str, online: str, issuer: str = ""
) -> str:
    """P3: basic facts, the proposed post, the period and the complaint channels."""
    cadre = candidate.cadre
    current = str(cadre.position) if cadre.position else f"{cadre.unit.name}干部"
    facts = [
        cadre.name,
        str(Gender(cadre.gender).label),
        cadre.ethnicity,
        f"{_ym(cadre.birth_date)}生",
        cadre.hometown and f"{cadre.hometown}人",
        str(cadre.get_education_display()),
        cadre.party_date and f"{_ym(cadre.party_date)}入党",
        f"{_ym(cadre.work_start_date)}参加工作",
        f"现任{current}",
    ]
    return (
        "根据干部选拔任用工作有关规定，经研究，现将拟任职干部人选予以公示：\n\n"
        + "，".join(f for f in facts if f)
        + f"。拟任{candidate.position}。\n\n"
        + f"公示时间：{_ymd(starts_on)}至{_ymd(ends_on)}。\n\n"
        + "公示期间，对公示对象有何意见或问题，可通过来信、来电、网络等方式向"
        + (issuer or default_issuer())
        + "反映。"
        + "反映问题要实事求是、客观公正，提倡署实名。\n"
        + f"举报电话：{phone}\n来信地址：{letter}\n网上举报：{online}"
    )


@transaction.atomic
def publicity_start(
    *,
    actor: User,
    candidate_id: int,
    starts_on: date,
    phone: str,
    letter: str,
    online: str,
    ends_on: date | None = None,
    issuer: str | None = None,
) -> Publicity:
    """Publish the notice. P1: the period is at least the threshold's working days; longer is allowed."""
    candidate = _lock_candidate(candidate_id)
    ensure_can_work(actor, candidate.selection)
    if candidate.stage != Stage.PUBLICITY:
        raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，须先进入任前公示阶段才能发布公示")
    if Publicity.objects.filter(candidate=candidate, published_at__gte=candidate.stage_changed_at).exists():
        raise refusal("S1", "公示已经发布，不能更改")  # one notice per publicity (一事一记)
    clean = Cleaner(max_length=MAX_TEXT)
    starts_on = clean.date(starts_on, "starts_on", label="公示开始日期")
    ends_on = clean.date(ends_on, "ends_on", required=False, label="公示结束日期")
    channels = {
        "phone": clean.text(phone, "phone", max_length=100),
        "letter": clean.text(letter, "letter", max_length=300),
        "online": clean.text(online, "online", max_length=300),
    }
    # 落款: the issuing authority, by default the configured one (settings.PUBLICITY_ISSUER).
    issuer = clean.text(issuer or default_issuer(), "issuer", max_length=100, label="发布机关")
    if starts_on and ends_on and ends_on < starts_on:
        clean.add("ends_on", f"公示结束日期 {ends_on} 早于开始日期 {starts_on}")
    clean.done()
    decision = decided_on(candidate)
    if decision and starts_on < decision:  # a well-formed date the procedure refuses (409 P1, API.md)
        raise refusal(
            "P1", f"公示须在讨论决定之后：开始日期不能早于 {decision}（常委会讨论决定日期）", field="starts_on"
        )
    required = snapshot()["P1.working_days"]
    try:
        earliest_end = add_working_days(starts_on, required)
        working_days = count_working_days(starts_on, ends_on or earliest_end)
    except CalendarUnavailableError as exc:
        # Not bad input: P1 cannot be counted until an administrator enters that year's calendar (409 P1).
        raise refusal("P1", exc.message, field="starts_on") from exc
    ends_on = ends_on or earliest_end
    if ends_on < earliest_end:
        raise refusal("P1", f"公示期不少于 {required} 个工作日：从 {starts_on} 起最早到 {earliest_end} 结束")
    publicity = Publicity.objects.create(
        candidate=candidate,
        starts_on=starts_on,
        ends_on=ends_on,
        working_days=working_days,
        notice_text=notice_text(candidate=candidate, starts_on=starts_on, ends_on=ends_on, issuer=issuer, **channels),
        issuer=issuer,
        published_at=timezone.now(),
        created_by=actor,
        **channels,
    )
    record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.FACT,
        payload={
            "fact": "publicity",
            "label": "发布任前公示",
            "publicity": publicity.pk,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "working_days": working_days,
            "required_working_days": required,
            **channels,
            "notice_text": publicity.notice_text,
            "issuer": issuer,
        },
    )
    return publicity


# ---------------------------------------------------------------------------- complaints (P2, S3)
#
# received 已登记 → assigned 已交办 → investigating 调查核实中 → concluded 已办结 (outcome). Every step
# appends a FACT entry (who: the record's actor; when: its time). The complainant's name and phone
# never enter the record: only whether the complaint is real-name.

PUBLIC_TEXT_MAX = MAX_TEXT  # the public form and API say this limit
# API.md 429: more than 50 public complaints from one address within an hour (page and API together).
PUBLIC_COMPLAINTS = Limiter("supervision:public-complaint", limit=50, window=3600)


def too_many_message(wait: int) -> str:
    return f"同一地址一小时内提交的举报过多，请 {wait} 秒后再试；也可以通过公示所列电话或来信反映"


NOT_COMPLAINABLE = "人选不存在或不在考察、公示期间"
INVESTIGATOR_ROLES = (roles.ORG_STAFF, roles.SUPERVISOR)


def _new_reference() -> str:
    while True:
        reference = new_reference()
        if not Complaint.objects.filter(reference=reference).exists():
            return reference


def _clean_complaint(clean: Cleaner, *, category, text, real_name, name, phone, clear_lead):
    clean.choice(category, "category", Complaint.Category.values, message="请选择反映问题的类别")
    text = clean.text(text, "text", label="举报内容")
    name = clean.text(name, "name", required=bool(real_name), max_length=50, label="姓名（实名举报）")
    phone = clean.text(phone, "phone", required=bool(real_name), max_length=30, label="联系电话（实名举报）")
    if not isinstance(clear_lead, bool):
        clean.add("clear_lead", "必须是是或否")
    return text, (name if real_name else ""), (phone if real_name else "")


def _received_payload(complaint: Complaint, **extra) -> dict:
    return {
        "fact": "complaint_received",
        "label": "受理举报",
        "complaint": complaint.pk,
        "channel": complaint.channel,
        "category": complaint.category,
        "category_label": str(complaint.get_category_display()),
        "real_name": complaint.real_name,
        "clear_lead": complaint.clear_lead,
        **extra,
    }


@cadre_services.records_refusals
def complaint_file(
    *,
    actor: User,
    candidate_id: int,
    received_on: date,
    channel: str,
    real_name: bool,
    text: str,
    category: str = Complaint.Category.OTHER,
    clear_lead: bool = False,
    complainant_name: str = "",
    complainant_phone: str = "",
    suspend: bool = False,
) -> Complaint:
    """Staff register a letter, visit or phone call. A complaint is an important situation (S2);
    during publicity the staff may suspend the candidate."""
    candidate = _lock_candidate(candidate_id)
    ensure_can_work(actor, candidate.selection)
    if candidate.stage not in OPEN_STAGES:
        raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，不能再登记举报")
    clean = Cleaner(max_length=MAX_TEXT)
    received_on = clean.date(received_on, "received_on", not_future=True, label="受理日期")
    clean.choice(channel, "channel", Complaint.Channel.values, message="请选择举报方式：来信来访、电话或网络")
    clean.choice(category, "category", Complaint.Category.values, message="请选择反映问题的类别")
    text = clean.text(text, "text")
    name = clean.text(complainant_name, "complainant_name", required=False, max_length=50) if real_name else ""
    phone = clean.text(complainant_phone, "complainant_phone", required=False, max_length=30) if real_name else ""
    clean.done()
    if suspend and candidate.stage != Stage.PUBLICITY:  # the procedure's refusal (409 "stage"), nothing written
        raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，只有任前公示阶段的人选可以暂缓任用")
    complaint = Complaint.objects.create(
        candidate=candidate,
        reference=_new_reference(),
        received_on=received_on,
        channel=channel,
        category=category,
        real_name=bool(real_name),
        complainant_name=name,
        complainant_phone=phone,
        clear_lead=bool(clear_lead),
        text=text,
        created_by=actor,
    )
    record_append(candidate=candidate, actor=actor, kind=RecordKind.FACT, payload=_received_payload(complaint))
    cadre_services.record_important(
        actor=actor,
        candidate=candidate,
        category="complaint",
        text=(
            f"{received_on} 收到{'实名' if real_name else '匿名'}举报（{Complaint.Channel(channel).label}，"
            f"{complaint.get_category_display()}，第 {complaint.pk} 号）：{text}"
        ),
        outcome="已暂缓任用，调查核实" if suspend else "调查核实",
    )
    if suspend:
        cadre_services.candidate_transition(
            actor=actor,
            candidate_id=candidate.pk,
            transition="suspend",
            reason=f"收到举报（第 {complaint.pk} 号），调查核实期间暂缓任用",
        )
    return complaint


@transaction.atomic
def complaint_submit(
    *,
    candidate_id,
    category: str,
    text: str,
    name: str = "",
    phone: str = "",
    clear_lead: bool = False,
) -> Complaint:
    """Anyone files a complaint online (S3), anonymously or with name and phone (real-name), about a
    candidate in inspection or publicity. No actor: the record entry's actor is null. The text is
    not copied into the record (it is the public's, unchecked): its sha256 binds the stored text."""
    try:
        candidate = (
            Candidate.objects.select_for_update(of=("self",))
            .filter(stage__in=COMPLAINABLE_STAGES)
            .get(pk=int(candidate_id))
        )
    except (Candidate.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"candidate": [NOT_COMPLAINABLE]}) from exc
    real_name = bool((name or "").strip() or (phone or "").strip())
    clean = Cleaner(max_length=PUBLIC_TEXT_MAX)
    text, name, phone = _clean_complaint(
        clean, category=category, text=text, real_name=real_name, name=name, phone=phone, clear_lead=clear_lead
    )
    clean.done()
    complaint = Complaint.objects.create(
        candidate=candidate,
        reference=_new_reference(),
        received_on=timezone.localdate(),
        channel=Complaint.Channel.ONLINE,
        category=category,
        real_name=real_name,
        complainant_name=name,
        complainant_phone=phone,
        clear_lead=clear_lead,
        text=text,
        created_by=None,
    )
    record_append(
        candidate=candidate,
        actor=None,
        kind=RecordKind.FACT,
        payload=_received_payload(
            complaint,
            label="收到网上举报",
            public=True,
            stage=candidate.stage,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        ),
    )
    return complaint


def _lock_complaint(complaint_id) -> Complaint:
    try:
        return Complaint.objects.select_for_update().get(pk=complaint_id)
    except (Complaint.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"complaint": ["举报不存在"]}) from exc


def _lock_for(actor: User, complaint_id) -> tuple[Complaint, Candidate]:
    """The complaint and its candidate, locked; the actor is assigned staff or the investigator."""
    complaint = _lock_complaint(complaint_id)
    candidate = _lock_candidate(complaint.candidate_id)
    if complaint.assigned_to_id is None or complaint.assigned_to_id != actor.pk:
        ensure_can_work(actor, candidate.selection)
    return complaint, candidate


# The same answer for an unknown id, an inactive account and one without the role (issue #10):
# the caller learns nothing about other users' ids or roles.
INVESTIGATOR_REFUSED = "用户不存在或不能承办举报（须为组工干部或纪检监督人员）"


def _investigator(user_id) -> User:
    try:
        user = User.objects.get(pk=int(user_id), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise InvalidInput({"investigator": [INVESTIGATOR_REFUSED]}) from exc
    if not roles.has_role(user, *INVESTIGATOR_ROLES):
        raise InvalidInput({"investigator": [INVESTIGATOR_REFUSED]})
    return user


def _investigator_payload(user: User) -> dict:
    return {"investigator": user.pk, "investigator_name": person_name(user)}


@transaction.atomic
def complaint_assign(*, actor: User, complaint_id: int, investigator_id: int) -> Complaint:
    """交办: name the investigator (a user); may be given again while not yet investigating."""
    complaint, candidate = _lock_for(actor, complaint_id)
    ensure_can_work(actor, candidate.selection)  # only the selection's staff assign
    if complaint.status not in (Complaint.Status.RECEIVED, Complaint.Status.ASSIGNED):
        raise Conflict(f"该举报当前为“{complaint.get_status_display()}”，不能再交办")
    investigator = _investigator(investigator_id)
    complaint.status = Complaint.Status.ASSIGNED
    complaint.assigned_to = investigator
    complaint.assigned_at = timezone.now()
    complaint.save(update_fields=["status", "assigned_to", "assigned_at"])
    record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.FACT,
        payload={
            "fact": "complaint_assigned",
            "label": "举报交办",
            "complaint": complaint.pk,
            **_investigator_payload(investigator),
        },
    )
    return complaint


@transaction.atomic
def complaint_investigate(*, actor: User, complaint_id: int) -> Complaint:
    """调查核实 begins. Not yet assigned: the actor becomes the investigator (recorded as such)."""
    complaint, candidate = _lock_for(actor, complaint_id)
    if complaint.status not in (Complaint.Status.RECEIVED, Complaint.Status.ASSIGNED):
        raise Conflict(f"该举报当前为“{complaint.get_status_display()}”，不能再转入调查核实")
    if complaint.assigned_to_id is None:
        complaint.assigned_to, complaint.assigned_at = actor, timezone.now()
    complaint.status = Complaint.Status.INVESTIGATING
    complaint.save(update_fields=["status", "assigned_to", "assigned_at"])
    record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.FACT,
        payload={
            "fact": "complaint_investigating",
            "label": "举报转入调查核实",
            "complaint": complaint.pk,
            **_investigator_payload(complaint.assigned_to),
        },
    )
    return complaint


@cadre_services.records_refusals
def complaint_conclude(
    *,
    actor: User,
    complaint_id: int,
    conclusion: str,
    substantiated: bool | None = None,
    outcome: str | None = None,
    resume: bool = False,
) -> Complaint:
    """P2: the conclusion, from any open status. `outcome` is 属实 / 部分属实 / 不属实; callers that
    pass only `substantiated` (a bool) mean 属实 or 不属实. Substantiated and partly substantiated
    stop the appointment (Complaint.STOPPING). An unsubstantiated one may resume a suspended
    candidate when nothing else is open."""
    complaint, candidate = _lock_for(actor, complaint_id)
    if complaint.status == Complaint.Status.CONCLUDED:
        raise refusal("S1", "该举报已经办结，结论不能更改")  # a conclusion is recorded once
    clean = Cleaner(max_length=MAX_TEXT)
    conclusion = clean.text(conclusion, "conclusion")
    if outcome is None and substantiated is not None:
        outcome = Complaint.Outcome.SUBSTANTIATED if substantiated else Complaint.Outcome.UNSUBSTANTIATED
    clean.choice(outcome, "outcome", Complaint.Outcome.values, message="请选择核查结果：属实、部分属实或不属实")
    stops = outcome in Complaint.STOPPING
    if resume and stops:
        clean.add("resume", "反映问题属实或部分属实的，不能恢复公示")
    clean.done()
    complaint.status = Complaint.Status.CONCLUDED
    complaint.outcome = outcome
    complaint.substantiated = stops
    complaint.conclusion = conclusion
    complaint.concluded_on = timezone.localdate()
    complaint.save(update_fields=["status", "outcome", "substantiated", "conclusion", "concluded_on"])
    record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.FACT,
        payload={
            "fact": "complaint_concluded",
            "label": "举报办结",
            "complaint": complaint.pk,
            "outcome": outcome,
            "outcome_label": str(Complaint.Outcome(outcome).label),
            "substantiated": complaint.substantiated,
            "conclusion": conclusion,
        },
    )
    if resume:
        # Refusals of the procedure (409), not bad input: the conclusion above rolls back with them.
        if candidate.stage != Stage.SUSPENDED:
            raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，不在暂缓状态，无需恢复公示")
        if open_complaints_count(candidate=candidate):
            raise refusal("P2", "该人选还有未办结的举报，不能恢复公示")
        cadre_services.candidate_transition(
            actor=actor,
            candidate_id=candidate.pk,
            transition="resume",
            reason=f"举报（第 {complaint.pk} 号）经核查反映问题不属实，恢复公示",
        )
    return complaint


# ---------------------------------------------------------------------------- appointment (A1, A2)
#
# #11: the pre-appointment talk and the appointment follow the publicity. P1 lets the appointment
# through only once the period is over (`today > ends_on`, supervision.rules), so the appointment date
# is a day after the publicity's end; the talk may be held on its last day or later (“不早于公示结束”).


def first_appointment_day(candidate: Candidate) -> date | None:
    """The earliest appointment date P1 allows: the day after the latest publicity ends (None: none yet)."""
    publicity = latest_publicity(candidate)
    return publicity.ends_on + timedelta(days=1) if publicity else None


def _after_publicity(clean: Cleaner, field: str, day: date, candidate: Candidate, label: str, *, same_day=False):
    publicity = latest_publicity(candidate)
    if publicity is None:
        clean.add(field, f"尚未发布任前公示：{label}须在任前公示结束之后")
        return
    ends = publicity.ends_on
    period = f"公示期 {publicity.starts_on} 至 {ends}"
    earliest = "" if same_day else f"，最早为 {ends + timedelta(days=1)}"
    if day < ends:
        clean.add(field, f"{label} {day} 早于任前公示结束日期 {ends}（{period}）{earliest}")
    elif day == ends and not same_day:
        clean.add(field, f"{label} {day} 是任前公示的最后一天（{period}），须在公示期满之后{earliest}")


@transaction.atomic
def talk_record(*, actor: User, candidate_id: int, talked_on: date, talked_by: str, summary: str) -> PreAppointmentTalk:
    """A1: 任前谈话."""
    candidate = _lock_candidate(candidate_id)
    ensure_can_work(actor, candidate.selection)
    if candidate.stage not in TALK_STAGES:
        raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，不能记录任前谈话")
    clean = Cleaner(max_length=MAX_TEXT)
    talked_on = clean.date(talked_on, "talked_on", not_future=True, label="谈话日期")
    if talked_on:
        _after_publicity(clean, "talked_on", talked_on, candidate, "谈话日期", same_day=True)
    talked_by = clean.text(talked_by, "talked_by", max_length=200)
    summary = clean.text(summary, "summary")
    clean.done()
    talk = PreAppointmentTalk.objects.create(
        candidate=candidate, talked_on=talked_on, talked_by=talked_by, summary=summary, created_by=actor
    )
    record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.FACT,
        payload={
            "fact": "pre_appointment_talk",
            "label": "任前谈话",
            "talked_on": talked_on,
            "talked_by": talked_by,
            "summary": summary,
        },
    )
    return talk


@transaction.atomic
def appointment_record(*, actor: User, candidate_id: int, document_number: str, effective_on: date) -> Appointment:
    """The appointment document; for a newly promoted cadre, the probation end (A2)."""
    candidate = _lock_candidate(candidate_id)
    ensure_can_work(actor, candidate.selection)
    if candidate.stage != Stage.PUBLICITY:
        raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，不能登记任职文件")
    if Appointment.objects.filter(candidate=candidate).exists():
        raise refusal("S1", "任职文件已经登记，不能更改")  # one appointment document (一事一记)
    clean = Cleaner()
    document_number = clean.text(document_number, "document_number", max_length=100)
    effective_on = clean.date(effective_on, "effective_on", label="任职日期")
    if effective_on:
        _after_publicity(clean, "effective_on", effective_on, candidate, "任职日期")
    clean.done()
    promotion = is_promotion(candidate)
    probation_days = snapshot()["A2.probation_days"]
    probation_ends_on = effective_on + timedelta(days=probation_days) if promotion else None
    appointment = Appointment.objects.create(
        candidate=candidate,
        document_number=document_number,
        effective_on=effective_on,
        promotion=promotion,
        probation_ends_on=probation_ends_on,
        created_by=actor,
    )
    record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.FACT,
        payload={
            "fact": "appointment_document",
            "label": "登记任职文件",
            "document_number": document_number,
            "effective_on": effective_on,
            "promotion": promotion,
            "probation_days": probation_days if promotion else None,
            "probation_ends_on": probation_ends_on,
        },
    )
    return appointment


CORRECTABLE_STAGES = (Stage.PUBLICITY, Stage.SUSPENDED, Stage.APPOINTED)


@transaction.atomic
def appointment_correct(*, actor: User, candidate_id: int, new_date: date, reason: str) -> Appointment:
    """Correct a mistyped appointment date (#11). The document stays registered once (S1); the date
    changes only through this service, with a written reason, checked like the original (a day after
    the publicity ends), and the record keeps old → new and the reason, so nothing changes silently.
    A newly promoted cadre's probation end moves with it (A2)."""
    candidate = _lock_candidate(candidate_id)
    ensure_can_work(actor, candidate.selection)
    if candidate.stage not in CORRECTABLE_STAGES:
        raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，不能更正任职日期")
    appointment = Appointment.objects.select_for_update().filter(candidate=candidate).first()
    if appointment is None:
        raise Conflict("尚未登记任职文件，无需更正任职日期")
    clean = Cleaner()
    new_date = clean.date(new_date, "new_date", label="更正后的任职日期")
    reason = clean.text(reason, "reason", label="更正理由")
    if new_date:
        _after_publicity(clean, "new_date", new_date, candidate, "更正后的任职日期")
        if new_date == appointment.effective_on:
            clean.add("new_date", f"更正后的任职日期与原任职日期 {appointment.effective_on} 相同")
    clean.done()
    old_date, old_probation = appointment.effective_on, appointment.probation_ends_on
    probation_days = snapshot()["A2.probation_days"]
    if appointment.promotion:
        appointment.probation_ends_on = new_date + timedelta(days=probation_days)
    appointment.effective_on = new_date
    appointment.save(update_fields=["effective_on", "probation_ends_on"])
    record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.FACT,
        payload={
            "fact": "appointment_date_corrected",
            "label": "更正任职日期",
            "document_number": appointment.document_number,
            "old_effective_on": old_date,
            "effective_on": new_date,
            "old_probation_ends_on": old_probation,
            "probation_ends_on": appointment.probation_ends_on,
            "reason": reason,
        },
    )
    return appointment
