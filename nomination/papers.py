"""R1's paper ballot 民主推荐票 for a recommendation meeting, printed (issue #11).

Per post of the selection, its candidates in the recommendation stage in the ballot's fixed order:
the order of their candidacies in the selection, as `selectors.ballot_cadres` (and so the entry form
the counted ballots are typed into) lists them, never by name or votes. A competitive selection
差额 asks for 推荐 marks, at most as many as the post's vacancies (M3's count, as the online ballot
uses); a non-competitive one 等额 asks 同意/不同意/弃权 of each. The paper names no voter: a ballot
is secret (V2, R1), so there is no name line, number or code on it."""

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cadre import pdf
from cadre.models import Candidate, Selection, Stage
from cadre.selectors import get_selection_for_user, position_occupancy


def ballot_context(*, selection: Selection) -> dict:
    candidates = list(
        Candidate.objects.filter(selection=selection, stage=Stage.RECOMMENDATION)
        .select_related("cadre__unit", "cadre__position__unit", "position__unit")
        .order_by("pk")
    )
    if not candidates:
        raise pdf.PaperMissing([_("没有处于民主推荐阶段的人选：请先完成提名，推荐票只列入民主推荐阶段的人选")])
    posts: dict[int, dict] = {}  # in the order of each post's first candidacy
    for candidate in candidates:
        post = posts.setdefault(candidate.position_id, {"position": candidate.position, "rows": []})
        post["rows"].append(pdf.basic_facts(candidate.cadre))
    missing = []
    for post in posts.values():
        occupancy = position_occupancy(position=post["position"])
        post["vacancies"] = occupancy["quota"] - occupancy["holders"] - occupancy["pending"]
        if post["vacancies"] < 1:
            missing.append(_("“%(post)s”没有空缺职数（M3），不能推荐") % {"post": post["position"]})
    if missing:
        raise pdf.PaperMissing(missing)
    return {"selection": selection, "posts": list(posts.values()), "competitive": selection.competitive}


@login_required
@require_GET
def ballot_pdf(request, pk):
    selection = get_selection_for_user(user=request.user, pk=pk)
    return pdf.print_paper(
        request,
        selection=selection,
        build=lambda: ballot_context(selection=selection),
        template="print/recommendation_ballot.html",
        filename=_("民主推荐票-%(title)s.pdf") % {"title": selection.title},
        title=_("民主推荐票"),
        back_url=reverse("nomination:recommendation_entry", args=[selection.pk]),
    )
