"""One timeline for the demo data and the tests' prepared stage data (the stage apps' `demo.PREPARE`):
how many days before today each stage's meeting or period lies, so that every date follows the ones
before it as the services check (#11) — motion, recommendation, the 部长办公会's decision on the
inspection objects, the inspection team's period, then the committee's meeting.

The committee's meeting is computed by `voting.demo.decision_day` (the day before a publicity of P1's
working days that has ended by today: about one to three weeks back, holidays included), so the
inspection ends well before it. Plain numbers: the cadre app imports no stage app.
"""

from datetime import date, timedelta

from django.utils import timezone

MOTION = 90  # the motion meeting (M4's agenda)
RECOMMENDATION = 60
INSPECTION_DECISION = 55  # the 部长办公会 decides the inspection objects (R5)
INSPECTION_NOTICE = 52  # 考察预告 (I1)
TEAM_STARTS = 50  # the inspection team's period (I2) …
TEAM_ENDS = 30  # … ends before the committee's meeting (decision_day, at most a few weeks back)


def days_ago(days: int, today: date | None = None) -> date:
    return (today or timezone.localdate()) - timedelta(days=days)


def on_or_after(day: date, *earlier: date | None) -> date:
    """`day`, or the latest of `earlier` when that is later (a test recorded its own stage data)."""
    return max([day, *(d for d in earlier if d is not None)])
