"""I1's two papers, printed (issue #11): the inspection notice 考察预告 and the inspection objects'
notice 考察对象公示 (`001` 附件3: before inspection, publish the team's names and a contact phone and
the objects' basic facts). Both read the latest registered notice and the registered teams (I2: their
members and period) and list the open candidates assigned to a team, in candidacy order."""

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cadre import pdf
from cadre.models import OPEN_STAGES, Candidate, Selection
from cadre.people import person_name
from cadre.selectors import get_selection_for_user

from . import selectors


def _member_name(member) -> str:
    name = person_name(member.user)
    return name + (_("（组长）") if member.is_leader else "")


def notice_context(*, selection: Selection) -> dict:
    """What both papers print; PaperMissing names what is not registered yet."""
    notice = selectors.notices_for_selection(selection=selection).first()
    objects = list(
        Candidate.objects.filter(inspection_assignment__team__selection=selection, stage__in=OPEN_STAGES)
        .select_related("cadre__unit", "cadre__position__unit", "position__unit", "inspection_assignment")
        .order_by("pk")
    )
    by_team: dict[int, list] = {}
    for candidate in objects:
        by_team.setdefault(candidate.inspection_assignment.team_id, []).append(candidate)
    teams = [
        {
            "team": team,
            "members": [_member_name(m) for m in team.members.all()],
            "objects": by_team[team.pk],
            "period": _("%(start)s至%(end)s") % {"start": pdf.ymd(team.starts_on), "end": pdf.ymd(team.ends_on)},
        }
        for team in selection.inspection_teams.prefetch_related("members__user").order_by("pk")
        if team.pk in by_team
    ]
    missing = []
    if notice is None:
        missing.append(_("考察预告（发布日期、考察组人员名单、联系电话）：请在“考察预告”页登记"))
    if not teams:
        missing.append(_("考察组及其考察对象、考察时间：请在“考察组”页登记考察组并分配考察对象"))
    if missing:
        raise pdf.PaperMissing(missing)
    return {
        "selection": selection,
        "notice": notice,
        "teams": teams,
        "objects": [{"candidate": c, **pdf.basic_facts(c.cadre, proposed=c.position)} for c in objects],
        "starts_on": pdf.ymd(min(t["team"].starts_on for t in teams)),
        "ends_on": pdf.ymd(max(t["team"].ends_on for t in teams)),
        "issuer": pdf.issuing_organ(),
        "issued_on": pdf.ymd(notice.published_on),
    }


def _print(request, pk, *, template: str, title: str, filename: str):
    selection = get_selection_for_user(user=request.user, pk=pk)
    return pdf.print_paper(
        request,
        selection=selection,
        build=lambda: notice_context(selection=selection),
        template=template,
        filename=f"{filename}-{selection.title}.pdf",
        title=title,
        back_url=reverse("inspection:notice", args=[selection.pk]),
    )


@login_required
@require_GET
def notice_pdf(request, pk):
    return _print(request, pk, template="print/inspection_notice.html", title=_("考察预告"), filename=_("考察预告"))


@login_required
@require_GET
def objects_pdf(request, pk):
    return _print(
        request, pk, template="print/inspection_objects.html", title=_("考察对象公示"), filename=_("考察对象公示")
    )
