"""后备干部库: the pool per unit with each cadre's age, education, source, the posts considered and the
status history, the pool's structure against C2; staff add a cadre and withdraw or restore one."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from . import reserve, roles, xlsx
from .forms import CadreChoice, Form, call_service
from .models import Position, ReserveCadre, Unit
from .selectors import cadres_for_user
from .views import limit_cadre_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReserveAddForm(Form):
    cadre = CadreChoice(label=gettext_lazy("干部"), queryset=None)
    source = forms.CharField(
        label=gettext_lazy("推荐来源"), max_length=200, help_text=gettext_lazy("如：2026年度后备干部民主推荐")
    )
    since = forms.DateField(label=gettext_lazy("入库日期"), widget=DATE)
    positions = forms.ModelMultipleChoiceField(
        label=gettext_lazy("拟考虑职位"), queryset=Position.objects.select_related("unit"), required=False
    )

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres


class ReserveStatusForm(Form):
    reserve = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=ReserveCadre.Status.choices)
    reason = forms.CharField(label=gettext_lazy("事由"), max_length=500)


@login_required
@require_http_methods(["GET", "POST"])
def reserve_pool(request):
    user = request.user
    if not roles.can_read_cadres(user):
        raise PermissionDenied
    can_write = roles.can_write_cadres(user)
    add_form = ReserveAddForm(cadres=cadres_for_user(user=user), initial={"since": timezone.localdate()})
    status_code, status_errors = 200, []
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        if request.POST.get("action") == "status":
            form = ReserveStatusForm(request.POST)
            done, status_code = None, 400
            if form.is_valid():
                done, status_code = call_service(
                    form,
                    reserve.reserve_set_status,
                    actor=user,
                    reserve_id=form.cleaned_data["reserve"],
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                )
            if done is not None:
                messages.success(request, _("后备干部状态已更新"))
                return redirect(request.get_full_path())
            status_errors = [e for errors in form.errors.values() for e in errors]
        else:
            add_form = ReserveAddForm(request.POST, cadres=cadres_for_user(user=user))
            done, status_code = None, 400
            if add_form.is_valid():
                data = add_form.cleaned_data
                done, status_code = call_service(
                    add_form,
                    reserve.reserve_add,
                    actor=user,
                    cadre_id=data["cadre"].pk,
                    source=data["source"],
                    since=data["since"],
                    position_ids=[p.pk for p in data["positions"]],
                )
            if done is not None:
                messages.success(request, _("%(name)s 已列入后备干部库") % {"name": done.cadre.name})
                return redirect(request.get_full_path())
    limit_cadre_choices(add_form, user=user)
    unit, status = request.GET.get("unit", ""), request.GET.get("status", "")
    rows = list(reserve.reserve_list(unit_id=int(unit) if unit.isdigit() else None, status=status))
    today = timezone.localdate()
    if request.method == "GET" and xlsx.wants_xlsx(request):
        return xlsx.workbook_response(f"后备干部库-{today:%Y%m%d}.xlsx", _sheets(rows, today))
    context = {
        "rows": [(r, reserve.age(r.cadre.birth_date, today), reserve.BY_HAND[r.status]) for r in rows],
        "structure": reserve.structure([r for r in rows if r.status != ReserveCadre.Status.WITHDRAWN], today=today),
        "units": Unit.objects.order_by("name"),
        "unit": unit,
        "status": status,
        "statuses": ReserveCadre.Status.choices,
        "status_labels": dict(ReserveCadre.Status.choices),
        "can_write": can_write,
        "add_form": add_form,
        "status_errors": status_errors,
    }
    return render(request, "cadre/reserve.html", context, status=status_code)


def _sheets(rows, today) -> list[xlsx.Sheet]:
    """The page's two tables: the pool (as filtered) and its structure against C2."""
    status_labels = dict(ReserveCadre.Status.choices)
    pool = [
        [
            r.cadre.name,
            r.cadre.unit.name,
            r.cadre.position.title if r.cadre.position_id else "",
            reserve.age(r.cadre.birth_date, today),
            r.cadre.get_education_display(),
            r.source,
            r.since,
            "、".join(f"{p.unit.name}{p.title}" for p in r.positions.all()),
            r.get_status_display(),
            "；".join(
                f"{timezone.localtime(c.at):%Y-%m-%d} "
                + (f"{status_labels[c.from_status]} → " if c.from_status else "")
                + f"{status_labels[c.to_status]}：{c.reason}"
                for c in r.changes.all()
            ),
        ]
        for r in rows
    ]
    headers = ["姓名", "单位", "现任职务", "年龄", "学历", "推荐来源", "入库日期", "拟考虑职位", "状态", "状态变化"]
    active = [r for r in rows if r.status != ReserveCadre.Status.WITHDRAWN]
    shape = [
        [s["label"], s["count"], s["total"], s["count"] / s["total"] if s["total"] else None, str(s["target"])]
        for s in reserve.structure(active, today=today)
    ]
    return [
        xlsx.Sheet("后备干部", headers, pool, caption=f"后备干部库（{today:%Y-%m-%d}）"),
        xlsx.Sheet("结构", ["项目", "人数", "基数", "比例", "目标"], shape, caption="结构（不含已退出）", percent={3}),
    ]
