"""Complaints in Excel (#9): the oversight list and the S3 statistics as .xlsx, opened with openpyxl;
the same roles as the pages; never the complainant's name, phone or query reference."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cadre.people import person_name
from supervision.models import Complaint

pytestmark = pytest.mark.django_db
S = Complaint.Status


def book(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content))


def values(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture
def complaints(candidate, supervisor):
    def make(received_on, category, status, **extra):
        return Complaint.objects.create(
            candidate=candidate,
            received_on=received_on,
            channel="letter",
            category=category,
            status=status,
            text="反映问题",
            reference=f"R{received_on:%y%m%d}",
            **extra,
        )

    return [
        make(
            date(2025, 3, 1),
            "canvassing_bribery",
            S.CONCLUDED,
            outcome="partly",
            real_name=True,
            complainant_name="举报人甲",
            complainant_phone="13900000000",
        ),
        make(date(2026, 2, 1), "canvassing_bribery", S.INVESTIGATING, assigned_to=supervisor),
        make(date(2026, 4, 1), "other", S.CONCLUDED, outcome="unsubstantiated", concluded_on=date(2026, 5, 1)),
        make(date(2024, 12, 31), "other", S.RECEIVED),  # outside the period below
    ]


def test_complaint_list_export(client, supervisor, candidate, complaints):
    client.force_login(supervisor)
    response = client.get(reverse("supervision:oversight_complaints"), {"format": "xlsx", "status": ""})
    ws = book(response).active
    rows = values(ws)
    assert rows[0] == [
        "编号",
        "受理日期",
        "人选",
        "拟任职务",
        "选任工作",
        "举报方式",
        "反映问题类别",
        "实名举报",
        "线索清楚",
        "办理状态",
        "承办人",
        "核查结果",
        "办结日期",
    ]
    assert [r[0] for r in rows[1:]] == [complaints[i].pk for i in (2, 1, 0, 3)]  # newest first
    first = rows[2]
    assert first[1].date() == date(2026, 2, 1) and ws["B3"].number_format == "yyyy-mm-dd"
    assert first[2:11] == [
        candidate.cadre.name,
        str(candidate.position),
        candidate.selection.title,
        "来信来访",
        "拉票贿选",
        "否",
        "否",
        "调查核实中",
        person_name(supervisor),
    ]
    flat = [str(v) for row in rows for v in row]
    references = {c.reference for c in complaints}
    assert not any("举报人甲" in v or "13900000000" in v or v in references for v in flat)
    assert ws.freeze_panes == "A2"


def test_complaint_stats_export_by_category_status_and_year(client, supervisor, complaints):
    client.force_login(supervisor)
    response = client.get(
        reverse("supervision:complaint_stats"), {"from": "2025-01-01", "to": "2026-12-31", "format": "xlsx"}
    )
    wb = book(response)
    assert wb.sheetnames == ["查核率", "按类别和状态", "按年度"]
    rates = values(wb["查核率"])
    assert rates[0][0] == "2025-01-01 至 2026-12-31受理的举报（S3），已办结即为已查核"
    assert rates[1] == ["类别", "受理件数", "已查核件数", "查核率", "目标", "是否达标"]
    assert rates[2][:4] == ["全部举报", 3, 2, pytest.approx(2 / 3)] and rates[2][5] == "未达标"
    assert rates[3][:3] == ["实名举报", 1, 1] and rates[3][5] == "达标"

    grid = values(wb["按类别和状态"])
    assert grid[1] == ["反映问题类别", "已登记", "已交办", "调查核实中", "已办结", "合计"]
    by_name = {r[0]: r[1:] for r in grid[2:]}
    assert by_name["拉票贿选"] == [0, 0, 1, 1, 2]
    assert by_name["其他"] == [0, 0, 0, 1, 1]
    assert by_name["买官卖官"] == [0, 0, 0, 0, 0]
    assert by_name["合计"] == [0, 0, 1, 2, 3]

    years = values(wb["按年度"])
    assert years[1] == ["受理年度", "受理件数", "已办结件数", "办结率", "属实或部分属实"]
    assert years[2] == [2025, 1, 1, 1.0, 1]
    assert years[3] == [2026, 2, 1, 0.5, 0]


def test_exports_refused_like_the_pages(client, staff, complaints):
    client.force_login(staff)
    assert client.get(reverse("supervision:complaint_stats"), {"format": "xlsx"}).status_code == 403
    assert client.get(reverse("supervision:oversight_complaints"), {"format": "xlsx"}).status_code == 403


def test_bad_period_is_a_page_error_not_a_file(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("supervision:complaint_stats"), {"from": "2026-13-01", "format": "xlsx"})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")


def test_list_export_query_count_does_not_grow(client, supervisor, candidate, django_assert_num_queries):
    def add(n):
        for _ in range(n):
            Complaint.objects.create(
                candidate=candidate, received_on=date(2026, 1, 1), channel="phone", text="x", assigned_to=supervisor
            )

    client.force_login(supervisor)
    url = reverse("supervision:oversight_complaints")
    add(2)
    client.get(url, {"format": "xlsx"})  # warm the session and the user's groups
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"format": "xlsx"}).status_code == 200
    add(20)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url, {"format": "xlsx"})
    assert len(list(load_workbook(io.BytesIO(response.content)).active.iter_rows())) == 23
