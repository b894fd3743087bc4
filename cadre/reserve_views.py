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

from . import reserve, roles
from .forms import CadreChoice, Form, call_service
from .models import Position, ReserveCadre, Unit
from .selectors import cadres_for_user
from .views import _limit_cadre_choices

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
    _limit_cadre_choices(add_form, user=user)
    unit, status = request.GET.get("unit", ""), request.GET.get("status", "")
    rows = list(reserve.reserve_list(unit_id=int(unit) if unit.isdigit() else None, status=status))
    today = timezone.localdate()
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
