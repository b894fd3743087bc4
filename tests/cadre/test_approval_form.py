"""The 干部任免审批表 as Word, PDF and .lrmx downloads, for cadres and candidates, one or many; who may."""

import io
import re
import subprocess
import zipfile
from urllib.parse import unquote

import pytest
from django.urls import reverse

from cadre import lrmx, roles
from cadre.approval_form import render_docx, render_pdf
from tests.factories import PositionFactory, UserFactory

from .test_lrmx import rich_cadre

pytestmark = pytest.mark.django_db


def _docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _filename(response) -> str:
    return unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_the_word_file_holds_the_name_the_post_and_every_resume_line():
    cadre = rich_cadre(1)
    person = lrmx.from_cadre(cadre)
    text = _docx_text(render_docx(person))
    assert cadre.name in text
    assert str(cadre.position) in text
    lines = [lrmx.resume_line(item) for item in person.resume]
    assert len(lines) == 3
    for line in lines:
        assert line in text.split("\n")
    assert "干部任免审批表" in text and "家庭主要成员及重要社会关系" not in text  # vertical label, one char a line
    assert "刘芳" in text and "填表人：" in text
    from docx import Document

    document = Document(io.BytesIO(render_docx(person)))
    assert len(document.tables) == 2
    assert len(document.tables[1].rows) == 3 + 1 + 7 + 3  # seven family rows


def test_the_pdf_holds_the_name_the_post_and_every_resume_line():
    cadre = rich_cadre(1)
    person = lrmx.from_cadre(cadre)
    data = render_pdf(person)
    assert data.startswith(b"%PDF")
    text = _squeezed(_pdf_text(data))
    assert _squeezed(cadre.name) in text
    assert _squeezed(str(cadre.position)) in text
    for item in person.resume:
        assert _squeezed(lrmx.resume_line(item)) in text
    assert "理由" in text and "年度考" in text


@pytest.mark.parametrize("fmt", ["lrmx", "docx", "pdf"])
def test_cadre_downloads(staff_client, fmt):
    cadre = rich_cadre(0)
    response = staff_client.get(reverse("cadre:cadre_approval_form", args=[cadre.pk, fmt]))
    assert response.status_code == 200
    assert _filename(response).endswith(f"干部任免审批表 张三.{fmt}")
    if fmt == "lrmx":
        assert b"<XingMing>\xe5\xbc\xa0  \xe4\xb8\x89</XingMing>" in response.content
        assert b"DaoLingNianYue" in response.content


def test_the_3x_layout_on_request(staff_client):
    cadre = rich_cadre(0)
    response = staff_client.get(reverse("cadre:cadre_approval_form", args=[cadre.pk, "lrmx"]) + "?layout=3")
    assert b"DaoLingNianYue" not in response.content


def test_the_layout_setting(staff_client, settings):
    settings.LRMX_LAYOUT = "3"
    settings.LRMX_VERSION = "3.2.1.6"
    cadre = rich_cadre(0)
    response = staff_client.get(reverse("cadre:cadre_approval_form", args=[cadre.pk, "lrmx"]))
    assert b"DaoLingNianYue" not in response.content
    assert b"<Version>3.2.1.6</Version>" in response.content


def test_candidate_form_carries_the_proposed_post_and_the_briefs_reasons(staff_client, candidate, staff):
    from voting.models import Brief

    cadre = candidate.cadre
    cadre.position = PositionFactory()
    cadre.save()
    Brief.objects.create(
        candidate=candidate,
        recommendation="r",
        evaluation="e",
        traits="t",
        shortcomings="s",
        reasons="熟悉财政业务，群众公认度高",
        updated_by=staff,
    )
    response = staff_client.get(reverse("cadre:candidate_approval_form", args=[candidate.pk, "lrmx"]))
    assert response.status_code == 200
    person = lrmx.load(response.content)
    assert person.proposed_post == str(candidate.position)
    assert person.removed_post == str(cadre.position)
    assert person.reasons == "熟悉财政业务，群众公认度高"
    page = staff_client.get(reverse("cadre:candidate", args=[candidate.pk]))
    assert reverse("cadre:candidate_approval_form", args=[candidate.pk, "docx"]) in page.content.decode()


def test_the_cadre_page_links_the_forms(staff_client):
    cadre = rich_cadre(0)
    html = staff_client.get(reverse("cadre:cadre", args=[cadre.pk])).content.decode()
    for fmt in ("lrmx", "docx", "pdf"):
        assert reverse("cadre:cadre_approval_form", args=[cadre.pk, fmt]) in html


def test_several_at_once_as_a_zip(staff_client):
    cadres = [rich_cadre(n) for n in range(3)]
    ids = ",".join(str(c.pk) for c in cadres)
    response = staff_client.get(reverse("cadre:cadre_approval_forms") + f"?ids={ids}&format=lrmx")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert [re.sub(r"^\d{4}\.\d{2}\.\d{2} ", "", n) for n in names] == [
        "1.干部任免审批表 张三.lrmx",
        "2.干部任免审批表 欧阳明华.lrmx",
        "3.干部任免审批表 李四.lrmx",
    ]
    assert all(info.flag_bits & 0x800 for info in archive.infolist())
    response = staff_client.post(reverse("cadre:cadre_approval_forms"), {"ids": [cadres[0].pk], "format": "docx"})
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist()[0].endswith(".docx")


def test_candidates_zip(staff_client, candidate):
    response = staff_client.post(reverse("cadre:candidate_approval_forms"), {"ids": str(candidate.pk)})
    assert response.status_code == 200
    assert len(zipfile.ZipFile(io.BytesIO(response.content)).namelist()) == 1


# ---------------------------------------------------------------------------- who may


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (roles.ORG_STAFF, 200),
        (roles.SUPERVISOR, 200),
        (roles.ADMIN, 200),
        (roles.INSPECTOR, 403),
        (roles.COMMITTEE_MEMBER, 403),
    ],
)
def test_who_may_download_a_cadres_form(client, role, status):
    cadre = rich_cadre(0)
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("cadre:cadre_approval_form", args=[cadre.pk, "lrmx"])).status_code == status
    assert client.get(f"/api/v1/cadres/{cadre.pk}/approval-form.lrmx").status_code == status
    zipped = client.get(reverse("cadre:cadre_approval_forms") + f"?ids={cadre.pk}")
    assert zipped.status_code == status


def test_unknown_ids_and_formats_are_404(staff_client):
    cadre = rich_cadre(0)
    assert staff_client.get(reverse("cadre:cadre_approval_form", args=[cadre.pk + 999, "lrmx"])).status_code == 404
    assert staff_client.get(f"/cadres/{cadre.pk}/approval-form.exe").status_code == 404
    assert staff_client.get(f"/api/v1/cadres/{cadre.pk + 999}/approval-form.pdf").status_code == 404
    assert (
        staff_client.get(reverse("cadre:cadre_approval_forms") + f"?ids={cadre.pk},{cadre.pk + 999}").status_code == 404
    )
    assert staff_client.get(reverse("cadre:cadre_approval_forms") + "?ids=x").status_code == 400
    many = ",".join(str(n) for n in range(1, 52))
    assert staff_client.get(reverse("cadre:cadre_approval_forms") + f"?ids={many}&format=pdf").status_code == 400


def test_a_candidate_of_a_selection_one_does_not_work_on_is_404(client, candidate, other_staff):
    client.force_login(other_staff)
    assert client.get(reverse("cadre:candidate_approval_form", args=[candidate.pk, "lrmx"])).status_code == 404
    assert client.get(f"/api/v1/candidates/{candidate.pk}/approval-form.lrmx").status_code == 404


def test_anonymous_is_sent_to_login(client):
    cadre = rich_cadre(0)
    response = client.get(reverse("cadre:cadre_approval_form", args=[cadre.pk, "lrmx"]))
    assert response.status_code == 302
    assert client.get(f"/api/v1/cadres/{cadre.pk}/approval-form.lrmx").status_code in (401, 403)
