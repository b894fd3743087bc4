"""Labels of choice values and the FSM's way out of each stage, computed once (issue #10).

A list of 50 candidates used to resolve `get_stage_display()` (a lazy translation) and walk the
FSM's transitions for every row; both depend only on the value (and the active language), so they
are built once per value and language and looked up per row.
"""

from functools import cache

from django.db.models import Choices
from django.utils.translation import get_language


@cache
def _labels(choices: type[Choices], language: str | None) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def choice_labels(choices: type[Choices]) -> dict[str, str]:
    """{value: label} of a TextChoices class in the active language."""
    return _labels(choices, get_language())


def choice_label(choices: type[Choices], value) -> str:
    """The label of `value` in the active language; an unknown value as itself (as get_*_display does)."""
    return choice_labels(choices).get(value, value)


@cache
def stage_transitions(stage: str) -> tuple[str, ...]:
    """The names of the transitions the FSM offers out of `stage`, without send_back (退回 has its own
    form). Candidate's transitions have no conditions, so the answer depends on the stage only —
    tests/cadre/test_labels.py checks this against the FSM for every stage."""
    from .models import Candidate

    return tuple(t.name for t in Candidate(stage=stage).get_available_stage_transitions() if t.name != "send_back")
