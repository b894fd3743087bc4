"""The annual figures (S5, C2, C1): a page, its PDF (WeasyPrint, WenQuanYi Micro Hei) and an Excel file.

Org staff, supervisors and administrators read them (`roles.can_read_cadres`); others get 403.
`?year=` (default this year) and `?unit=` (whose leadership team the C2 charts show; default the
first unit with post holders). The charts are inline SVG drawn here, the same for page and PDF:
each bar says its number and share, the red dashed line is the C2 target.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from cadre import roles, xlsx
from cadre.citations import source_for
from cadre.models import Unit
from cadre.xlsx import Sheet

from .annual import annual_figures

FIRST_YEAR = 2000
COMPLAINT_LABELS = {"overall": "全部举报", "real_name": "实名举报", "clear_lead": "线索清楚的举报"}


# ---------------------------------------------------------------------------- parameters


def _params(request) -> tuple[int | None, Unit | None, dict, list[Unit]]:
    """?year= and ?unit= checked; errors in Chinese (400)."""
    today = timezone.localdate()
    errors = {}
    units = list(Unit.objects.order_by("pk"))
    year = today.year
    text = (request.GET.get("year") or "").strip()
    if text:
        try:
            year = int(text)
        except ValueError:
            year = None
            errors["year"] = ["年度应为四位数字，如 2026"]
        else:
            if not FIRST_YEAR <= year <= today.year:
                errors["year"] = [f"年度应在 {FIRST_YEAR} 年至 {today.year} 年之间"]
                year = None
    unit = None
    text = (request.GET.get("unit") or "").strip()
    if text:
        unit = next((u for u in units if str(u.pk) == text), None)
        if unit is None:
            errors["unit"] = ["所选单位不存在"]
    else:
        held = Unit.objects.filter(positions__holders__isnull=False).order_by("pk").values_list("pk", flat=True)
        first_pk = held.first()
        unit = next((u for u in units if u.pk == first_pk), units[0] if units else None)
    return year, unit, errors, units


def _reader(request):
    if not roles.can_read_cadres(request.user):
        raise PermissionDenied("只有组工干部、监督人员和系统管理员可以查看年度统计")


# ---------------------------------------------------------------------------- charts (inline SVG)

BAR_W, ROW_H, WIDTH = 250, 40, 460
FONT = "WenQuanYi Micro Hei, PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"


def bar_chart(*, title: str, rows: list[dict]) -> SafeString:
    """Horizontal bars, each under its label and followed by its number and share. Each row:
    label, text, fraction (0–1 of the bar), optional target (0–1: a red dashed line) and
    met (False: red, None: grey, True or absent: blue)."""
    height = ROW_H * len(rows) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="annual-chart" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    for i, row in enumerate(rows):
        y = 2 + i * ROW_H
        fraction = min(max(row.get("fraction") or 0, 0), 1)
        colour = {False: "#c0392b", None: "#7f8c8d"}.get(row.get("met", True), "#1f5fa8")
        parts.append(
            f'<text x="0" y="{y + 12}" fill="#222">{escape(row["label"])}</text>'
            f'<rect x="0" y="{y + 17}" width="{BAR_W}" height="16" fill="#eef1f5"/>'
            f'<rect x="0" y="{y + 17}" width="{round(BAR_W * fraction, 1)}" height="16" fill="{colour}"/>'
            f'<text x="{BAR_W + 8}" y="{y + 30}" fill="#222">{escape(row["text"])}</text>'
        )
        if row.get("target") is not None:
            tx = round(BAR_W * min(row["target"], 1), 1)
            parts.append(
                f'<line x1="{tx}" y1="{y + 14}" x2="{tx}" y2="{y + 36}" stroke="#c0392b" '
                f'stroke-width="2" stroke-dasharray="3 2"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text in it is escaped above


def _distribution_chart(title: str, groups: list[dict]) -> SafeString:
    return bar_chart(
        title=title,
        rows=[
            {"label": g["label"], "text": f"{g['count']}人 · {g['percent'] or '—'}", "fraction": g["share"]}
            for g in groups
        ],
    )


def _target_text(t: dict) -> str:
    if not t["basis"]:
        return f"无{t['basis_label']}"
    target = f"目标{t['target_label']}" if t["has_target"] else t["target_label"]
    return f"{t['count']}/{t['basis']}人 · {t['percent']}（{target}）"


def charts(figures: dict) -> dict | None:
    team = figures["team"]
    if team is None:
        return None
    name = team["unit"]["name"]
    return {
        "targets": bar_chart(
            title=f"{name}领导班子结构与C2目标",
            rows=[
                {
                    "label": t["label"],
                    "text": _target_text(t),
                    "fraction": t["share"],
                    "target": t["target_share"],
                    "met": t["met"] if t["has_target"] else True,
                }
                for t in team["targets"]
            ],
        ),
        "age": _distribution_chart(f"{name}领导班子年龄结构", team["age"]),
        "gender": _distribution_chart(f"{name}领导班子性别结构", team["gender"]),
        "education": _distribution_chart(f"{name}领导班子学历结构", team["education"]),
        "level": _distribution_chart(f"{name}领导班子职级结构", team["level"]),
    }


# ---------------------------------------------------------------------------- context


def _context(request, figures: dict | None, year, unit, errors, units) -> dict:
    query = urlencode({"year": year, **({"unit": unit.pk} if unit else {})}) if year else ""
    complaints = []
    if figures:
        complaints = [{"key": k, "label": COMPLAINT_LABELS[k], **figures["complaints"][k]} for k in COMPLAINT_LABELS]
    return {
        "figures": figures,
        "charts": charts(figures) if figures else None,
        "complaints": complaints,
        "errors": errors,
        "units": units,
        "unit": unit,
        "year": year,
        "year_text": request.GET.get("year") or (year and str(year)) or "",
        "years": list(range(timezone.localdate().year, FIRST_YEAR - 1, -1)),
        "pdf_url": f"{reverse('supervision:annual_pdf')}?{query}",
        "xlsx_url": f"{reverse('supervision:annual_xlsx')}?{query}",
        "generated_at": timezone.localtime(),
        # 依据 as users see them: the administrator's citations, never a file number.
        "sources": {rule: source_for(rule) for rule in ("S3", "C1", "C2")},
    }


def _figures_or_400(request):
    _reader(request)
    year, unit, errors, units = _params(request)
    figures = None if errors else annual_figures(year=year, unit=unit)
    return figures, _context(request, figures, year, unit, errors, units)


@login_required
@require_GET
def annual(request):
    figures, context = _figures_or_400(request)
    return render(request, "supervision/annual.html", context, status=400 if figures is None else 200)


@login_required
@require_GET
def annual_pdf(request):
    figures, context = _figures_or_400(request)
    if figures is None:
        return render(request, "supervision/annual.html", context, status=400)
    from weasyprint import HTML

    html = render_to_string("supervision/annual_pdf.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, _filename(figures, "pdf"))
    return response


@login_required
@require_GET
def annual_xlsx(request):
    figures, context = _figures_or_400(request)
    if figures is None:
        return render(request, "supervision/annual.html", context, status=400)
    return xlsx.file_response(workbook_bytes(figures), _filename(figures, "xlsx"))


def _filename(figures: dict, ext: str) -> str:
    team = figures["team"]
    who = f"-{team['unit']['name']}" if team else ""
    return f"{figures['year']}年度干部选任工作统计{who}.{ext}"


# ---------------------------------------------------------------------------- Excel


def _yes(value) -> str:
    return {True: "是", False: "否", None: "—"}[value]


def _met(value) -> str:
    return {True: "达标", False: "未达标", None: "不适用"}[value]


def workbook_bytes(figures: dict) -> bytes:
    """The page's figures as sheets of the shared writer (cadre/xlsx.py)."""
    s, a = figures["selections"], figures["appointments"]
    period = f"{figures['year']}年度（{figures['date_from']:%Y-%m-%d} 至 {figures['date_to']:%Y-%m-%d}）"
    sheets = [
        Sheet(
            "年度概况",
            ["指标", "数量", "基数", "比例"],
            [
                ["启动选任工作（项）", s["total"], None, None],
                ["其中差额选拔（项）", s["count"], s["basis"], s["share"]],
                ["任职人数（人）", a["total"], None, None],
                ["其中经差额选拔产生（人）", a["count"], a["basis"], a["share"]],
                ["其中新提拔（人）", a["promotions"], None, None],
            ],
            caption=period,
            percent={3},
        ),
        Sheet(
            "举报查核",
            ["类别", "受理件数", "已查核件数", "查核率", "目标", "是否达标"],
            [
                [label, g["total"], g["verified"], g["rate"], g["target"], "达标" if g["met"] else "未达标"]
                for key, label in COMPLAINT_LABELS.items()
                for g in [figures["complaints"][key]]
            ],
            caption=f"{period}受理的举报（S3），已办结即为已查核",
            percent={3, 4},
        ),
    ]
    team = figures["team"]
    if team is not None:
        caption = f"{team['unit']['name']}领导班子（现任 {team['size']} 人，年龄计算至 {figures['as_of']:%Y-%m-%d}）"
        groups = (("年龄", "age"), ("性别", "gender"), ("学历", "education"), ("职级", "level"))
        sheets += [
            Sheet(
                "班子结构",
                ["指标", "人数", "基数", "比例", "目标", "是否达标"],
                [
                    [t["label"], t["count"], t["basis"], t["share"], t["target_label"], _met(t["met"])]
                    for t in team["targets"]
                ],
                caption=caption,
                percent={3},
                more=[
                    (
                        ["分组", "类别", "人数", "比例"],
                        [[group, g["label"], g["count"], g["share"]] for group, key in groups for g in team[key]],
                    )
                ],
            ),
            Sheet(
                "班子成员",
                ["姓名", "职务", "职级", "性别", "年龄（周岁）", "学历"],
                [
                    [m["name"], m["position"], m["level"], m["gender"], m["age"], m["education"]]
                    for m in team["members"]
                ],
                caption=caption,
            ),
        ]
    sheets += [
        Sheet(
            "交流轮岗",
            ["姓名", "单位", "现任职务", "任现职时间", "任职年限（年）", "关键岗位", "交流要求", "依据"],
            [
                [
                    r["name"],
                    r["unit"],
                    r["position"],
                    r["since"],
                    r["years"],
                    _yes(r["key_post"]),
                    r["requirement"],
                    r["reason"],
                ]
                for r in figures["rotation"]
            ],
            caption=f"应交流轮岗的干部（C1），任职年限计算至 {figures['as_of']:%Y-%m-%d}",
        ),
        Sheet(
            "年度任职人员",
            ["姓名", "任职职务", "任职日期", "任职文号", "差额选拔", "新提拔"],
            [
                [
                    p["name"],
                    p["position"],
                    p["effective_on"],
                    p["document_number"],
                    _yes(p["competitive"]),
                    _yes(p["promotion"]),
                ]
                for p in figures["appointees"]
            ],
            caption=f"{period}任职的干部（供一报告两评议）",
        ),
    ]
    return xlsx.workbook_bytes(sheets)
