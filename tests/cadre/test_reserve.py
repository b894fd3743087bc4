"""The reserve cadre pool 后备干部 (issue 9): entering, the status moves kept, the procedure's own moves,
the structure against C2, the page; the candidate picker's details and the lateral-move warning."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from cadre import reserve, roles
from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.models import Education, Level, ReserveCadre
from cadre.selectors import cadre_choices

from ..conftest import advance
from ..factories import CadreFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = ReserveCadre.Status


def test_entering_and_withdrawing_keep_every_step(staff):
    cadre, post = CadreFactory(), PositionFactory()
    added = reserve.reserve_add(
        actor=staff, cadre_id=cadre.pk, source="2026年度民主推荐", since=date(2026, 3, 1), position_ids=[post.pk]
    )
    assert added.status == Status.RESERVE and list(added.positions.all()) == [post]
    with pytest.raises(Conflict):
        reserve.reserve_add(actor=staff, cadre_id=cadre.pk, source="再次", since=date(2026, 3, 2))
    with pytest.raises(Conflict):  # 已使用 is the procedure's to record
        reserve.reserve_set_status(actor=staff, reserve_id=added.pk, status=Status.USED, reason="手工")
    with pytest.raises(InvalidInput):
        reserve.reserve_set_status(actor=staff, reserve_id=added.pk, status=Status.WITHDRAWN, reason="")
    reserve.reserve_set_status(actor=staff, reserve_id=added.pk, status=Status.WITHDRAWN, reason="本人调离")
    back = reserve.reserve_add(actor=staff, cadre_id=cadre.pk, source="2027年度民主推荐", since=date(2026, 11, 1))
    steps = [(c.from_status, c.to_status) for c in back.changes.order_by("id")]
    assert steps == [("", Status.RESERVE), (Status.RESERVE, Status.WITHDRAWN), (Status.WITHDRAWN, Status.RESERVE)]
    with pytest.raises(InvalidInput):
        reserve.reserve_add(actor=staff, cadre_id=cadre.pk, source="x", since=date(2999, 1, 1))


def test_only_staff_and_admins_maintain_the_pool():
    with pytest.raises(NotAllowed):
        reserve.reserve_add(
            actor=UserFactory(roles=[roles.SUPERVISOR]), cadre_id=CadreFactory().pk, source="x", since=date(2026, 1, 1)
        )


def test_the_procedure_moves_the_status_inspected_then_appointed(staff, candidate):
    entry = reserve.reserve_add(actor=staff, cadre_id=candidate.cadre_id, source="推荐", since=date(2026, 1, 5))
    inspected = advance(candidate, staff, "nominate", "recommend", "inspect")
    entry.refresh_from_db()
    assert entry.status == Status.INSPECTION
    moved = inspected.record.filter(kind="transition", payload__transition="inspect").get()
    assert moved.payload["effects"]["reserve_status"] == Status.INSPECTION
    assert entry.changes.order_by("id").last().by == staff


def test_structure_against_c2_at_exactly_the_target(staff):
    today = date(2026, 12, 2)
    young = CadreFactory(birth_date=date(1986, 12, 2))  # exactly 40 today: "40周岁以下" includes 40
    rest = [CadreFactory(birth_date=date(1970, 1, 1), education=Education.ASSOCIATE) for _ in range(4)]
    for c in [young, *rest]:
        reserve.reserve_add(actor=staff, cadre_id=c.pk, source="推荐", since=date(2026, 1, 5))
    rows = {r["label"]: r for r in reserve.structure(ReserveCadre.objects.select_related("cadre"), today=today)}
    assert rows["40周岁以下"]["count"] == 1 and rows["40周岁以下"]["met"] is True  # 1/5 = 20% ≥ 20%
    assert rows["大学本科以上"]["met"] is False  # 1/5 < 85%
    assert rows["女干部"]["met"] is None  # no target set


def test_reserve_page(client, staff):
    cadre = CadreFactory(name="候补甲")
    client.force_login(staff)
    page = reverse("cadre:reserve")
    assert client.get(page).status_code == 200
    bad = client.post(page, {"action": "add", "cadre": cadre.pk, "source": "", "since": "2026-01-05"})
    assert bad.status_code == 400 and not ReserveCadre.objects.exists()
    done = client.post(page, {"action": "add", "cadre": cadre.pk, "source": "民主推荐", "since": "2026-01-05"})
    assert done.status_code == 302
    entry = ReserveCadre.objects.get()
    body = client.get(page).content.decode()
    assert "候补甲" in body and "民主推荐" in body and "40周岁以下" in body
    moved = client.post(page, {"action": "status", "reserve": entry.pk, "status": "withdrawn", "reason": "调离"})
    assert moved.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Status.WITHDRAWN
    client.force_login(UserFactory(roles=[roles.SUPERVISOR]))
    assert client.get(page).status_code == 200
    assert (
        client.post(page, {"action": "status", "reserve": entry.pk, "status": "reserve", "reason": "x"}).status_code
        == 403
    )
    client.force_login(UserFactory(roles=[roles.COMMITTEE_MEMBER]))
    assert client.get(page).status_code == 403


def test_picker_shows_post_level_age_and_reserve(staff):
    post = PositionFactory(title="副局长", level=Level.SECTION_DEPUTY)
    cadre = CadreFactory(name="选人甲", position=post, birth_date=date(1980, 1, 1))
    reserve.reserve_add(actor=staff, cadre_id=cadre.pk, source="推荐", since=date(2026, 1, 5))
    [(pk, label)] = cadre_choices(user=staff, query="选人甲")
    age = timezone.localdate().year - 1980
    assert pk == cadre.pk and label == f"选人甲（{cadre.unit.name} · 副局长 · 副科 · {age}岁 · 后备：后备）"


def test_adding_a_candidate_who_already_holds_the_rank_warns(client, staff, selection, position):
    holder = CadreFactory(position=PositionFactory(level=position.level))
    client.force_login(staff)
    response = client.post(
        reverse("cadre:candidate_add", args=[selection.pk]), {"cadre": holder.pk, "position": position.pk}, follow=True
    )
    body = response.content.decode()
    assert "已将" in body and "平级交流或降职，不是提拔" in body
    newcomer = CadreFactory()
    response = client.post(
        reverse("cadre:candidate_add", args=[selection.pk]),
        {"cadre": newcomer.pk, "position": position.pk},
        follow=True,
    )
    assert "不是提拔" not in response.content.decode()


def test_the_posts_own_holder_is_refused_as_its_candidate(staff, selection, position):
    from cadre.services import candidate_create

    holder = CadreFactory(position=position)
    with pytest.raises(InvalidInput) as refused:
        candidate_create(actor=staff, selection=selection, position=position, cadre=holder)
    assert "现任" in refused.value.errors["cadre"][0]
    assert not selection.candidates.exists()
