"""The supervisors' section 监督 (S1, S2, S4, S6): every selection and candidate, read-only.

Supervisors and administrators only (`cadre.roles.reads_everything`); anyone else gets 403. These
pages show no stage action: the only form that posts is the integrity check, which writes nothing
but a verification run. Complaints are handled on the existing publicity page
(`supervision:publicity`), which the investigator named by staff may use; statistics are S3's page.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cadre import roles, selectors, services, xlsx
from cadre.checkpoint import fingerprint
from cadre.errors import NotAllowed
from cadre.models import FORWARD, RecordKind, Stage
from cadre.views import PROBLEM_LABELS, forbidden

from . import exports
from . import oversight_selectors as oversight
from .models import Complaint

PER_PAGE = 50
XLSX_MAX_ROWS = 10_000  # an export of every complaint ever received stays one sheet
RECORD_INCLUDE = "cadre/_record_entries.html"  # the readable record, when its helper has written it
NOT_SUPERVISOR = "只有监督人员和系统管理员可以进入监督栏目"


def overseer_only(view):
    """Login, then 403 (in Chinese) for anyone who is neither supervisor nor administrator."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not roles.reads_everything(request.user):
            return forbidden(request, NotAllowed(NOT_SUPERVISOR))
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _candidates_page(request, rows, *, valid: bool):
    """A page of candidates: the ids paginated, then their rows (oversight.candidates_in_order)."""
    page = _page(request, rows.values_list("pk", flat=True) if valid else rows.none())
    page.object_list = oversight.candidates_in_order(list(page.object_list)) if valid else []
    return page


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# ---------------------------------------------------------------------------- filters


def _stage_choices():
    return [("", gettext_lazy("全部阶段")), *Stage.choices]


class CandidateFilter(forms.Form):
    selection = forms.IntegerField(label=gettext_lazy("选任工作"), required=False, min_value=1)
    stage = forms.ChoiceField(label=gettext_lazy("阶段"), required=False, choices=_stage_choices)
    q = forms.CharField(label=gettext_lazy("姓名"), required=False, max_length=50, strip=True)


class ImportantFilter(forms.Form):
    selection = forms.IntegerField(label=gettext_lazy("选任工作"), required=False, min_value=1)
    category = forms.ChoiceField(label=gettext_lazy("类别"), required=False)
    stage = forms.ChoiceField(label=gettext_lazy("发生时所处阶段"), required=False, choices=_stage_choices)
    date_from = forms.DateField(
        label=gettext_lazy("自"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=gettext_lazy("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("全部类别")),
            *((k, _(v)) for k, v in oversight.important_categories().items()),
        ]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("结束日期不能早于开始日期"))
        return data


class ComplaintFilter(forms.Form):
    selection = forms.IntegerField(label=gettext_lazy("选任工作"), required=False, min_value=1)
    status = forms.ChoiceField(
        label=gettext_lazy("办理状态"),
        required=False,
        choices=[("", gettext_lazy("全部")), ("open", gettext_lazy("未办结")), *Complaint.Status.choices],
    )
    mine = forms.BooleanField(label=gettext_lazy("只看交办给我的"), required=False)


def _filtered(form_class, request):
    """The bound filter and its cleaned data ({} when invalid: the page then shows the errors, 400)."""
    form = form_class(request.GET or None)
    if not request.GET:
        return form_class(), {}, 200
    if form.is_valid():
        return form, form.cleaned_data, 200
    return form, None, 400


def _selection_options(data) -> list[tuple[int, str, bool]]:
    """(pk, title, chosen) of the newest selections for the filter, the chosen one included."""
    chosen = (data or {}).get("selection")
    return [(pk, title, pk == chosen) for pk, title in oversight.selection_choices(include=chosen)]


# ---------------------------------------------------------------------------- overview (S6)


def _integrity_summary() -> dict:
    verification = selectors.latest_verification()
    checkpoint = selectors.checkpoints_list().first()
    if checkpoint is not None:
        checkpoint.fingerprint = fingerprint(checkpoint.public_key)
    broken = [
        {**item, "label": _(PROBLEM_LABELS.get(item.get("problem"), "记录被修改"))}
        for item in (verification.broken if verification else [])
    ]
    return {"verification": verification, "checkpoint": checkpoint, "broken": broken}


@overseer_only
@require_GET
def overview(request):
    """Every candidate of every selection, with the counts supervisors look at first."""
    form, data, status = _filtered(CandidateFilter, request)
    rows = oversight.oversight_candidates(
        selection_id=(data or {}).get("selection"), stage=(data or {}).get("stage"), q=(data or {}).get("q") or ""
    )
    page = _candidates_page(request, rows, valid=data is not None)
    oversight.annotate_candidates(page.object_list)
    counts = oversight.stage_counts()
    context = {
        "section": "overview",
        "form": form,
        "page": page,
        "query": _query_without_page(request),
        "selection_options": _selection_options(data),
        "funnel": [{"stage": s, "count": counts.get(s.value, 0)} for s in Stage if s in FORWARD or counts.get(s)],
        "total": sum(counts.values()),
        "open_complaints": oversight.open_complaints_total(),
        **_integrity_summary(),
    }
    return render(request, "supervision/oversight/overview.html", context, status=status)


@overseer_only
@require_GET
def selections(request):
    page = _page(request, oversight.oversight_selections())
    oversight.annotate_selections(page.object_list)
    return render(
        request,
        "supervision/oversight/selections.html",
        {"section": "selections", "page": page, "query": _query_without_page(request)},
    )


@overseer_only
@require_GET
def selection(request, pk):
    selection = selectors.get_selection_for_user(user=request.user, pk=pk)
    positions = list(selection.positions.select_related("unit").order_by("unit_id", "id"))
    candidates = oversight.annotate_candidates(list(oversight.oversight_candidates(selection_id=selection.pk)))
    responsibility = oversight.responsibilities([c.pk for c in candidates])
    for c in candidates:
        c.responsibility = responsibility[c.pk]
    context = {
        "section": "selections",
        "selection": selection,
        "positions": positions,
        "candidates": candidates,
        "assignees": oversight.assignees_of([selection.pk]).get(selection.pk, []),
    }
    return render(request, "supervision/oversight/selection.html", context)


def _record_items(entries) -> list[dict]:
    items = []
    for entry in entries:
        payload = entry.payload or {}
        at = timezone.localtime(entry.at)
        label = next((str(payload[k]) for k in ("label", "category_label", "summary") if payload.get(k)), "")
        items.append(
            {
                "entry": entry,
                "at_iso": at.isoformat(),
                "at_text": at.strftime("%Y-%m-%d %H:%M:%S"),
                "kind_label": RecordKind(entry.kind).label if entry.kind in RecordKind.values else entry.kind,
                "label": label,
                "text": payload.get("text") or payload.get("reason") or "",
                "outcome": payload.get("outcome") if entry.kind == RecordKind.IMPORTANT else "",
                "transition": payload.get("transition"),
                "from": payload.get("from") or payload.get("stage"),
                "to": payload.get("to"),
                "important": entry.is_important,
                "refused": entry.kind == RecordKind.REFUSED,
            }
        )
    return items


def _readable_record(entries, *, who: str) -> list[dict] | None:
    """The record as people read it (`cadre.record_text`, rendered by `cadre/_record_entries.html`,
    as on the staff's candidate page), or None while that renderer is not there: the page then
    lists seq, time, actor and label itself."""
    try:
        from cadre import record_text

        get_template(RECORD_INCLUDE)
    except (ImportError, TemplateDoesNotExist):
        return None
    return record_text.render_entries(entries, who=who)


@overseer_only
@require_GET
def candidate(request, pk):
    """One candidate, read-only: facts, who was responsible at each stage (S4), important
    situations (S2), complaints, and the full record (S1)."""
    candidate = selectors.get_candidate_for_user(user=request.user, pk=pk)
    entries = list(selectors.record_for_candidate(candidate=candidate))
    items = _record_items(entries)
    context = {
        "section": "overview",
        "candidate": candidate,
        "cadre": candidate.cadre,
        "responsibility": oversight.responsibilities([candidate.pk])[candidate.pk],
        "assignees": oversight.assignees_of([candidate.selection_id]).get(candidate.selection_id, []),
        "important": [i for i in items if i["entry"].kind == RecordKind.IMPORTANT],
        "complaints": oversight.complaints_for_candidate(candidate.pk),
        "record": items,
        "readable": _readable_record(entries, who=candidate.cadre.name),
        "record_include": RECORD_INCLUDE,
    }
    return render(request, "supervision/oversight/candidate.html", context)


# ---------------------------------------------------------------------------- important situations (S2)


@overseer_only
@require_GET
def important(request):
    form, data, status = _filtered(ImportantFilter, request)
    rows = oversight.important_situations()
    if data is not None:
        data = dict(data)
        rows = oversight.important_situations(selection_id=data.pop("selection", None), **data)
    page = _page(request, rows if data is not None else rows.none())
    for entry in page.object_list:
        entry.at_local = timezone.localtime(entry.at)
    context = {
        "section": "important",
        "form": form,
        "page": page,
        "query": _query_without_page(request),
        "selection_options": _selection_options(data),
    }
    return render(request, "supervision/oversight/important.html", context, status=status)


# ---------------------------------------------------------------------------- responsibility (S4)


@overseer_only
@require_GET
def responsibility(request):
    form, data, status = _filtered(CandidateFilter, request)
    rows = oversight.oversight_candidates(
        selection_id=(data or {}).get("selection"), stage=(data or {}).get("stage"), q=(data or {}).get("q") or ""
    )
    page = _candidates_page(request, rows, valid=data is not None)
    found = oversight.responsibilities([c.pk for c in page.object_list])
    assignees = oversight.assignees_of(list({c.selection_id for c in page.object_list}))
    for c in page.object_list:
        c.responsibility = found[c.pk]
        c.assignees = assignees.get(c.selection_id, [])
    context = {
        "section": "responsibility",
        "form": form,
        "page": page,
        "query": _query_without_page(request),
        "selection_options": _selection_options(data),
        "columns": [Stage.NOMINATION, Stage.INSPECTION, Stage.DECISION],
    }
    return render(request, "supervision/oversight/responsibility.html", context, status=status)


# ---------------------------------------------------------------------------- complaints (S3)


@overseer_only
@require_GET
def complaints(request):
    form, data, status = _filtered(ComplaintFilter, request)
    data_or_empty = data or {}
    rows = oversight.oversight_complaints(
        status=data_or_empty.get("status"),
        selection_id=data_or_empty.get("selection"),
        assigned_to=request.user if data_or_empty.get("mine") else None,
    )
    if data is not None and xlsx.wants_xlsx(request):  # the filtered list, every page, as a file
        name = f"举报办理-{timezone.localdate():%Y%m%d}.xlsx"
        return xlsx.workbook_response(name, exports.complaint_list_sheets(rows[:XLSX_MAX_ROWS]))
    page = _page(request, rows if data is not None else rows.none())
    context = {
        "section": "complaints",
        "form": form,
        "page": page,
        "query": _query_without_page(request),
        "selection_options": _selection_options(data),
    }
    return render(request, "supervision/oversight/complaints.html", context, status=status)


# ---------------------------------------------------------------------------- integrity (S1)


@overseer_only
@require_GET
def integrity(request):
    return render(request, "supervision/oversight/integrity.html", {"section": "integrity", **_integrity_summary()})


@overseer_only
@require_POST
def integrity_verify(request):
    """One click: walk every chain now (a verification run is stored; nothing else is written)."""
    run = services.record_verification_run()
    if run.ok:
        messages.success(request, _("纪实记录完整"))
    else:
        messages.error(request, _("纪实记录校验发现问题，见下表"))
    return redirect("supervision:oversight_integrity")
