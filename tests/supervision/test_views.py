from datetime import date

import pytest
from django.urls import reverse

from cadre.models import Stage
from supervision import services
from supervision.demo import DEMO_CHANNELS
from supervision.models import Appointment, Complaint, PreAppointmentTalk, Publicity

from ..conftest import advance

CHANNELS = {"phone": "0000-12380", "letter": "县委组织部", "online": "12380.example"}


@pytest.mark.django_db
def test_publicity_page_publish(client, staff, publicizing):
    client.force_login(staff)
    url = reverse("supervision:publicity", args=[publicizing.pk])
    assert url == f"/supervision/candidates/{publicizing.pk}/publicity/"
    assert client.get(url).status_code == 200
    short = {"action": "publish", "starts_on": "2025-09-29", "ends_on": "2025-10-10", **CHANNELS}
    response = client.post(url, short)
    assert response.status_code == 409 and "公示期不少于 5 个工作日" in response.content.decode()  # refused by P1
    assert client.post(url, {**short, "phone": ""}).status_code == 400
    assert not Publicity.objects.exists()
    assert client.post(url, {**short, "ends_on": ""}).status_code == 302
    assert Publicity.objects.get().ends_on == date(2025, 10, 11)
    assert client.post(url, {**short, "ends_on": ""}).status_code == 409  # once only


@pytest.mark.django_db
def test_publicity_page_complaints(client, staff, publicizing):
    client.force_login(staff)
    url = reverse("supervision:publicity", args=[publicizing.pk])
    filed = {
        "action": "complaint",
        "received_on": "2025-10-01",
        "channel": "letter",
        "text": "反映问题",
        "suspend": "on",
    }
    assert client.post(url, {**filed, "channel": "fax"}).status_code == 400
    assert client.post(url, filed).status_code == 302
    complaint = Complaint.objects.get()
    publicizing.refresh_from_db()
    assert publicizing.stage == Stage.SUSPENDED
    assert client.post(url, {"action": "investigate", "complaint": complaint.pk}).status_code == 302
    conclude = {
        "action": "conclude",
        "complaint": complaint.pk,
        "outcome": "unsubstantiated",
        "conclusion": "",
        "resume": "on",
    }
    assert client.post(url, conclude).status_code == 400
    assert client.post(url, {**conclude, "conclusion": "不属实"}).status_code == 302
    publicizing.refresh_from_db()
    assert publicizing.stage == Stage.PUBLICITY
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "nonsense"}).status_code == 400


@pytest.mark.django_db
def test_appointment_page(client, staff, published):
    publicizing = published  # the talk and the appointment follow the publicity's end (#11)
    client.force_login(staff)
    url = reverse("supervision:appointment", args=[publicizing.pk])
    assert url == f"/supervision/candidates/{publicizing.pk}/appointment/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "talk", "talked_on": "", "talked_by": "部长", "summary": "x"}).status_code == 400
    talk = {"action": "talk", "talked_on": "2026-01-05", "talked_by": "部长", "summary": "提出要求"}
    assert client.post(url, talk).status_code == 302
    assert PreAppointmentTalk.objects.count() == 1
    doc = {"action": "document", "document_number": "", "effective_on": "2026-01-06"}
    assert client.post(url, doc).status_code == 400
    assert client.post(url, {**doc, "document_number": "县委干〔2026〕3号"}).status_code == 302
    assert Appointment.objects.get().document_number == "县委干〔2026〕3号"
    assert "试用期满" in client.get(url).content.decode()


@pytest.mark.django_db
def test_pages_404_for_other_staff(client, other_staff, publicizing):
    client.force_login(other_staff)
    for name in ("supervision:publicity", "supervision:appointment"):
        url = reverse(name, args=[publicizing.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "talk"}).status_code == 404


@pytest.mark.django_db
def test_supervisor_reads_but_cannot_write(client, supervisor, publicizing):
    client.force_login(supervisor)
    url = reverse("supervision:appointment", args=[publicizing.pk])
    assert client.get(url).status_code == 200
    talk = {"action": "talk", "talked_on": "2026-01-05", "talked_by": "部长", "summary": "提出要求"}
    assert client.post(url, talk).status_code == 403
    assert not PreAppointmentTalk.objects.exists()


@pytest.mark.django_db
def test_public_notice_anonymous(client, staff, publicizing):
    p = services.publicity_start(actor=staff, candidate_id=publicizing.pk, starts_on=date(2025, 9, 29), **DEMO_CHANNELS)
    url = reverse("supervision:notice", args=[p.pk])
    assert url == f"/supervision/notices/{p.pk}/"
    response = client.get(url)  # no login
    assert response.status_code == 200
    body = response.content.decode()
    assert publicizing.cadre.name in body and DEMO_CHANNELS["phone"] in body and "2025年10月11日" in body
    listing = client.get(reverse("supervision:notices"))
    assert listing.status_code == 200 and url in listing.content.decode()


@pytest.mark.django_db
def test_public_notice_gone_after_withdrawal(client, staff, publicizing):
    p = services.publicity_start(actor=staff, candidate_id=publicizing.pk, starts_on=date(2025, 9, 29), **DEMO_CHANNELS)
    advance(publicizing, staff, "withdraw", prepared=False, reason="本人申请")
    assert client.get(reverse("supervision:notice", args=[p.pk])).status_code == 404
    assert client.get(reverse("supervision:notice", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_public_notice_list_queries(client, staff, publicizing, django_assert_max_num_queries):
    services.publicity_start(actor=staff, candidate_id=publicizing.pk, starts_on=date(2025, 9, 29), **DEMO_CHANNELS)
    with django_assert_max_num_queries(3):
        assert client.get(reverse("supervision:notices")).status_code == 200
