"""纸质民主测评 (E2): the page where paper evaluation tallies are entered twice from Excel, the
templates, and the confirmed results as .xlsx. Thin: voting.services decides, voting.exports reads.

Org staff and administrators enter (they keep cadre facts); supervisors read; others get 403. A first
entry's numbers are never shown or exported before the second, blind entry confirms them.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cadre import roles, xlsx
from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.forms import Form, call_service
from cadre.models import Cadre, Unit

from . import exports, services
from .models import PaperEvaluation


class EvaluationUploadForm(Form):
    title = forms.CharField(
        label=gettext_lazy("测评名称"),
        max_length=200,
        help_text=gettext_lazy("如：2026年度县直单位领导班子和领导干部民主测评"),
    )
    year = forms.IntegerField(label=gettext_lazy("测评年度"))
    file = forms.FileField(label=gettext_lazy("填好的 Excel 文件"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="up", **kwargs)


class EvaluationFileForm(Form):
    file = forms.FileField(label=gettext_lazy("填好的 Excel 文件"))


GRADES = (
    ("excellent", gettext_lazy("优秀")),
    ("competent", gettext_lazy("称职")),
    ("basically_competent", gettext_lazy("基本称职")),
    ("incompetent", gettext_lazy("不称职")),
)


class EvaluationCountsForm(Form):
    """Typed entry: 收回测评票数 and four counts per cadre, fields `<grade>_<cadre id>`. First entry: a
    cadre's four boxes all blank = not rated on this sheet; second entry: every box is required."""

    ballots = forms.IntegerField(label=gettext_lazy("收回测评票数"), min_value=0)

    def __init__(self, *args, cadres, required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.cadres = list(cadres)
        for cadre in self.cadres:
            for grade, label in GRADES:
                self.fields[f"{grade}_{cadre.pk}"] = forms.IntegerField(
                    label=f"{cadre.name} {label}", required=required, min_value=0
                )

    def rows(self) -> dict[int, dict[str, int | None]]:
        rows = {}
        for cadre in self.cadres:
            counts = {grade: self.cleaned_data.get(f"{grade}_{cadre.pk}") for grade, _label in GRADES}
            if any(v is not None for v in counts.values()):
                rows[cadre.pk] = counts
        return rows

    def cadre_rows(self):
        return [(cadre, [self[f"{grade}_{cadre.pk}"] for grade, _label in GRADES]) for cadre in self.cadres]


class EvaluationEntryForm(EvaluationCountsForm):
    title = forms.CharField(label=gettext_lazy("测评名称"), max_length=200)
    year = forms.IntegerField(label=gettext_lazy("测评年度"))
    field_order = ["title", "year", "ballots"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="t", required=False, **kwargs)


def _evaluations():
    return PaperEvaluation.objects.select_related("entered_by", "confirmed_by").prefetch_related("rows__cadre__unit")


def _pk(value) -> int | None:
    return int(value) if str(value or "").isdigit() and len(str(value)) < 12 else None


@login_required
@require_http_methods(["GET", "POST"])
def paper_evaluations(request):
    user = request.user
    if not roles.can_read_cadres(user):
        raise PermissionDenied(_("只有组工干部、监督人员和系统管理员可以查看民主测评结果"))
    can_write = roles.can_write_cadres(user)
    if request.method == "GET" and request.GET.get("format") in ("xlsx", "template"):
        return _file(request)
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and not can_write:
        raise PermissionDenied(_("只有组工干部和系统管理员可以录入民主测评结果"))
    evaluation_pk = _pk(request.POST.get("evaluation")) if action else None
    upload = (
        EvaluationUploadForm(request.POST, request.FILES)
        if action == "upload"
        else EvaluationUploadForm(initial={"year": timezone.localdate().year})
    )
    confirm = EvaluationFileForm(request.POST, request.FILES) if action == "upload_confirm" else EvaluationFileForm()
    status, page_error = 200, ""
    unit = Unit.objects.filter(pk=_pk(request.POST.get("unit") if action else request.GET.get("unit")) or 0).first()
    unit_cadres = Cadre.objects.filter(unit=unit).order_by("name", "pk") if unit else []
    entry = EvaluationEntryForm(
        request.POST if action == "enter" else None,
        cadres=unit_cadres,
        initial={"year": timezone.localdate().year},
    )
    pending = [e for e in _evaluations().filter(confirmed_by__isnull=True) if e.entered_by_id != user.pk]
    typed = {
        e.pk: EvaluationCountsForm(
            request.POST if action == "confirm" and e.pk == evaluation_pk else None,
            prefix=f"e{e.pk}",
            cadres=[r.cadre for r in e.rows.all()],
            required=True,
        )
        for e in pending
    }
    if action == "enter":
        status = 400
        if unit is not None and entry.is_valid():
            data = entry.cleaned_data
            done, status = call_service(
                entry,
                services.paper_evaluation_enter,
                actor=user,
                title=data["title"],
                year=data["year"],
                ballots=data["ballots"],
                rows=entry.rows(),
            )
            if done is not None:
                messages.success(
                    request, _("第一次录入已保存。须由另一名承办人对照纸质测评票再录入一次，核对一致后方计入结果。")
                )
                return redirect("voting:paper_evaluations")
        elif unit is None:
            page_error = _("请选择单位")
    elif action == "confirm":
        form = typed.get(evaluation_pk)
        if form is None:
            mine = PaperEvaluation.objects.filter(pk=evaluation_pk or 0, entered_by=user, confirmed_by__isnull=True)
            status = 403 if mine.exists() else 400
            page_error = (
                _("不能核对确认自己录入的民主测评结果，须由另一名承办人重新录入")
                if status == 403
                else _("找不到待核对的民主测评记录（可能已被确认或撤销）")
            )
        else:
            status = 400
            if form.is_valid():
                done, status = call_service(
                    form,
                    services.paper_evaluation_confirm,
                    actor=user,
                    evaluation_id=evaluation_pk,
                    ballots=form.cleaned_data["ballots"],
                    rows=form.rows(),
                )
                if done is not None:
                    messages.success(request, _("两次录入一致，民主测评结果已确认，记入干部信息"))
                    return redirect("voting:paper_evaluations")
    elif action == "upload":
        status = 400
        if upload.is_valid():
            data = upload.cleaned_data
            done, status = call_service(
                upload,
                services.paper_evaluation_enter_xlsx,
                actor=user,
                title=data["title"],
                year=data["year"],
                data=data["file"].read(xlsx.MAX_UPLOAD + 1),
            )
            if done is not None:
                messages.success(
                    request, _("第一次录入已保存。须由另一名承办人对照纸质测评票再录入一次，核对一致后方计入结果。")
                )
                return redirect("voting:paper_evaluations")
    elif action == "upload_confirm":
        status = 400
        if confirm.is_valid():
            done, status = call_service(
                confirm,
                services.paper_evaluation_confirm_xlsx,
                actor=user,
                evaluation_id=evaluation_pk,
                data=confirm.cleaned_data["file"].read(xlsx.MAX_UPLOAD + 1),
            )
            if done is not None:
                messages.success(request, _("两次录入一致，民主测评结果已确认，记入干部信息"))
                return redirect("voting:paper_evaluations")
    elif action == "discard":
        try:
            services.paper_evaluation_discard(actor=user, evaluation_id=evaluation_pk)
        except InvalidInput as exc:
            status, page_error = 400, "；".join(m for ms in exc.errors.values() for m in ms)
        except NotAllowed as exc:
            status, page_error = 403, exc.message
        except Conflict as exc:
            status, page_error = 409, exc.message
        else:
            messages.success(request, _("未确认的录入已撤销"))
            return redirect("voting:paper_evaluations")
    elif action is not None:
        status, page_error = 400, _("未知的操作")
    context = {
        "evaluations": list(_evaluations()[:100]),
        "can_write": can_write,
        "upload": upload,
        "confirm": confirm,
        "confirm_pk": evaluation_pk if action == "upload_confirm" else None,
        "unit": unit,
        "entry": entry,
        "typed": typed,
        "units": Unit.objects.order_by("name"),
        "page_error": page_error,
    }
    return render(request, "voting/paper_evaluations.html", context, status=status)


def _file(request):
    """?format=xlsx: every confirmed result; ?format=template&unit= (first entry) or &evaluation= (second)."""
    if request.GET["format"] == "xlsx":
        rows = [
            [
                e.year,
                e.title,
                e.ballots,
                r.cadre.name,
                r.cadre.unit.name,
                r.excellent,
                r.competent,
                r.basically_competent,
                r.incompetent,
                e.entered_by.get_username(),
                e.confirmed_by.get_username(),
            ]
            for e in _evaluations().filter(confirmed_by__isnull=False)
            for r in e.rows.all()
        ]
        headers = [
            "测评年度",
            "测评名称",
            "收回测评票数",
            "干部",
            "单位",
            "优秀",
            "称职",
            "基本称职",
            "不称职",
            "录入人",
            "核对确认人",
        ]
        sheet = xlsx.Sheet("民主测评结果", headers, rows, caption="已确认的纸质民主测评结果（两人录入核对一致）")
        return xlsx.workbook_response(f"民主测评结果-{timezone.localdate():%Y%m%d}.xlsx", [sheet])
    evaluation = _pk(request.GET.get("evaluation"))
    if evaluation is not None:
        found = PaperEvaluation.objects.filter(pk=evaluation, confirmed_by__isnull=True).first()
        if found is None:
            raise Http404(_("找不到待核对的民主测评记录"))
        cadres = [r.cadre for r in found.rows.select_related("cadre__unit").order_by("id")]
        title = f"{found.year}年度 {found.title}（第二次录入）"
        return xlsx.workbook_response(
            f"民主测评第二次录入模板-{found.pk}.xlsx", exports.evaluation_template_sheets(cadres, title=title)
        )
    unit = Unit.objects.filter(pk=_pk(request.GET.get("unit")) or 0).first()
    if unit is None:
        raise Http404(_("请选择单位"))
    cadres = Cadre.objects.filter(unit=unit).select_related("unit").order_by("name", "pk")
    return xlsx.workbook_response(
        f"民主测评票数模板-{unit.name}.xlsx", exports.evaluation_template_sheets(cadres, title=f"{unit.name}民主测评")
    )
