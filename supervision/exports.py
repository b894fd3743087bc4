"""举报 in Excel (#9): the oversight list of complaints and the S3 statistics of a period.

Neither ever carries the complainant's name or phone (the pages do not show them either), nor the
reference number the complainant queries with: a list handed round must not let anyone else query.
"""

from django.db.models import Count, Q

from cadre.people import person_name
from cadre.xlsx import Sheet

from .models import Complaint

STATS_LABELS = {"overall": "全部举报", "real_name": "实名举报", "clear_lead": "线索清楚的举报"}


def _yes(value: bool) -> str:
    return "是" if value else "否"


def complaint_list_sheets(complaints) -> list[Sheet]:
    rows = [
        [
            c.pk,
            c.received_on,
            c.candidate.cadre.name,
            str(c.candidate.position),
            c.candidate.selection.title,
            c.get_channel_display(),
            c.get_category_display(),
            _yes(c.real_name),
            _yes(c.clear_lead),
            c.get_status_display(),
            person_name(c.assigned_to),
            c.get_outcome_display() if c.outcome else "",
            c.concluded_on,
        ]
        for c in complaints
    ]
    headers = [
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
    return [Sheet("举报办理", headers, rows)]


def complaint_stats_sheets(*, stats: dict, date_from, date_to) -> list[Sheet]:
    """S3 rates, then the period's complaints by category × status and by year received."""
    period = f"{date_from:%Y-%m-%d} 至 {date_to:%Y-%m-%d}受理的举报"
    rates = [
        [label, g["total"], g["verified"], g["rate"], g["target"], "达标" if g["met"] else "未达标"]
        for key, label in STATS_LABELS.items()
        for g in [stats[key]]
    ]
    received = Complaint.objects.filter(received_on__gte=date_from, received_on__lte=date_to)
    counts = {
        (r["category"], r["status"]): r["n"]
        for r in received.order_by().values("category", "status").annotate(n=Count("pk"))
    }
    statuses = list(Complaint.Status)
    by_category = []
    for category in Complaint.Category:
        row = [counts.get((category.value, s.value), 0) for s in statuses]
        by_category.append([str(category.label), *row, sum(row)])
    totals = [sum(r[i] for r in by_category) for i in range(1, len(statuses) + 2)]
    by_category.append(["合计", *totals])
    years = (
        received.order_by()
        .values("received_on__year")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(status=Complaint.Status.CONCLUDED)),
            substantiated=Count("pk", filter=Q(status=Complaint.Status.CONCLUDED, outcome__in=Complaint.STOPPING)),
        )
        .order_by("received_on__year")
    )
    by_year = [
        [y["received_on__year"], y["n"], y["done"], y["done"] / y["n"] if y["n"] else None, y["substantiated"]]
        for y in years
    ]
    return [
        Sheet(
            "查核率",
            ["类别", "受理件数", "已查核件数", "查核率", "目标", "是否达标"],
            rates,
            caption=f"{period}（S3），已办结即为已查核",
            percent={3, 4},
        ),
        Sheet(
            "按类别和状态",
            ["反映问题类别", *[str(s.label) for s in statuses], "合计"],
            by_category,
            caption=period,
        ),
        Sheet(
            "按年度",
            ["受理年度", "受理件数", "已办结件数", "办结率", "属实或部分属实"],
            by_year,
            caption=period,
            percent={3},
        ),
    ]
