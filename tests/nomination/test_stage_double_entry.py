"""R1: a recommendation typed in twice, by two different assigned staff members, before it counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cadre import services as cadre_services
from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.models import RecordEntry
from nomination import services
from nomination.models import RecommendationMeeting, RecommendationResult

from ..factories import CadreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(staff, selection, other_staff):
    cadre_services.selection_assign(actor=staff, selection=selection, user=other_staff)
    return other_staff


@pytest.fixture
def rival(staff, selection, position):
    return cadre_services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())


def enter(staff, candidate, rival, **overrides):
    numbers = {
        "unit_id": candidate.cadre.unit_id,
        "kind": "meeting",
        "held_on": timezone.localdate(),
        "entitled": 40,
        "present": 36,
        "votes": {candidate.cadre_id: 30, rival.cadre_id: 12},
    }
    numbers.update(overrides)
    return services.recommendation_enter(actor=staff, selection_id=candidate.selection_id, **numbers)


def test_matching_second_entry_confirms(staff, second, candidate, rival):
    meeting = enter(staff, candidate, rival)
    assert not meeting.confirmed
    assert not candidate.record.filter(kind="fact").exists()
    services.recommendation_confirm(
        actor=second, meeting_id=meeting.pk, entitled=40, present=36, votes={candidate.cadre_id: 30, rival.cadre_id: 12}
    )
    meeting.refresh_from_db()
    assert meeting.confirmed and meeting.entered_by == staff and meeting.confirmed_by == second
    fact = candidate.record.filter(kind="fact").last().payload
    assert fact["rule"] == "R1" and fact["votes"] == 30 and fact["rank"] == 1
    assert fact["entered_by"] == staff.username and fact["confirmed_by"] == second.username
    assert rival.record.filter(kind="fact").last().payload["rank"] == 2


def test_mismatch_is_shown_and_nothing_confirmed(staff, second, candidate, rival):
    meeting = enter(staff, candidate, rival)
    before = RecordEntry.objects.count()
    with pytest.raises(services.EntryMismatch) as exc:
        services.recommendation_confirm(
            actor=second,
            meeting_id=meeting.pk,
            entitled=40,
            present=35,
            votes={candidate.cadre_id: 30, rival.cadre_id: 21},
        )
    assert set(exc.value.errors) == {"present", f"votes_{rival.cadre_id}", "__all__"}
    meeting.refresh_from_db()
    assert not meeting.confirmed
    assert RecordEntry.objects.count() == before


def test_same_person_cannot_confirm_own_entry(staff, candidate, rival):
    meeting = enter(staff, candidate, rival)
    with pytest.raises(NotAllowed):
        services.recommendation_confirm(
            actor=staff,
            meeting_id=meeting.pk,
            entitled=40,
            present=36,
            votes={candidate.cadre_id: 30, rival.cadre_id: 12},
        )
    meeting.refresh_from_db()
    assert not meeting.confirmed


def test_unassigned_staff_cannot_confirm(staff, other_staff, candidate, rival):
    meeting = enter(staff, candidate, rival)
    with pytest.raises(NotAllowed):
        services.recommendation_confirm(
            actor=other_staff,
            meeting_id=meeting.pk,
            entitled=40,
            present=36,
            votes={candidate.cadre_id: 30, rival.cadre_id: 12},
        )


def test_confirmed_meeting_cannot_be_confirmed_again_or_discarded(staff, second, candidate, rival):
    meeting = enter(staff, candidate, rival)
    votes = {candidate.cadre_id: 30, rival.cadre_id: 12}
    services.recommendation_confirm(actor=second, meeting_id=meeting.pk, entitled=40, present=36, votes=votes)
    with pytest.raises(Conflict) as exc:
        services.recommendation_confirm(actor=second, meeting_id=meeting.pk, entitled=40, present=36, votes=votes)
    assert exc.value.rule == "S1"  # a once-only fact that already exists
    with pytest.raises(Conflict) as exc:
        services.recommendation_discard(actor=staff, meeting_id=meeting.pk)
    assert exc.value.rule == "S1"


def test_unconfirmed_entry_can_be_discarded(staff, candidate, rival):
    meeting = enter(staff, candidate, rival)
    services.recommendation_discard(actor=staff, meeting_id=meeting.pk)
    assert not RecommendationMeeting.objects.exists() and not RecommendationResult.objects.exists()


def test_bad_numbers_refused_all_at_once_nothing_written(staff, candidate, rival):
    with pytest.raises(InvalidInput) as exc:
        enter(
            staff,
            candidate,
            rival,
            held_on=timezone.localdate() + timedelta(days=1),
            entitled=30,
            present=36,
            votes={candidate.cadre_id: 37, rival.cadre_id: -1},
        )
    errors = exc.value.errors
    assert set(errors) == {"held_on", "present", f"votes_{candidate.cadre_id}", f"votes_{rival.cadre_id}"}
    assert "不能多于应参加人数" in errors["present"][0]
    assert "不能为负数" in errors[f"votes_{rival.cadre_id}"][0]
    assert not RecommendationMeeting.objects.exists() and not RecommendationResult.objects.exists()


def test_votes_for_someone_outside_the_selection_refused(staff, candidate, rival):
    outsider = CadreFactory()
    with pytest.raises(InvalidInput) as exc:
        enter(staff, candidate, rival, votes={outsider.pk: 3})
    assert "__all__" in exc.value.errors
    assert not RecommendationMeeting.objects.exists()


def test_ranks_share_places_on_ties():
    assert services.ranks({1: 30, 2: 28, 3: 28, 4: 10}) == {1: 1, 2: 2, 3: 2, 4: 4}


def test_database_refuses_self_confirmation(staff, candidate, rival):
    from django.db import IntegrityError, transaction

    meeting = enter(staff, candidate, rival)
    meeting.confirmed_by, meeting.confirmed_at = staff, timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        meeting.save(update_fields=["confirmed_by", "confirmed_at"])


def test_second_entry_lists_the_cadres_in_the_ballots_order_not_the_first_entrys_ranking(
    staff, second, candidate, rival
):
    """The rival (added second) got more votes: the blind form still lists the candidate first."""
    from nomination.forms import RecommendationConfirmForm

    meeting = enter(staff, candidate, rival, votes={candidate.cadre_id: 5, rival.cadre_id: 30})
    assert list(meeting.results.values_list("cadre_id", flat=True)) == [rival.cadre_id, candidate.cadre_id]  # by rank
    form = RecommendationConfirmForm(meeting=meeting)
    order = [name for name in form.fields if name.startswith("votes_")]
    assert order == [f"votes_{candidate.cadre_id}", f"votes_{rival.cadre_id}"]
