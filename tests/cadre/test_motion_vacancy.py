"""M3 at motion time (#11): a motion only for posts with a vacancy, the vacancy shown on the form."""

import pytest
from django.urls import reverse

from cadre import services
from cadre.errors import Conflict
from cadre.models import MotionReason, Selection

from ..factories import CadreFactory, PositionFactory

pytestmark = pytest.mark.django_db


def motion(staff, *positions):
    return services.selection_create(
        actor=staff, title="选任", reason=MotionReason.VACANCY, positions=list(positions), competitive=True
    )


def test_a_full_post_takes_no_motion_and_a_post_with_a_place_does(staff):
    full = PositionFactory(quota=1)
    CadreFactory(position=full)
    with pytest.raises(Conflict) as refused:
        motion(staff, full)
    assert refused.value.rule == "M3" and "职数 1 名，在任 1 名，待任 0 名" in refused.value.message
    assert not Selection.objects.exists()
    two = PositionFactory(quota=2)
    CadreFactory(position=two)  # one of two places taken: exactly one vacant
    assert motion(staff, two).positions.get() == two


def test_the_form_shows_each_posts_vacancy_and_refuses_a_full_one(client, staff):
    full = PositionFactory(quota=1, title="局长")
    CadreFactory(position=full)
    open_post = PositionFactory(quota=1, title="副局长")
    client.force_login(staff)
    page = client.get(reverse("cadre:selection_create")).content.decode()
    assert "局长（副科，职数 1，空缺 0）" in page and "副局长（副科，职数 1，空缺 1）" in page
    response = client.post(
        reverse("cadre:selection_create"),
        {"title": "选任", "reason": MotionReason.VACANCY, "competitive": "on", "positions": [full.pk]},
    )
    assert response.status_code == 400 and "M3" in response.content.decode() and "没有空缺" in response.content.decode()
    assert not Selection.objects.exists()
    assert open_post.pk
