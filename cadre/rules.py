"""The rules registry.

A rule is a small function `(candidate, ctx) -> Finding` registered under its DOMAIN.md id for
the transitions it guards. Stage apps register their rules in `AppConfig.ready()`; the spine
only evaluates what is registered, so it never needs to know who checks what.

A rule's `source` is what users see as its 依据: the administrator's citations (cadre.citations,
admin → 规则依据). `register(source=…)` takes the developers' note of where the rule comes from
(DOMAIN.md's file numbers, `001 附件2 第十条(三)`), kept as `Rule.ref` and never shown.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from . import citations
from .errors import Conflict, Violation
from .thresholds import Snapshot

# Every rule id of DOMAIN.md. The system check in cadre.checks refuses ids outside this list.
CATALOG = (
    "M1 M2 M3 M4 N1 N2 N3 N4 R1 R2 R3 R4 R5 E1 E2 E3 E4 E5 E6 E7 "
    "I1 I2 I3 I4 I5 I6 I7 I8 I9 D1 D2 D3 V1 V2 V3 V4 V5 V6 V7 V8 V9 V10 "
    "P1 P2 P3 A1 A2 A3 A4 S1 S2 S3 S4 S5 S6 C1 C2"
).split()


@dataclass
class Context:
    """What a rule may look at besides the candidate: one threshold snapshot, one today, and the
    transition being checked (for a rule that guards several and says something different for each)."""

    thresholds: Snapshot
    today: date
    transition: str = ""
    # What several rules of one evaluation read alike (R2 and R3: the candidate's recommendation
    # results), read once per evaluation: see `once`. Never shared between evaluations.
    memo: dict = field(default_factory=dict, repr=False)

    def once(self, key, read: Callable):
        """`read()` the first time a rule of this evaluation asks for `key`, the same value after."""
        if key not in self.memo:
            self.memo[key] = read()
        return self.memo[key]


@dataclass
class Finding:
    """What one rule saw (its inputs, for the record) and what it objects to (empty: passes)."""

    inputs: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    ref: str  # the developers' note of the rule's origin (DOMAIN.md's file numbers); never shown
    transitions: tuple[str, ...]
    soft: bool
    check: Callable

    @property
    def source(self) -> str:
        """The rule's 依据 as users see it (the administrator's citations)."""
        return citations.source_for(self.id)

    def violation(self, message: str, *, source: str | None = None) -> Violation:
        return Violation(
            rule=self.id, message=message, source=self.source if source is None else source, overridable=self.soft
        )


_registry: dict[str, Rule] = {}
_duplicates: list[str] = []


def register(rule_id: str, *, title: str, source: str, transitions: tuple[str, ...] | list[str], soft: bool = False):
    """Decorator: register `check` as rule `rule_id` for the given transitions.

    `source` is the developers' note (`Rule.ref`); users see the citations of cadre.citations.
    """

    def decorator(check):
        if rule_id in _registry:
            _duplicates.append(rule_id)
        _registry[rule_id] = Rule(rule_id, title, source, tuple(transitions), soft, check)
        return check

    return decorator


def registered() -> dict[str, Rule]:
    return dict(_registry)


def duplicates() -> list[str]:
    return list(_duplicates)


def rules_for(transition: str) -> list[Rule]:
    return [rule for rule in _registry.values() if transition in rule.transitions]


@dataclass
class Evaluation:
    transition: str
    violations: list[Violation]
    trace: list[dict]
    thresholds: dict[str, str]

    @property
    def allowed(self) -> bool:
        return not self.violations

    def result(self, rule_id: str) -> dict | None:
        """What rule `rule_id` said in this evaluation — `{"rule", "passed", "inputs", "problems"}` —
        or None when it did not run. Pages show a rule's status from here, never by re-checking it."""
        ran = next((t for t in self.trace if t["rule"] == rule_id), None)
        if ran is None:
            return None
        return {**ran, "problems": [v.message for v in self.violations if v.rule == rule_id]}


def evaluate(candidate, transition: str, *, thresholds: Snapshot, today: date | None = None, only=None) -> Evaluation:
    """Run every rule registered for `transition` (or those of them in `only`); nothing is written."""
    ctx = Context(thresholds=thresholds, today=today or timezone.localdate(), transition=transition)
    violations: list[Violation] = []
    trace: list[dict] = []
    rules = sorted(rules_for(transition), key=lambda r: CATALOG.index(r.id))
    if only is not None:
        rules = [r for r in rules if r.id in only]
    sources = citations.sources()
    for rule in rules:
        finding = rule.check(candidate, ctx)
        violations.extend(rule.violation(problem, source=sources.get(rule.id, "")) for problem in finding.problems)
        trace.append({"rule": rule.id, "passed": not finding.problems, "inputs": finding.inputs})
    return Evaluation(transition, violations, trace, thresholds.for_rules(r.id for r in rules))


def refusal(rule_id: str, message: str, *, field: str | None = None) -> Conflict:
    """A stage-data write refused on behalf of rule `rule_id` (V1, V4, P1, M4, V9, S1 …): the
    API's 409 names the rule and its 依据, like a refused transition; `field`: the input a page
    shows the refusal next to."""
    return Conflict(message, rule=rule_id, source=citations.source_for(rule_id), field=field)
