"""The "next step" of every stage page (issue #11): for a candidate at each stage, the page where
the first unmet rule's data is entered, or — everything met — the forward transition as a button;
shown prominently on the stage's own page. Selections: the least advanced candidate's step."""

import re

import pytest
from django.urls import reverse

from cadre import next_step, services
from cadre.models import Stage

from ..conftest import advance, prepare
from ..factories import CadreFactory

pytestmark = pytest.mark.django_db


def box(html: str) -> str:
    """The next-step section of a page (exactly one)."""
    found = re.findall(r'<section class="card next-step[^"]*" id="next-step".*?</section>', html, re.S)
    assert len(found) == 1, f"{len(found)} next-step boxes"
    return found[0]


def stage_page(stage, candidate):
    names = {
        Stage.MOTION: "nomination:nomination",
        Stage.NOMINATION: "nomination:nomination",
        Stage.RECOMMENDATION: "nomination:recommendation",
        Stage.INSPECTION: "inspection:inspection",
        Stage.DELIBERATION: "inspection:deliberation",
        Stage.DECISION: "voting:decision",
        Stage.PUBLICITY: "supervision:publicity",
    }
    return reverse(names[stage], args=[candidate.pk])


# stage -> (the transition out of it, the page where its first unmet rule's data is entered, that rule)
EXPECTED = [
    (Stage.NOMINATION, "recommend", lambda c: reverse("nomination:nomination", args=[c.pk]), "N1"),
    (
        Stage.RECOMMENDATION,
        "inspect",
        lambda c: reverse("nomination:recommendation_entry", args=[c.selection_id]),
        "R2",
    ),
    (Stage.INSPECTION, "deliberate", lambda c: reverse("inspection:notice", args=[c.selection_id]), "I1"),
    (Stage.DELIBERATION, "decide", lambda c: reverse("inspection:deliberation", args=[c.pk]), "D1"),
    (Stage.DECISION, "publicize", lambda c: reverse("voting:meetings", args=[c.selection_id]), "V1"),
    (Stage.PUBLICITY, "appoint", lambda c: reverse("supervision:publicity", args=[c.pk]), "P1"),
]


def test_each_stage_links_to_where_its_data_is_entered_then_offers_the_transition(
    client, staff, supervisor, candidate, selection, position
):
    rival = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    advance(rival, staff, "nominate", "recommend", "inspect")  # R4: the selection is competitive
    client.force_login(staff)
    c = advance(candidate, staff, "nominate")
    for stage, transition, page_of, rule in EXPECTED:
        assert c.stage == stage
        step = next_step.for_candidate(user=staff, candidate=c)
        assert (step.kind, step.transition, step.url, step.missing[0].rule) == ("page", transition, page_of(c), rule)
        assert f"（{rule}）" in step.label
        html = box(client.get(stage_page(stage, c)).content.decode())
        target = page_of(c)
        if target == stage_page(stage, c):  # the data is entered on this very page
            assert "（在本页填写）" in html and "data-next-step" in html
        else:
            assert f'class="btn btn-primary" data-next-step href="{target}"' in html
        # once the data is there: the transition itself, as a button on the same page
        prepare(c, staff, transition)
        step = next_step.for_candidate(user=staff, candidate=c)
        assert (step.kind, step.transition, step.url, step.missing) == (
            "transition",
            transition,
            reverse("cadre:candidate_move", args=[c.pk]),
            [],
        )
        html = box(client.get(stage_page(stage, c)).content.decode())
        assert f'action="{reverse("cadre:candidate_move", args=[c.pk])}"' in html
        assert f'name="transition" value="{transition}"' in html
        # a supervisor reads the pages but does not move candidates: told who does, no button
        watched = next_step.for_candidate(user=supervisor, candidate=c)
        assert watched.kind == "page" and "待承办人" in watched.label
        c = advance(c, staff, transition, prepared=False)
    assert c.stage == Stage.APPOINTED
    done = next_step.for_candidate(user=staff, candidate=c)
    assert done.kind == "done" and done.url == reverse("cadre:candidate", args=[c.pk])


def test_the_posted_next_step_moves_the_candidate(client, staff, candidate):
    client.force_login(staff)
    prepare(candidate, staff, "nominate")
    html = box(client.get(reverse("nomination:nomination", args=[candidate.pk])).content.decode())
    assert 'name="transition" value="nominate"' in html
    response = client.post(reverse("cadre:candidate_move", args=[candidate.pk]), {"transition": "nominate"})
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.stage == Stage.NOMINATION


def test_soft_rule_only_sends_to_the_candidate_page_for_reasons(staff, candidate):
    step = next_step.for_candidate(user=staff, candidate=candidate)  # no agenda item yet: M4 ◇ only
    assert [m.rule for m in step.missing] == ["M4"]
    assert step.kind == "page" and step.url == reverse("cadre:candidate", args=[candidate.pk]) + "#next-h"


def test_selection_pages_show_the_least_advanced_candidates_step(client, staff, selection, position, candidate):
    client.force_login(staff)
    ahead = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    advance(ahead, staff, "nominate")
    prepare(candidate, staff, "nominate")  # the one still in motion is ready to be nominated
    step = next_step.for_selection(user=staff, selection=selection)
    assert step.candidate.pk == candidate.pk and step.transition == "nominate"
    assert step.kind == "page" and step.url == reverse("cadre:selection", args=[selection.pk]) + "#cand-h"
    for name in ("nomination:motion", "nomination:recommendation_entry", "inspection:notice", "voting:meetings"):
        html = box(client.get(reverse(name, args=[selection.pk])).content.decode())
        assert f'href="{step.url}"' in html, name
        assert candidate.cadre.name in html


def test_selection_without_candidates_asks_for_them(staff, selection):
    step = next_step.for_selection(user=staff, selection=selection)
    assert step.kind == "page" and step.url == reverse("cadre:selection", args=[selection.pk]) + "#add-candidate"
