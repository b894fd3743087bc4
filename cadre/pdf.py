"""The papers the procedure hands out (issue #11), printed the one way: WeasyPrint with the CJK font
Debian ships (WenQuanYi Micro Hei), A4, the house layout of `templates/print/_base.html`.

A stage app builds a paper's context from its own data (`<app>/papers.py`); when something the paper
needs is not recorded yet it raises `PaperMissing` naming what, and `print_paper` answers with a page
saying so (409) instead of a half-empty sheet or a 500. Only the staff assigned to the selection print
(the papers are theirs to hand out); whoever cannot see the selection got a 404 before.
"""

from datetime import date
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .models import Selection
from .selectors import can_work_on

# The same organ and setting as the public notice's 落款 (supervision.models.default_issuer): cadre
# imports no stage app, so the default is repeated here rather than imported.
DEFAULT_ORGAN = "中共××县委组织部"
# 任职通知 is issued by the party committee itself, not its organization department.
DEFAULT_APPOINTING_ORGAN = "中共××县委"


class PaperMissing(Exception):
    """What a paper needs and the system does not hold yet: a list of Chinese sentences."""

    def __init__(self, missing: list[str]):
        super().__init__("；".join(missing))
        self.missing = missing


def issuing_organ() -> str:
    return getattr(settings, "PUBLICITY_ISSUER", "") or DEFAULT_ORGAN


def appointing_organ() -> str:
    return getattr(settings, "APPOINTMENT_ISSUER", "") or DEFAULT_APPOINTING_ORGAN


def ymd(day: date | None) -> str:
    """A date as papers print it: 2025年9月1日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def ym(day: date | None) -> str:
    return f"{day.year}.{day.month:02d}" if day else ""


def basic_facts(cadre, *, proposed=None) -> dict:
    """The facts a public paper shows of a person (P3; 001 三(一)5 考察对象公示): 姓名、性别、出生年月、
    籍贯、学历、现任职务 and, given, the proposed post. Unrecorded reads —."""
    current = str(cadre.position) if cadre.position_id else _("%(unit)s干部") % {"unit": cadre.unit.name}
    return {
        "name": cadre.name,
        "gender": cadre.get_gender_display(),
        "ethnicity": cadre.ethnicity or "—",
        "birth": ym(cadre.birth_date),
        "native_place": cadre.native_place or "—",
        "education": cadre.get_education_display() or "—",
        "current": current,
        "proposed": str(proposed) if proposed is not None else "",
    }


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # slow to import: only when a PDF is made

    return HTML(string=render_to_string(template, context)).write_pdf()


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """Shown in the browser (inline), saved under its Chinese name (RFC 6266 filename*, ASCII fallback)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=\"paper.pdf\"; filename*=UTF-8''{quote(filename)}"
    return response


def ensure_can_print(user, selection: Selection) -> None:
    if not can_work_on(user=user, selection=selection):
        raise PermissionDenied(_("只有承办此选任工作的组工干部可以打印该材料"))


def print_paper(request, *, selection: Selection, build, template: str, filename: str, title: str, back_url: str):
    """The assigned staff's PDF of one paper; `build()` returns its context or raises PaperMissing."""
    ensure_can_print(request.user, selection)
    try:
        context = build()
    except PaperMissing as exc:
        page = {"title": title, "missing": exc.missing, "back_url": back_url}
        return render(request, "print/missing.html", page, status=409)
    return pdf_response(render_pdf(template, {"paper_title": title, **context}), filename)
