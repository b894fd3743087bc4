"""A closed ballot becomes the facts the rules read, with no retyping (issue 7): a recommendation per post
for R2/R3, an evaluation of the session's year for E2."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from cadre import services as cadre_services
from cadre.errors import Conflict, InvalidInput
from cadre.models import Evaluation, RecordEntry
from nomination.models import RecommendationMeeting
from voting import services
from voting.models import BallotSession

from ..conftest import advance
from ..factories import CadreFactory, PositionFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _cast_all(session, codes, choices_per_code):
    services.ballot_session_open(actor=session.created_by, session_id=session.pk)
    for code, choices in zip(codes, choices_per_code, strict=True):
        services.ballot_cast(session_id=session.pk, code=code, choices=choices)
    return services.ballot_session_close(actor=session.created_by, session_id=session.pk)


def test_closed_recommendation_is_a_confirmed_result_that_r2_and_r3_read(staff, selection, position):
    people = [
        advance(
            cadre_services.candidate_create(
                actor=staff, selection=selection, position=position, cadre=CadreFactory(unit=position.unit)
            ),
            staff,
            "nominate",
            "recommend",
        )
        for _ in range(2)
    ]
    x, y = (p.cadre_id for p in people)
    session, codes = services.ballot_session_create(
        actor=staff,
        kind="recommendation",
        title="民主推荐会",
        selection_id=selection.pk,
        position_ids=[position.pk],
        codes=5,
    )
    assert session.unit_id == position.unit_id  # the posts' unit by default
    item = str(session.items.get().pk)
    # 4 ballots of 5 codes: x 2/4 = exactly half (R3 passes), y 1/4 (fails).
    _cast_all(session, codes[:4], [{item: [x]}, {item: [x]}, {item: [y]}, {item: []}])
    meeting = RecommendationMeeting.objects.get(ballot_session=session.pk)
    assert meeting.confirmed and meeting.position_id == position.pk and meeting.unit_id == position.unit_id
    assert (meeting.entitled, meeting.present) == (5, 4)
    assert {r.cadre_id: (r.votes, r.rank) for r in meeting.results.all()} == {x: (2, 1), y: (1, 2)}
    root = BallotSession.objects.get(pk=session.pk).bulletin_root
    fact = RecordEntry.objects.get(candidate=people[0], payload__fact="recommendation")
    assert fact.payload["votes"] == 2 and fact.payload["bulletin_root"] == root
    passed = cadre_services.candidate_check(candidate=people[0], transition="inspect")
    failed = cadre_services.candidate_check(candidate=people[1], transition="inspect")
    assert passed.result("R2")["passed"] and passed.result("R3")["passed"]
    assert failed.result("R2")["passed"] and not failed.result("R3")["passed"]
    assert "1/4" in failed.result("R3")["problems"][0]


def test_a_count_for_another_post_is_not_read_for_this_one(staff, selection, position):
    """R2/R3 read a per-post count only for the candidate's own post: the same cadre, recommended for the
    other post, has no recommendation for this one."""
    other = PositionFactory(unit=position.unit)
    selection.positions.add(other)
    cadre = CadreFactory(unit=position.unit)
    mine = advance(
        cadre_services.candidate_create(actor=staff, selection=selection, position=position, cadre=cadre),
        staff,
        "nominate",
        "recommend",
    )
    elsewhere = advance(
        cadre_services.candidate_create(actor=staff, selection=selection, position=other, cadre=cadre),
        staff,
        "nominate",
        "recommend",
    )
    session, codes = services.ballot_session_create(
        actor=staff, kind="recommendation", title="推荐", selection_id=selection.pk, position_ids=[other.pk], codes=2
    )
    item = str(session.items.get().pk)
    _cast_all(session, codes, [{item: [elsewhere.cadre_id]}, {item: []}])
    assert cadre_services.candidate_check(candidate=elsewhere, transition="inspect").result("R2")["passed"]
    assert not cadre_services.candidate_check(candidate=mine, transition="inspect").result("R2")["passed"]


def test_recommendation_across_units_names_the_unit(staff, selection, position):
    other = PositionFactory()  # another unit
    selection.positions.add(other)
    for post in (position, other):
        advance(
            cadre_services.candidate_create(actor=staff, selection=selection, position=post, cadre=CadreFactory()),
            staff,
            "nominate",
            "recommend",
        )
    kwargs = dict(actor=staff, kind="recommendation", title="推荐", selection_id=selection.pk)
    kwargs["position_ids"] = [position.pk, other.pk]
    with pytest.raises(InvalidInput) as refused:
        services.ballot_session_create(codes=3, **kwargs)
    assert "unit" in refused.value.errors
    assert not BallotSession.objects.exists()
    session, _ = services.ballot_session_create(codes=3, unit_id=UnitFactory().pk, **kwargs)
    assert session.unit_id is not None


def test_closed_evaluation_is_the_cadres_evaluation_of_that_year(staff):
    cadre = CadreFactory()
    session, codes = services.ballot_session_create(
        actor=staff, kind="evaluation", title="年度民主测评", cadre_ids=[cadre.pk], codes=3, year=2025
    )
    item = str(session.items.get().pk)
    # 优秀+称职 2/3 (exactly E2's mark) and 不称职 1/3 (exactly its ceiling): not below, not above.
    result = _cast_all(session, codes, [{item: "excellent"}, {item: "competent"}, {item: "incompetent"}])
    assert result["items"][0]["passed"]
    row = Evaluation.objects.get(cadre=cadre, year=2025)
    assert (row.excellent, row.competent, row.basically_competent, row.incompetent) == (1, 1, 0, 1)
    with pytest.raises(Conflict) as again:
        services.ballot_session_create(
            actor=staff, kind="evaluation", title="再测评", cadre_ids=[cadre.pk], codes=3, year=2025
        )
    assert again.value.violations[0].rule == "S1"
    assert BallotSession.objects.count() == 1


def test_pages_ask_for_the_unit_and_the_year(client, staff, selection, position):
    cadre = CadreFactory()
    cadre_services.candidate_create(actor=staff, selection=selection, position=position, cadre=cadre)
    client.force_login(staff)
    page = client.get(reverse("voting:ballot_create", args=[selection.pk, "recommendation"]))
    assert "推荐单位" in page.content.decode()
    url = reverse("voting:ballot_create", args=[selection.pk, "evaluation"])
    bad = client.post(url, {"title": "测评", "cadres": [cadre.pk], "codes": 3, "year": "明年"})
    assert bad.status_code == 400 and not BallotSession.objects.exists()
    made = client.post(url, {"title": "测评", "cadres": [cadre.pk], "codes": 3, "year": 2024})
    assert made.status_code == 302
    assert BallotSession.objects.get().year == 2024


def test_an_evaluation_typed_while_the_session_runs_blocks_its_close_with_s1(staff):
    cadre = CadreFactory()
    session, codes = services.ballot_session_create(
        actor=staff, kind="evaluation", title="年度民主测评", cadre_ids=[cadre.pk], codes=2, year=2025
    )
    services.ballot_session_open(actor=staff, session_id=session.pk)
    services.ballot_cast(session_id=session.pk, code=codes[0], choices={str(session.items.get().pk): "competent"})
    Evaluation.objects.create(cadre=cadre, year=2025, excellent=5, competent=3, basically_competent=0, incompetent=0)
    with pytest.raises(Conflict) as refused:
        services.ballot_session_close(actor=staff, session_id=session.pk)
    assert refused.value.violations[0].rule == "S1" and cadre.name in refused.value.message
    session.refresh_from_db()
    assert session.status == BallotSession.Status.OPEN and Evaluation.objects.filter(cadre=cadre).count() == 1
