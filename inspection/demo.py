"""Data that lets a candidate pass the rules of this app's stages, for demo data and tests.

PREPARE maps a transition name to a function (candidate, actor) -> None that creates, through
this app's services, what the rules registered for that transition need (idempotent).
"""

PREPARE: dict = {}
