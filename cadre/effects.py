"""Effects of a transition that belong to a stage app. `cadre` imports no stage app, so a stage app
registers its effect in `AppConfig.ready()`; `cadre.services.candidate_transition` runs the effects
of a transition inside its transaction, after the candidate is saved, so a job they enqueue
(cadre/outbox.py) is sent only if the move commits.

    @effects.after("appoint")
    def archive(*, candidate, actor): ...
"""

from collections.abc import Callable

_EFFECTS: dict[str, list[Callable]] = {}


def after(transition: str):
    """Register `effect(candidate=, actor=)` to run after each `transition`."""

    def decorator(effect: Callable) -> Callable:
        registered = _EFFECTS.setdefault(transition, [])
        if effect not in registered:
            registered.append(effect)
        return effect

    return decorator


def run(*, transition: str, candidate, actor) -> None:
    for effect in _EFFECTS.get(transition, ()):
        effect(candidate=candidate, actor=actor)


def registered() -> dict[str, list[str]]:
    """What runs after which transition (for docs and tests)."""
    return {t: [f"{e.__module__}.{e.__qualname__}" for e in fs] for t, fs in _EFFECTS.items()}
