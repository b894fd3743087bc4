"""#11: publicity, pre-appointment talk and appointment dates follow the ones before them, and a
mistyped appointment date is corrected only through a recorded correction.

The fixtures' committee decided on 2025-09-01; `published`'s notice runs 2025-09-29 to 2025-10-11
(five working days over the National Day holiday).
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cadre.access import NotAssigned
from cadre.errors import Conflict, InvalidInput
from cadre.models import RecordEntry
from cadre.record import verify
from supervision import services
from supervision.demo import DEMO_CHANNELS
from supervision.models import Appointment, PreAppointmentTalk, Publicity

from ..conftest import advance

pytestmark = pytest.mark.django_db
ENDS = date(2025, 10, 11)


def entries(candidate) -> int:
    return RecordEntry.objects.filter(candidate=candidate).count()


def errors(exc) -> dict:
    return exc.value.errors


# ---------------------------------------------------------------------------- publicity


def test_publicity_may_start_on_the_decision_day_not_the_day_before(staff, publicizing):
    before = entries(publicizing)
    with pytest.raises(Conflict) as exc:  # a well-formed date the procedure refuses: 409 P1
        services.publicity_start(actor=staff, candidate_id=publicizing.pk, starts_on=date(2025, 8, 31), **DEMO_CHANNELS)
    assert exc.value.rule == "P1"
    assert exc.value.errors == {
        "starts_on": ["公示须在讨论决定之后：开始日期不能早于 2025-09-01（常委会讨论决定日期）"]
    }
    assert not Publicity.objects.exists() and entries(publicizing) == before
    publicity = services.publicity_start(
        actor=staff, candidate_id=publicizing.pk, starts_on=date(2025, 9, 1), **DEMO_CHANNELS
    )
    assert publicity.starts_on == date(2025, 9, 1) and publicity.working_days == 5


def test_publicity_end_before_its_start_names_both_dates(staff, publicizing):
    with pytest.raises(InvalidInput) as exc:
        services.publicity_start(
            actor=staff,
            candidate_id=publicizing.pk,
            starts_on=date(2025, 9, 29),
            ends_on=date(2025, 9, 28),
            **DEMO_CHANNELS,
        )
    assert errors(exc) == {"ends_on": ["公示结束日期 2025-09-28 早于开始日期 2025-09-29"]}
    assert not Publicity.objects.exists()


# ---------------------------------------------------------------------------- talk (A1)


def talk(staff, candidate, day):
    return services.talk_record(
        actor=staff, candidate_id=candidate.pk, talked_on=day, talked_by="县委组织部部长", summary="提出要求"
    )


def test_talk_not_before_the_publicity_end(staff, published):
    before = entries(published)
    with pytest.raises(InvalidInput) as exc:
        talk(staff, published, ENDS - timedelta(days=1))
    assert errors(exc) == {
        "talked_on": ["谈话日期 2025-10-10 早于任前公示结束日期 2025-10-11（公示期 2025-09-29 至 2025-10-11）"]
    }
    assert not PreAppointmentTalk.objects.exists() and entries(published) == before
    assert talk(staff, published, ENDS).talked_on == ENDS  # its last day: not before the end


def test_talk_without_a_publicity_is_refused(staff, publicizing):
    with pytest.raises(InvalidInput) as exc:
        talk(staff, publicizing, date(2025, 10, 20))
    assert errors(exc) == {"talked_on": ["尚未发布任前公示：谈话日期须在任前公示结束之后"]}
    assert not PreAppointmentTalk.objects.exists()


# ---------------------------------------------------------------------------- appointment (P1, A2)


def register(staff, candidate, day):
    return services.appointment_record(
        actor=staff, candidate_id=candidate.pk, document_number="县委干〔2025〕7号", effective_on=day
    )


def test_appointment_on_a_day_after_the_publicity_ends(staff, published):
    before = entries(published)
    with pytest.raises(InvalidInput) as exc:
        register(staff, published, ENDS - timedelta(days=1))
    assert errors(exc) == {
        "effective_on": [
            "任职日期 2025-10-10 早于任前公示结束日期 2025-10-11（公示期 2025-09-29 至 2025-10-11），最早为 2025-10-12"
        ]
    }
    with pytest.raises(InvalidInput) as exc:
        register(staff, published, ENDS)
    assert errors(exc) == {
        "effective_on": [
            "任职日期 2025-10-11 是任前公示的最后一天（公示期 2025-09-29 至 2025-10-11），"
            "须在公示期满之后，最早为 2025-10-12"
        ]
    }
    assert not Appointment.objects.exists() and entries(published) == before
    assert register(staff, published, ENDS + timedelta(days=1)).effective_on == date(2025, 10, 12)


def test_appointment_without_a_publicity_is_refused(staff, publicizing):
    with pytest.raises(InvalidInput) as exc:
        register(staff, publicizing, date(2025, 12, 1))
    assert list(errors(exc)) == ["effective_on"]
    assert not Appointment.objects.exists()


def test_the_form_offers_the_first_allowed_day(client, staff, published):
    client.force_login(staff)
    page = client.get(reverse("supervision:appointment", args=[published.pk])).content.decode()
    assert 'name="effective_on" value="2025-10-12"' in page


def test_the_form_offers_no_date_before_a_publicity(client, staff, publicizing):
    client.force_login(staff)
    page = client.get(reverse("supervision:appointment", args=[publicizing.pk])).content.decode()
    assert 'name="effective_on"' in page and 'name="effective_on" value=' not in page
    assert 'name="talked_on" value=' not in page


# ---------------------------------------------------------------------------- the recorded correction


@pytest.fixture
def registered(staff, published):
    register(staff, published, date(2025, 12, 1))  # mistyped: the document says 2025-10-20
    return published


def correct(staff, candidate, new_date=date(2025, 10, 20), reason="录入时误将日期填错，以任职文件为准"):
    return services.appointment_correct(actor=staff, candidate_id=candidate.pk, new_date=new_date, reason=reason)


def test_correction_is_recorded_with_old_new_and_reason(staff, registered):
    appointment = correct(staff, registered)
    appointment.refresh_from_db()
    assert appointment.effective_on == date(2025, 10, 20)
    assert appointment.promotion and appointment.probation_ends_on == date(2025, 10, 20) + timedelta(days=365)
    entry = RecordEntry.objects.filter(candidate=registered).latest("seq")
    assert entry.kind == "fact" and entry.actor_id == staff.pk
    assert entry.payload == {
        "fact": "appointment_date_corrected",
        "label": "更正任职日期",
        "document_number": "县委干〔2025〕7号",
        "old_effective_on": "2025-12-01",
        "effective_on": "2025-10-20",
        "old_probation_ends_on": "2026-12-01",
        "probation_ends_on": "2026-10-20",
        "reason": "录入时误将日期填错，以任职文件为准",
    }
    assert verify().ok


@pytest.mark.parametrize(
    ("new_date", "reason", "field"),
    [
        (date(2025, 10, 20), "  ", "reason"),  # no reason
        (ENDS, "以任职文件为准", "new_date"),  # the publicity's last day: not after it ends
        (date(2025, 12, 1), "以任职文件为准", "new_date"),  # the same date: nothing to correct
        ("2025-13-01", "以任职文件为准", "new_date"),
    ],
)
def test_refused_corrections_write_nothing(staff, registered, new_date, reason, field):
    before = entries(registered)
    with pytest.raises(InvalidInput) as exc:
        correct(staff, registered, new_date=new_date, reason=reason)
    assert list(errors(exc)) == [field]
    appointment = Appointment.objects.get()
    assert appointment.effective_on == date(2025, 12, 1) and appointment.probation_ends_on == date(2026, 12, 1)
    assert entries(registered) == before


def test_correction_messages(staff, registered):
    with pytest.raises(InvalidInput) as exc:
        correct(staff, registered, reason="")
    assert errors(exc) == {"reason": ["请填写更正理由"]}
    with pytest.raises(InvalidInput) as exc:
        correct(staff, registered, new_date=date(2025, 12, 1))
    assert errors(exc) == {"new_date": ["更正后的任职日期与原任职日期 2025-12-01 相同"]}


def test_only_assigned_staff_correct(other_staff, registered):
    before = entries(registered)
    with pytest.raises(NotAssigned):
        correct(other_staff, registered)
    assert Appointment.objects.get().effective_on == date(2025, 12, 1) and entries(registered) == before


def test_nothing_to_correct_without_a_document(staff, published):
    with pytest.raises(Conflict):
        correct(staff, published)


def test_correction_after_the_appointment(staff, registered):
    appointed = advance(registered, staff, "appoint")
    assert correct(staff, appointed).effective_on == date(2025, 10, 20)


def test_correction_on_the_page(client, staff, registered):
    client.force_login(staff)
    url = reverse("supervision:appointment", args=[registered.pk])
    assert "更正任职日期" in client.get(url).content.decode()
    response = client.post(url, {"action": "correct", "new_date": "2025-10-20", "reason": ""})
    assert response.status_code == 400 and "请填写更正理由" in response.content.decode()
    assert Appointment.objects.get().effective_on == date(2025, 12, 1)
    response = client.post(url, {"action": "correct", "new_date": "2025-10-20", "reason": "以任职文件为准"})
    assert response.status_code == 302
    assert Appointment.objects.get().effective_on == date(2025, 10, 20)
    page = client.get(url).content.decode()
    assert "2025-12-01 → 2025-10-20" in page and "以任职文件为准" in page


def test_correction_through_the_api(staff, other_staff, registered):
    url = f"/api/v1/candidates/{registered.pk}/appointment/correction/"
    api = APIClient()
    api.force_authenticate(other_staff)
    assert api.post(url, {"new_date": "2025-10-20", "reason": "x"}, format="json").status_code == 404
    api.force_authenticate(staff)
    response = api.post(url, {"new_date": "2025-10-20"}, format="json")
    assert response.status_code == 400 and response.json()["errors"] == {"reason": ["请填写更正理由"]}
    assert Appointment.objects.get().effective_on == date(2025, 12, 1)
    response = api.post(url, {"new_date": "2025-10-20", "reason": "以任职文件为准"}, format="json")
    assert response.status_code == 200 and response.json()["effective_on"] == "2025-10-20"
