"""Assigning a colleague to a selection from the selection page (e.g. for the second entry of R1)."""

import pytest
from django.urls import reverse

from cadre import roles
from cadre.selectors import can_work_on

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def _assign(client, selection, user_pk):
    return client.post(reverse("cadre:selection_assign", args=[selection.pk]), {"user": user_pk})


def test_assigned_staff_adds_a_colleague(client, staff, other_staff, selection):
    client.force_login(staff)
    page = client.get(reverse("cadre:selection", args=[selection.pk])).content.decode()
    assert 'id="assign"' in page and f'value="{other_staff.pk}"' in page

    response = _assign(client, selection, other_staff.pk)

    assert response.status_code == 302
    assert can_work_on(user=other_staff, selection=selection)
    page = client.get(response.url).content.decode()
    assert other_staff.username in page.split('id="assignees"')[1].split("</dd>")[0]


def test_only_org_staff_can_be_assigned_with_a_chinese_error(client, staff, supervisor, selection):
    client.force_login(staff)

    response = _assign(client, selection, supervisor.pk)

    assert response.status_code == 400
    assert "请从列表中选择组工干部" in response.content.decode()
    assert not supervisor.has_perm(roles.WORK_ON_SELECTION, selection)


def test_staff_not_assigned_cannot_assign(client, other_staff, selection):
    intruder = UserFactory(roles=[roles.ORG_STAFF])
    client.force_login(other_staff)

    response = _assign(client, selection, intruder.pk)

    assert response.status_code == 404  # the selection is not even visible to them
    assert not can_work_on(user=intruder, selection=selection)
