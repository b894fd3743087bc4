"""`load_demo` gives the same demo whatever the hour in China (#11: it once mixed UTC and Asia/Shanghai
dates, leaving a candidate at publicity between 00:00 and 08:00)."""

from datetime import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from cadre.models import Candidate

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def stages_at(when: str) -> list[tuple[str, str]]:
    with time_machine.travel(datetime.fromisoformat(when), tick=False):
        try:
            with transaction.atomic():
                call_command("load_demo", "--strict", stdout=StringIO())
                stages = sorted(Candidate.objects.values_list("selection__title", "cadre__name", "stage"))
                raise Rollback
        except Rollback:
            pass
    return stages


def test_the_same_stages_at_one_in_the_morning_and_at_eleven_at_night():
    early = stages_at("2026-12-03T01:00:00+08:00")  # 2026-12-02 17:00 UTC
    late = stages_at("2026-12-02T23:00:00+08:00")  # 2026-12-02 15:00 UTC
    assert early == late
    assert {"appointed", "publicity", "rejected"} <= {stage for _, _, stage in early}  # the README's examples
