"""Public complaints (S3, P2): filed online by anyone, looked up by reference, limited per address,
worked through received → assigned → investigating → concluded; the S3 statistics."""

import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cadre import roles
from cadre.errors import Conflict, InvalidInput
from cadre.services import candidate_check
from supervision import services
from supervision.demo import DEMO_CHANNELS
from supervision.forms import new_challenge
from supervision.models import Complaint, default_issuer
from supervision.services import PUBLIC_TEXT_MAX

from ..factories import UserFactory

API = "/api/v1/"
NOT_COMPLAINABLE = "人选不存在或不在考察、公示期间"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # the per-address counters live in the cache (Redis when REDIS_URL is set)
    yield
    cache.clear()


@pytest.fixture
def notice(staff, publicizing):
    return services.publicity_start(
        actor=staff, candidate_id=publicizing.pk, starts_on=date(2025, 9, 29), **DEMO_CHANNELS
    )


def challenge():
    question, token = new_challenge()
    a, b = map(int, re.findall(r"\d+", question))
    return {"token": token, "answer": str(a + b)}


def page_body(**extra):
    return {"category": "canvassing_bribery", "text": "某月某日在某地请客拉票", **challenge(), **extra}


def api_post(body, address="10.0.0.1"):
    return APIClient(REMOTE_ADDR=address).post(API + "public/complaints/", body, format="json")


def rule_ids(candidate, transition="appoint"):
    return {v.rule for v in candidate_check(candidate=candidate, transition=transition).violations}


# ---------------------------------------------------------------------------- filing


@pytest.mark.django_db
def test_notice_page_has_issuer_and_form(client, notice, settings):
    page = client.get(reverse("supervision:notice", args=[notice.pk])).content.decode()
    assert notice.issuer == "中共××县委组织部"  # the neutral default; counties set PUBLICITY_ISSUER
    assert 'id="notice-sign"' in page and notice.issuer in page
    assert 'name="token"' in page and re.search(r"验证题：\d \+ \d = \?", page)
    assert notice.issuer in notice.notice_text  # 向…反映: no county name written into the code
    settings.PUBLICITY_ISSUER = "中共某某县委组织部"
    assert default_issuer() == "中共某某县委组织部"


@pytest.mark.django_db
def test_file_anonymously_on_the_page(client, notice, publicizing):
    url = reverse("supervision:notice", args=[notice.pk])
    response = client.post(url, page_body(), REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 200, response.content.decode()[:2000]
    complaint = Complaint.objects.get()
    assert complaint.reference in response.content.decode()
    assert len(complaint.reference) == 12 and not complaint.real_name and complaint.created_by is None
    assert complaint.channel == "online" and complaint.category == "canvassing_bribery"
    entry = publicizing.record.filter(payload__fact="complaint_received").get()
    assert entry.actor is None and entry.payload["public"] is True and entry.payload["real_name"] is False


@pytest.mark.django_db
def test_file_real_name_on_the_page_keeps_the_name_out_of_the_record(client, notice, publicizing):
    url = reverse("supervision:notice", args=[notice.pk])
    body = page_body(name="王某某", phone="13800000000", clear_lead="on")
    assert client.post(url, body).status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.real_name and complaint.clear_lead and complaint.complainant_name == "王某某"
    for entry in publicizing.record.all():
        text = str(entry.payload)
        assert "王某某" not in text and "13800000000" not in text
    # name without phone: refused, nothing written
    assert client.post(url, page_body(name="王某某")).status_code == 400
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_wrong_challenge_answer_and_honeypot_are_refused(client, notice):
    url = reverse("supervision:notice", args=[notice.pk])
    body = page_body()
    wrong = client.post(url, {**body, "answer": str(int(body["answer"]) + 1)})
    assert wrong.status_code == 400 and "验证题答案不正确" in wrong.content.decode()
    assert client.post(url, {**body, "token": "forged"}).status_code == 400
    assert client.post(url, {**page_body(), "website": "http://spam"}).status_code == 400
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_file_through_the_api_and_look_up_the_status(notice, publicizing):
    response = api_post({"candidate": publicizing.pk, "category": "buying_posts", "text": "反映买官问题"})
    assert response.status_code == 201, response.content
    assert set(response.json()) == {"reference"}
    reference = response.json()["reference"]
    real = api_post(
        {
            "candidate": publicizing.pk,
            "category": "other",
            "text": "x",
            "name": "李某",
            "phone": "139",
            "clear_lead": True,
        }
    )
    assert real.status_code == 201
    assert Complaint.objects.get(reference=real.json()["reference"]).real_name

    looked_up = APIClient().get(API + f"public/complaints/{reference}/")
    assert looked_up.status_code == 200
    assert looked_up.json() == {"reference": reference, "status": "received", "status_label": "已登记"}
    assert APIClient().get(API + "public/complaints/NOSUCHREF234/").status_code == 404

    page = status_page(reference)
    assert "已登记" in page and "反映买官问题" not in page


def status_page(reference):
    response = Client().get(reverse("supervision:complaint_status"), {"reference": reference.lower()})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_candidate_not_in_inspection_or_publicity_is_refused_alike(deliberating, rival):
    # rival is in inspection (accepted, though on no notice page); deliberating is not; 999999 does not exist
    assert api_post({"candidate": rival.pk, "category": "other", "text": "反映问题"}).status_code == 201
    for pk in (deliberating.pk, 999999):
        response = api_post({"candidate": pk, "category": "other", "text": "反映问题"})
        assert response.status_code == 400
        assert response.json() == {"errors": {"candidate": [NOT_COMPLAINABLE]}}
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_text_over_the_limit_is_refused_and_nothing_written(client, notice, publicizing):
    too_long = "举" * (PUBLIC_TEXT_MAX + 1)
    response = api_post({"candidate": publicizing.pk, "category": "other", "text": too_long})
    assert response.status_code == 400 and f"{PUBLIC_TEXT_MAX}" in str(response.json()["errors"]["text"])
    page = client.post(reverse("supervision:notice", args=[notice.pk]), page_body(text=too_long))
    assert page.status_code == 400 and f"不能超过 {PUBLIC_TEXT_MAX}" in page.content.decode()
    with pytest.raises(InvalidInput):
        services.complaint_submit(candidate_id=publicizing.pk, category="other", text=too_long)
    assert not Complaint.objects.exists()
    assert not publicizing.record.filter(payload__fact="complaint_received").exists()
    assert (
        api_post({"candidate": publicizing.pk, "category": "other", "text": "举" * PUBLIC_TEXT_MAX}).status_code == 201
    )


@pytest.mark.django_db
def test_the_51st_complaint_from_one_address_within_the_hour_is_429(client, notice, publicizing):
    body = {"candidate": publicizing.pk, "category": "other", "text": "反映问题"}
    for _ in range(49):
        assert api_post(body, "10.9.9.9").status_code == 201
    url = reverse("supervision:notice", args=[notice.pk])
    assert client.post(url, page_body(), REMOTE_ADDR="10.9.9.9").status_code == 200  # the 50th, on the page
    refused = api_post(body, "10.9.9.9")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600 and "过多" in refused.json()["detail"]
    page = client.post(url, page_body(), REMOTE_ADDR="10.9.9.9")
    assert page.status_code == 429 and page["Retry-After"] and "过多" in page.content.decode()
    assert Complaint.objects.count() == 50
    assert api_post(body, "10.9.9.10").status_code == 201  # another address


@pytest.mark.django_db
def test_stored_text_is_escaped_on_the_staff_page(client, staff, notice, publicizing):
    api_post({"candidate": publicizing.pk, "category": "other", "text": "<script>alert(1)</script>"})
    client.force_login(staff)
    page = client.get(reverse("supervision:publicity", args=[publicizing.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)</script>" not in page


# ---------------------------------------------------------------------------- workflow and P2


@pytest.mark.django_db
def test_workflow_records_who_and_when_and_p2(staff, notice, publicizing):
    reference = api_post(
        {"candidate": publicizing.pk, "category": "seeking_posts", "text": "反映问题", "name": "赵某", "phone": "137"}
    ).json()["reference"]
    complaint = Complaint.objects.get(reference=reference)
    investigator = UserFactory(roles=[roles.SUPERVISOR], first_name="纪检", last_name="")
    assert "P2" in rule_ids(publicizing)

    with pytest.raises(InvalidInput):
        services.complaint_assign(actor=staff, complaint_id=complaint.pk, investigator_id=UserFactory().pk)
    services.complaint_assign(actor=staff, complaint_id=complaint.pk, investigator_id=investigator.pk)
    services.complaint_investigate(actor=investigator, complaint_id=complaint.pk)  # the investigator may
    assert "P2" in rule_ids(publicizing)
    services.complaint_conclude(
        actor=investigator, complaint_id=complaint.pk, outcome="unsubstantiated", conclusion="经核查不属实"
    )
    assert "P2" not in rule_ids(publicizing)

    facts = {
        e.payload["fact"]: e for e in publicizing.record.filter(kind="fact", payload__fact__startswith="complaint")
    }
    assert set(facts) == {"complaint_received", "complaint_assigned", "complaint_investigating", "complaint_concluded"}
    assert (
        facts["complaint_assigned"].actor == staff
        and facts["complaint_assigned"].payload["investigator"] == investigator.pk
    )
    assert facts["complaint_investigating"].actor == investigator
    assert facts["complaint_concluded"].payload["outcome"] == "unsubstantiated"
    assert all(e.at <= timezone.now() for e in facts.values())
    assert not any("赵某" in str(e.payload) or "137" == e.payload.get("phone") for e in publicizing.record.all())
    assert APIClient().get(API + f"public/complaints/{reference}/").json()["status"] == "concluded"


@pytest.mark.django_db
def test_partly_substantiated_stops_the_appointment(staff, publicizing):
    complaint = services.complaint_submit(candidate_id=publicizing.pk, category="other", text="反映问题")
    services.complaint_conclude(actor=staff, complaint_id=complaint.pk, outcome="partly", conclusion="部分属实")
    complaint.refresh_from_db()
    assert complaint.substantiated and complaint.get_outcome_display() == "部分属实"
    assert "P2" in rule_ids(publicizing)
    with pytest.raises(Conflict):  # a conclusion is recorded once (S1)
        services.complaint_conclude(actor=staff, complaint_id=complaint.pk, outcome="unsubstantiated", conclusion="x")
    other = services.complaint_submit(candidate_id=publicizing.pk, category="other", text="反映问题")
    with pytest.raises(InvalidInput):
        services.complaint_conclude(actor=staff, complaint_id=other.pk, outcome="nonsense", conclusion="x")


# ---------------------------------------------------------------------------- S3 statistics


def _complaint(candidate, staff, *, received_on, concluded=False, real_name=False, clear_lead=False):
    complaint = services.complaint_file(
        actor=staff,
        candidate_id=candidate.pk,
        received_on=received_on,
        channel="letter",
        real_name=real_name,
        clear_lead=clear_lead,
        text="反映问题",
    )
    if concluded:
        services.complaint_conclude(actor=staff, complaint_id=complaint.pk, substantiated=False, conclusion="不属实")
    return complaint


@pytest.mark.django_db
def test_stats_boundaries(staff, supervisor, publicizing):
    day = date(2025, 10, 1)
    for i in range(20):
        _complaint(publicizing, staff, received_on=day, concluded=i < 19)  # 19 of 20 = exactly 95%
    _complaint(publicizing, staff, received_on=day + timedelta(days=1), real_name=True)  # on `to`: counted
    _complaint(publicizing, staff, received_on=day + timedelta(days=2), clear_lead=True)  # after `to`
    client = APIClient()
    client.force_authenticate(supervisor)
    url = API + "complaints/stats/"
    exact = client.get(url, {"from": "2025-10-01", "to": "2025-10-01"}).json()
    assert exact["overall"] == {"total": 20, "verified": 19, "rate": 0.95, "target": 0.95, "met": True}
    assert exact["real_name"] == {"total": 0, "verified": 0, "rate": None, "target": 1.0, "met": True}
    inclusive = client.get(url, {"from": "2025-10-01", "to": "2025-10-02"}).json()
    assert inclusive["overall"]["total"] == 21 and inclusive["overall"]["met"] is False
    assert inclusive["real_name"] == {"total": 1, "verified": 0, "rate": 0.0, "target": 1.0, "met": False}
    assert inclusive["clear_lead"]["total"] == 0
    for bad in (
        {"from": "2025-13-01", "to": "2025-10-01"},
        {"from": "2025-10-01"},
        {"from": "2025-10-02", "to": "2025-10-01"},
    ):
        assert client.get(url, bad).status_code == 400
    staff_client = APIClient()
    staff_client.force_authenticate(staff)
    assert staff_client.get(url, {"from": "2025-10-01", "to": "2025-10-02"}).status_code == 403


@pytest.mark.django_db
def test_stats_page_flags_below_target_in_red(client, staff, supervisor, publicizing):
    _complaint(publicizing, staff, received_on=date(2025, 10, 1), real_name=True)
    client.force_login(supervisor)
    url = reverse("supervision:complaint_stats")
    page = client.get(url, {"from": "2025-10-01", "to": "2025-10-01"}).content.decode()
    assert 'id="stats-real_name" class="bad"' in page and "未达标" in page
    assert client.get(url, {"from": "x"}).status_code == 400
    client.force_login(staff)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_public_notices_list_is_one_query_per_page(notice, publicizing, rival, django_assert_num_queries):
    client = APIClient()
    with django_assert_num_queries(3):  # count, the page's ids, its rows (cadre.pagination.IdFirstPagination)
        response = client.get(API + "public/notices/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["candidate"] == publicizing.pk and row["name"] == publicizing.cadre.name
    assert {"starts_on", "ends_on", "phone", "letter", "online"} <= set(row)


@pytest.mark.django_db
def test_issuer_given_on_the_publish_form(client, staff, publicizing):
    client.force_login(staff)
    url = reverse("supervision:publicity", args=[publicizing.pk])
    assert "中共××县委组织部" in client.get(url).content.decode()  # the configured default, editable
    body = {
        "action": "publish",
        "starts_on": "2025-09-29",
        "ends_on": "",
        **DEMO_CHANNELS,
        "issuer": "中共某县委组织部",
    }
    assert client.post(url, body).status_code == 302
    publicity = publicizing.publicities.get()
    assert publicity.issuer == "中共某县委组织部" and "向中共某县委组织部反映" in publicity.notice_text


@pytest.mark.django_db
def test_a_supervisor_named_investigator_acts_on_the_page(client, staff, publicizing):
    """The investigator (a supervisor, not working on the selection) sees and uses the complaint's forms;
    a supervisor not named sees none."""
    complaint = services.complaint_submit(candidate_id=publicizing.pk, category="other", text="反映问题")
    investigator = UserFactory(roles=[roles.SUPERVISOR])
    services.complaint_assign(actor=staff, complaint_id=complaint.pk, investigator_id=investigator.pk)
    page = reverse("supervision:publicity", args=[publicizing.pk])
    client.force_login(UserFactory(roles=[roles.SUPERVISOR]))
    assert 'value="conclude"' not in client.get(page).content.decode()
    client.force_login(investigator)
    assert 'value="conclude"' in client.get(page).content.decode()
    assert 'value="assign"' not in client.get(page).content.decode()  # 交办 stays with the staff
    done = client.post(page, {"action": "investigate", "complaint": complaint.pk})
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "investigating"
