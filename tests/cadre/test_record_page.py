"""The record-integrity page: supervisors see the latest verification and download checkpoints."""

import pytest
from django.test import Client

from cadre import checkpoint as checkpoints
from cadre.models import RecordCheckpoint, RecordVerification

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_supervisor_sees_verification_and_checkpoints(supervisor, candidate):
    signed = checkpoints.checkpoint_sign()
    client = client_for(supervisor)
    page = client.get("/record/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "签名检查点" in html and f"/api/v1/record/checkpoints/{signed.pk}/?download=1" in html
    assert checkpoints.fingerprint(signed.public_key)[:14] in html
    assert "立即签署检查点" not in html  # only admins sign on demand
    assert 'href="/record/"' in html  # in the navigation
    response = client.post("/record/verify/", follow=True)
    assert response.status_code == 200 and "纪实记录完整" in response.content.decode()
    assert RecordVerification.objects.get().ok is True
    assert client.post("/record/checkpoint/").status_code == 403
    download = client.get(f"/api/v1/record/checkpoints/{signed.pk}/?download=1")
    assert download.status_code == 200 and download.json()["fingerprint"] == checkpoints.fingerprint(signed.public_key)


def test_admin_signs_a_checkpoint_in_the_browser(admin_user, candidate):
    client = client_for(admin_user)
    assert "立即签署检查点" in client.get("/record/").content.decode()
    response = client.post("/record/checkpoint/", follow=True)
    assert response.status_code == 200 and RecordCheckpoint.objects.count() == 1
    assert "已签署检查点" in response.content.decode()


@pytest.mark.parametrize("role", ["org_staff", "inspector", "committee_member"])
def test_others_do_not_see_the_page(role, candidate):
    client = client_for(UserFactory(roles=[role]))
    assert client.get("/record/").status_code == 404
    assert client.post("/record/verify/").status_code == 404
    assert client.post("/record/checkpoint/").status_code == 404
    assert 'href="/record/"' not in client.get("/help/").content.decode()
    assert RecordVerification.objects.count() == 0 and RecordCheckpoint.objects.count() == 0
