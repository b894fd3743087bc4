from datetime import date, timedelta

import chinese_calendar
import pytest
from django.utils import timezone

from cadre import services as cadre_services
from cadre.errors import Conflict, InvalidInput
from cadre.models import CalendarDay, CalendarYear, MotionReason, RecordEntry, RecordKind, Stage
from cadre.record import verify
from cadre.rules import Context
from cadre.services import candidate_check
from cadre.thresholds import snapshot
from supervision import rules, services
from supervision.demo import DEMO_CHANNELS
from supervision.models import Complaint, Publicity
from supervision.selectors import upcoming_deadlines
from supervision.workdays import (
    CalendarUnavailableError,
    add_working_days,
    count_working_days,
    start_for_ended,
)

from ..conftest import advance, prepare
from ..factories import PositionFactory


def ctx(today=None):
    return Context(thresholds=snapshot(), today=today or timezone.localdate())


def rule_ids(candidate, transition="appoint"):
    return {v.rule for v in candidate_check(candidate=candidate, transition=transition).violations}


# ---------------------------------------------------------------------------- P1 working days


@pytest.mark.django_db
def test_p1_working_days_over_national_day_2025():
    start = date(2025, 9, 29)
    # What the calendar itself says, day by day: the fifth working day counting the start.
    workdays = [start + timedelta(days=i) for i in range(30) if chinese_calendar.is_workday(start + timedelta(days=i))]
    assert add_working_days(start, 5) == workdays[4]
    # 09-29, 09-30, (10-01..10-08 holiday), 10-09, 10-10, and Saturday 10-11 an adjusted working day.
    assert workdays[4] == date(2025, 10, 11)
    assert not chinese_calendar.is_workday(date(2025, 10, 8))
    assert chinese_calendar.is_workday(date(2025, 10, 11))
    assert count_working_days(start, date(2025, 10, 11)) == 5
    assert count_working_days(start, date(2025, 10, 10)) == 4


@pytest.mark.django_db
def test_p1_unknown_year_gives_chinese_error():
    with pytest.raises(CalendarUnavailableError) as exc:
        add_working_days(date(2099, 1, 1), 5)
    assert "2099 年" in exc.value.message


@pytest.mark.django_db
def test_p1_administrator_calendar_makes_unknown_year_usable_and_overrides(admin_user):
    # 2099-01-01 (Thursday) entered as a holiday: that alone does not make the rest of 2099 known.
    CalendarDay.objects.create(day=date(2099, 1, 1), is_workday=False, note="元旦")
    with pytest.raises(CalendarUnavailableError):
        add_working_days(date(2099, 1, 1), 5)
    # Once an administrator marks the year's schedule complete, the other days follow Monday–Friday.
    CalendarYear.objects.create(year=2099, complete=True, confirmed_by=admin_user, confirmed_at=timezone.now())
    assert add_working_days(date(2099, 1, 1), 5) == date(2099, 1, 8)
    # An override beats the package: make a known working day a rest day.
    CalendarDay.objects.create(day=date(2025, 9, 30), is_workday=False, note="测试")
    assert count_working_days(date(2025, 9, 29), date(2025, 10, 11)) == 4


@pytest.mark.django_db
def test_start_for_ended_has_ended():
    today = date(2025, 10, 9)
    start = start_for_ended(today, 5)
    assert add_working_days(start, 5) < today
    assert count_working_days(start, add_working_days(start, 5)) == 5


@pytest.mark.django_db
def test_publicity_refuses_period_shorter_than_p1(staff, publicizing):
    start = date(2025, 9, 29)
    with pytest.raises(Conflict) as exc:
        services.publicity_start(
            actor=staff, candidate_id=publicizing.pk, starts_on=start, ends_on=date(2025, 10, 10), **DEMO_CHANNELS
        )
    assert [v.rule for v in exc.value.violations] == ["P1"]
    assert "公示期不少于 5 个工作日" in exc.value.message and "2025-10-11" in exc.value.message
    longer = services.publicity_start(
        actor=staff, candidate_id=publicizing.pk, starts_on=start, ends_on=date(2025, 10, 14), **DEMO_CHANNELS
    )
    assert longer.working_days == 7


@pytest.mark.django_db
def test_publicity_default_end_and_unknown_year(staff, publicizing):
    with pytest.raises(Conflict) as exc:  # P1 cannot be counted without 2099's calendar: a refusal, not bad input
        services.publicity_start(actor=staff, candidate_id=publicizing.pk, starts_on=date(2099, 3, 2), **DEMO_CHANNELS)
    assert exc.value.rule == "P1" and "2099" in exc.value.errors["starts_on"][0]
    assert not Publicity.objects.filter(candidate=publicizing).exists()
    p = services.publicity_start(actor=staff, candidate_id=publicizing.pk, starts_on=date(2025, 9, 29), **DEMO_CHANNELS)
    assert p.ends_on == date(2025, 10, 11)
    assert publicizing.record.filter(kind="fact", payload__fact="publicity").exists()


@pytest.mark.django_db
def test_p1_blocks_while_publicity_runs(staff, publicizing):
    assert "P1" in rule_ids(publicizing)  # none yet
    services.publicity_start(actor=staff, candidate_id=publicizing.pk, starts_on=date(2025, 9, 29), **DEMO_CHANNELS)
    finding = rules.publicity_period(publicizing, ctx(today=date(2025, 10, 11)))
    assert finding.problems == ["公示期至 2025-10-11，尚未期满"]
    assert not rules.publicity_period(publicizing, ctx(today=date(2025, 10, 12))).problems


@pytest.mark.django_db
def test_p1_blocks_short_period_written_directly(staff, publicizing):
    Publicity.objects.create(
        candidate=publicizing,
        starts_on=date(2025, 9, 29),
        ends_on=date(2025, 10, 9),
        working_days=3,
        notice_text="公示",
        published_at=timezone.now(),
        created_by=staff,
        **DEMO_CHANNELS,
    )
    finding = rules.publicity_period(publicizing, ctx())
    assert finding.problems == ["公示期只有 3 个工作日，少于 5 个工作日"]


@pytest.mark.django_db
def test_p1_p3_pass_after_demo_publicity(staff, publicizing):
    prepare(publicizing, staff, "appoint")
    assert not {"P1", "P2", "P3", "A1", "A2"} & rule_ids(publicizing)


# ---------------------------------------------------------------------------- P3


@pytest.mark.django_db
def test_p3_notice_content(staff, publicizing):
    p = services.publicity_start(actor=staff, candidate_id=publicizing.pk, starts_on=date(2025, 9, 29), **DEMO_CHANNELS)
    cadre = publicizing.cadre
    for part in (cadre.name, str(publicizing.position), "2025年9月29日至2025年10月11日", *DEMO_CHANNELS.values()):
        assert part in p.notice_text
    assert not rules.notice_complete(publicizing, ctx()).problems


@pytest.mark.django_db
def test_p3_blocks_missing_channel(staff, publicizing):
    assert rules.notice_complete(publicizing, ctx()).problems == ["尚未发布任前公示"]
    Publicity.objects.create(
        candidate=publicizing,
        starts_on=date(2025, 9, 29),
        ends_on=date(2025, 10, 11),
        working_days=5,
        notice_text="公示",
        published_at=timezone.now(),
        created_by=staff,
        phone="12380",
        letter="",
        online="",
    )
    assert rules.notice_complete(publicizing, ctx()).problems == ["公示未载明举报渠道：来信地址、网上举报地址"]


@pytest.mark.django_db
def test_publicity_requires_channels(staff, publicizing):
    with pytest.raises(InvalidInput) as exc:
        services.publicity_start(
            actor=staff, candidate_id=publicizing.pk, starts_on=date(2025, 9, 29), phone="", letter=" ", online="x"
        )
    assert set(exc.value.errors) == {"phone", "letter"}
    assert not Publicity.objects.exists()


# ---------------------------------------------------------------------------- P2 complaints


def file(staff, candidate, **kwargs):
    return services.complaint_file(
        actor=staff,
        candidate_id=candidate.pk,
        received_on=timezone.localdate(),
        channel=kwargs.pop("channel", "phone"),
        real_name=kwargs.pop("real_name", False),
        text=kwargs.pop("text", "反映其有违规问题"),
        **kwargs,
    )


@pytest.mark.django_db
def test_p2_open_complaint_blocks_and_is_important(staff, publicizing):
    assert not rules.complaints_cleared(publicizing, ctx()).problems
    complaint = file(staff, publicizing)
    assert publicizing.record.filter(kind="important", payload__category="complaint").exists()
    assert rules.complaints_cleared(publicizing, ctx()).problems
    services.complaint_investigate(actor=staff, complaint_id=complaint.pk)
    assert rules.complaints_cleared(publicizing, ctx()).problems
    services.complaint_conclude(actor=staff, complaint_id=complaint.pk, substantiated=False, conclusion="经核查不属实")
    assert not rules.complaints_cleared(publicizing, ctx()).problems


@pytest.mark.django_db
def test_p2_substantiated_complaint_blocks(staff, publicizing):
    complaint = file(staff, publicizing)
    services.complaint_conclude(actor=staff, complaint_id=complaint.pk, substantiated=True, conclusion="属实")
    problems = rules.complaints_cleared(publicizing, ctx()).problems
    assert len(problems) == 1 and "属实" in problems[0]


@pytest.mark.django_db
def test_complaint_suspends_and_conclusion_resumes(staff, publicizing):
    complaint = file(staff, publicizing, suspend=True, real_name=True)
    publicizing.refresh_from_db()
    assert publicizing.stage == Stage.SUSPENDED
    with pytest.raises(InvalidInput):
        services.complaint_conclude(
            actor=staff, complaint_id=complaint.pk, substantiated=True, conclusion="属实", resume=True
        )
    assert Complaint.objects.get().status == Complaint.Status.RECEIVED
    services.complaint_conclude(
        actor=staff, complaint_id=complaint.pk, substantiated=False, conclusion="不属实", resume=True
    )
    publicizing.refresh_from_db()
    assert publicizing.stage == Stage.PUBLICITY


@pytest.mark.django_db
def test_complaint_bad_input(staff, publicizing):
    with pytest.raises(InvalidInput) as exc:
        file(staff, publicizing, channel="fax", text="")
    assert set(exc.value.errors) == {"channel", "text"}
    assert not Complaint.objects.exists()


# ---------------------------------------------------------------------------- A1, A2


@pytest.mark.django_db
def test_a1_blocks_without_talk_and_passes_with_one(staff, published):
    publicizing = published
    assert rules.talk_done(publicizing, ctx()).problems
    services.talk_record(
        actor=staff, candidate_id=publicizing.pk, talked_on=timezone.localdate(), talked_by="部长", summary="要求"
    )
    assert not rules.talk_done(publicizing, ctx()).problems


@pytest.mark.django_db
def test_a2_document_number_and_probation(staff, published):
    publicizing = published
    assert rules.appointment_document(publicizing, ctx()).problems == ["尚未登记任职文号"]
    with pytest.raises(InvalidInput):
        services.appointment_record(
            actor=staff, candidate_id=publicizing.pk, document_number=" ", effective_on=date(2026, 1, 5)
        )
    a = services.appointment_record(
        actor=staff, candidate_id=publicizing.pk, document_number="县委干〔2026〕1号", effective_on=date(2026, 1, 5)
    )
    assert a.promotion  # the factory's cadre holds no post yet: newly promoted
    assert a.probation_ends_on == date(2026, 1, 5) + timedelta(days=365)
    assert not rules.appointment_document(publicizing, ctx()).problems


@pytest.mark.django_db
def test_appoint_walk_sets_post_a3(staff, publicizing):
    appointed = advance(publicizing, staff, "appoint")
    assert appointed.stage == Stage.APPOINTED
    appointed.cadre.refresh_from_db()
    assert appointed.cadre.position_id == appointed.position_id


@pytest.mark.django_db
def test_a3_is_recorded_on_the_cadres_other_open_candidacies(staff, publicizing):
    """The appointed cadre is also a candidate elsewhere: that candidate's record says the post changed."""
    elsewhere = PositionFactory()
    other_selection = cadre_services.selection_create(
        actor=staff, title="另一项选任", reason=MotionReason.VACANCY, positions=[elsewhere]
    )
    other = cadre_services.candidate_create(
        actor=staff, selection=other_selection, position=elsewhere, cadre=publicizing.cadre
    )
    appointed = advance(publicizing, staff, "appoint")
    entry = RecordEntry.objects.filter(candidate=other).order_by("-seq").first()
    assert entry.kind == RecordKind.CADRE_CHANGED and entry.actor == staff
    assert entry.payload["changes"]["position"] == [None, appointed.position_id]
    assert entry.payload["appointed_candidate"] == appointed.pk and "任职（A3）" in entry.payload["summary"]
    # the appointed candidate's own chain has the transition, not a cadre_changed entry
    assert not RecordEntry.objects.filter(candidate=appointed, kind=RecordKind.CADRE_CHANGED).exists()
    assert verify().ok


# ---------------------------------------------------------------------------- deadlines


@pytest.mark.django_db
def test_upcoming_deadlines(staff, other_staff, publicizing):
    start = date(2025, 9, 29)
    p = services.publicity_start(actor=staff, candidate_id=publicizing.pk, starts_on=start, **DEMO_CHANNELS)
    deadlines = upcoming_deadlines(user=staff, today=start)
    assert deadlines == [
        {
            "kind": "publicity_end",
            "label": deadlines[0]["label"],
            "date": p.ends_on,
            "candidate_id": publicizing.pk,
            "url": f"/supervision/candidates/{publicizing.pk}/publicity/",
        }
    ]
    assert upcoming_deadlines(user=other_staff, today=start) == []
    assert upcoming_deadlines(user=staff, today=p.ends_on + timedelta(days=1)) == []
    file(staff, publicizing, suspend=True, real_name=True)  # 暂缓: the period runs out for nobody
    assert upcoming_deadlines(user=staff, today=start) == []


@pytest.mark.django_db
def test_upcoming_probation_end(staff, other_staff, publicizing):
    appointed = advance(publicizing, staff, "appoint")
    ends = appointed.appointment.probation_ends_on
    deadlines = upcoming_deadlines(user=staff, today=ends - timedelta(days=5))
    assert [(d["kind"], d["date"], d["candidate_id"]) for d in deadlines] == [("probation_end", ends, appointed.pk)]
    assert upcoming_deadlines(user=staff, today=ends - timedelta(days=31)) == []
    assert upcoming_deadlines(user=other_staff, today=ends - timedelta(days=5)) == []


@pytest.mark.django_db
def test_publicity_cannot_start_before_the_decision(staff, publicizing):
    with pytest.raises(Conflict) as exc:  # a refusal by the procedure (409 P1), the date itself is well-formed
        services.publicity_start(actor=staff, candidate_id=publicizing.pk, starts_on=date(2025, 8, 29), **DEMO_CHANNELS)
    assert exc.value.rule == "P1" and "2025-09-01" in exc.value.errors["starts_on"][0]
    assert not Publicity.objects.filter(candidate=publicizing).exists()


@pytest.mark.django_db
def test_demo_calendar_enters_nothing_and_stops_on_an_unknown_year():
    from supervision.demo import ensure_calendar
    from supervision.workdays import year_known

    assert year_known(2025)
    assert not year_known(2099)
    ensure_calendar(date(2025, 3, 1))
    with pytest.raises(InvalidInput) as exc:
        ensure_calendar(date(2099, 3, 1))
    assert "2099 年" in exc.value.errors["calendar"][0]
    assert not year_known(2099)
    assert not CalendarDay.objects.exists()
