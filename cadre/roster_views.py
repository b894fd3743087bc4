"""干部名册: the roster list (filter, page, .xlsx), the Excel template, and the roster import
(upload → preview with each bad cell → apply). Thin: cadre.roster reads and writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import roles, roster, xlsx
from .errors import InvalidInput, NotAllowed
from .labels import choice_labels
from .models import Education, Gender, Unit
from .pagination import id_first_page
from .selectors import cadres_for_user, get_selection_for_user

PAGE_SIZE = 50


def _filtered(request):
    rows = cadres_for_user(user=request.user).order_by("unit__name", "name", "pk")
    query = request.GET.get("q", "").replace("\x00", "").strip()[:50]
    unit = request.GET.get("unit", "")
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(id_number=query.upper()))
    if unit.isdigit():
        rows = rows.filter(unit_id=int(unit))
    return rows, query, unit


class _ByUnit:
    """The roster's ids in its order (unit name, name, id) without sorting every cadre (issue #10).

    The count of each unit's cadres comes first (one GROUP BY over the unit index, which also gives
    the total); a page then reads only the units it falls in, each in (name, id) order from the
    index cadre_unit_name_id, at its offset inside that unit. Units of the same name form one group,
    so their cadres interleave by name exactly as the ORDER BY would put them.
    """

    def __init__(self, rows):
        self.rows = rows.select_related(None).order_by()
        self._groups = None

    def groups(self) -> list[tuple[list[int], int]]:
        if self._groups is None:
            counts = dict(self.rows.values_list("unit_id").annotate(n=Count("pk")))
            by_name: dict[str, list[int]] = {}
            for pk, name in Unit.objects.filter(pk__in=list(counts)).order_by("name", "pk").values_list("pk", "name"):
                by_name.setdefault(name, []).append(pk)
            self._groups = [(units, sum(counts[u] for u in units)) for units in by_name.values()]
        return self._groups

    def count(self):
        return sum(n for _, n in self.groups())

    def __len__(self):
        return self.count()

    def __getitem__(self, item: slice) -> list[int]:
        start, stop = item.start or 0, item.stop
        on_page: list[list[int]] = []  # the unit groups the page falls in, in order
        seen = first = 0
        for units, n in self.groups():
            if seen + n > start and seen < stop:
                first = first if on_page else seen
                on_page.append(units)
            seen += n
            if seen >= stop:
                break
        if not on_page:
            return []
        rows = self.rows.filter(unit_id__in=[u for units in on_page for u in units])
        if len(on_page) == 1:  # inside one group (the usual page): straight from the index
            rows = rows.order_by("name", "pk")
        else:  # across groups: one query still, the groups in their order
            group = Case(
                *(When(unit_id__in=units, then=Value(i)) for i, units in enumerate(on_page)),
                output_field=IntegerField(),
            )
            rows = rows.order_by(group, "name", "pk")
        return list(rows.values_list("pk", flat=True)[start - first : stop - first])


@login_required
@require_GET
def roster_list(request):
    if not roles.can_read_cadres(request.user):
        raise PermissionDenied
    rows, query, unit = _filtered(request)
    if request.GET.get("format") == "xlsx":
        headers = [c.header for c in roster.COLUMNS]
        data = roster.workbook("干部名册", headers, roster.cadre_rows(rows[: roster.MAX_ROWS]))
        return xlsx.file_response(data, f"干部名册-{timezone.localdate():%Y%m%d}.xlsx")
    # By unit, ids first, then the 50 rows with their unit and post (issue #10); labels looked up once.
    page = id_first_page(rows, request.GET.get("page"), per_page=PAGE_SIZE, id_source=_ByUnit(rows))
    genders, educations = choice_labels(Gender), choice_labels(Education)
    for cadre in page.object_list:
        cadre.gender_label = genders.get(cadre.gender, cadre.gender)
        cadre.education_label = educations.get(cadre.education, cadre.education)
    context = {
        "page": page,
        "query": query,
        "unit": unit,
        "units": Unit.objects.order_by("name"),
        "can_import": roles.can_write_cadres(request.user),
    }
    return render(request, "cadre/roster.html", context)


@login_required
@require_GET
def roster_template(request):
    if not roles.can_write_cadres(request.user):
        raise PermissionDenied
    return xlsx.file_response(roster.template(), "干部名册导入模板.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request):
    """Upload → preview (nothing written) → apply (one transaction, through the cadre services)."""
    if not roles.can_write_cadres(request.user):
        raise PermissionDenied
    context, status = {"rows": None, "errors": []}, 200
    if request.method == "POST":
        try:
            if "token" in request.POST:
                done = roster.apply(
                    actor=request.user, token=request.POST["token"], skip_bad=request.POST.get("skip_bad") == "1"
                )
                messages.success(
                    request,
                    _("名册已导入：新增 %(created)s 人，更新 %(updated)s 人，跳过 %(skipped)s 行") % done,
                )
                return redirect("cadre:roster")
            upload = request.FILES.get("file")
            if upload is None:
                raise InvalidInput({"file": [_("请选择要导入的 Excel 文件")]})
            if upload.size > roster.MAX_BYTES:
                raise roster.BadFile(_("文件超过 10 MB，请分批导入"))
            token, rows = roster.preview_save(actor=request.user, data=upload.read())
            context.update(
                rows=rows,
                token=token,
                bad=sum(1 for r in rows if r.errors),
                counts={a: sum(1 for r in rows if r.action == a) for a in ("create", "update", "same", "error")},
            )
        except InvalidInput as exc:
            context["errors"] = [str(m) for messages_ in exc.errors.values() for m in messages_]
            status = 400
        except NotAllowed as exc:
            context["errors"] = [exc.message]
            status = 403
    context["columns"] = roster.COLUMNS
    return render(request, "cadre/roster_import.html", context, status=status)


@login_required
@require_GET
def selection_candidates_xlsx(request, pk):
    """The candidates of one selection, with their stage, as .xlsx (Chinese headers)."""
    selection = get_selection_for_user(user=request.user, pk=pk)
    candidates = selection.candidates.select_related("cadre__unit", "cadre__position__unit", "position__unit").order_by(
        "position_id", "pk"
    )
    headers = ["姓名", "性别", "出生年月", "学历", "单位", "现任职务", "拟任职务", "所处阶段", "进入该阶段时间"]
    rows = [
        [
            c.cadre.name,
            c.cadre.get_gender_display(),
            c.cadre.birth_date.strftime("%Y.%m"),
            c.cadre.get_education_display(),
            c.cadre.unit.name,
            str(c.cadre.position or ""),
            str(c.position),
            c.get_stage_display(),
            timezone.localtime(c.stage_changed_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for c in candidates
    ]
    return xlsx.file_response(roster.workbook("人选", headers, rows), f"{selection.title}-人选.xlsx")
