"""The UI in English: the language cookie, Accept-Language and /i18n/setlang/ switch the staff workspace and
the stage pages to English; zh-hans (the default) stays Chinese; the English catalog is complete and compiled."""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _assert_page(html: str, *, present: list[str], absent: list[str]):
    for text in present:
        assert text in html, text
    for text in absent:
        assert text not in html, text


# ---------------------------------------------------------------------------- English


def test_dashboard_in_english_by_cookie(staff_client, candidate):
    html = _text(_english(staff_client).get(reverse("cadre:home")))
    assert '<html lang="en">' in html
    _assert_page(
        html,
        present=["Dashboard", "Waiting for me", "Candidate pipeline", "My selections", "New selection"],
        absent=["待我处理", "人选进度", "我的选任工作", "新建选任工作"],
    )


def test_selection_page_in_english_by_accept_language(staff_client, selection, candidate):
    html = _text(staff_client.get(reverse("cadre:selection", args=[selection.pk]), headers={"accept-language": "en"}))
    _assert_page(
        html,
        present=[
            "Positions and quotas",
            "Stage work",
            "Candidates (1)",
            "Add a candidate",
            "Reason for the motion",
        ],
        absent=["职位与职数", "各阶段工作", "添加人选", "批量操作结果"],
    )


def test_candidate_page_in_english_after_set_language(staff_client, candidate):
    url = reverse("cadre:candidate", args=[candidate.pk])
    response = staff_client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = _text(staff_client.get(url))
    _assert_page(
        html,
        present=[
            "What is missing",
            "Basic information",
            "Full-process record",
            "Record an important situation",
            "Nomination",  # the transition's label and the stage's
            "Listed as a candidate for",
        ],
        absent=["还缺什么", "基本情况", "全程纪实", "记录重要情况", "列为人选"],
    )


@pytest.mark.parametrize(
    ("name", "target", "present", "absent"),
    [
        ("nomination:nomination", "candidate", ["Initial nomination", "Nominations"], ["<h2>提名记录"]),
        ("nomination:motion", "selection", ["Motion agenda", "Registered agenda items"], ["已登记的议题"]),
        ("inspection:notice", "selection", ["Inspection notice", "Published on"], ["考察预告"]),
        ("inspection:team", "selection", ["Inspection team registration"], ["考察组登记备案"]),
        ("voting:meetings", "selection", ["Decision meetings", "Register a meeting", "Members entitled"], ["登记会议"]),
        ("voting:decision", "candidate", ["Vote results", "Appointment recommendation brief"], ["票决结果"]),
        ("supervision:publicity", "candidate", ["Publicity", "Complaints"], ["举报"]),
        ("supervision:appointment", "candidate", ["Pre-appointment talk"], ["任前谈话"]),
    ],
)
def test_stage_pages_in_english(staff_client, selection, candidate, name, target, present, absent):
    pk = {"selection": selection.pk, "candidate": candidate.pk}[target]
    html = _text(_english(staff_client).get(reverse(name, args=[pk])))
    _assert_page(html, present=present, absent=absent)


def test_form_labels_and_messages_in_english(staff_client, selection):
    client = _english(staff_client)
    html = _text(client.get(reverse("cadre:selection_create")))
    _assert_page(html, present=["Reason for the motion", "Competitive selection"], absent=["动议理由"])
    response = client.post(
        reverse("nomination:motion", args=[selection.pk]),
        {"meeting_name": "County standing committee", "meeting_date": "2026-03-01", "item": "Vice director"},
        follow=True,
    )
    assert "Motion agenda item registered and added to the full-process record" in _text(response)


# ---------------------------------------------------------------------------- Chinese unchanged


@pytest.mark.parametrize(
    ("name", "target", "present", "absent"),
    [
        ("cadre:home", None, ["工作台", "待我处理", "人选进度"], ["Dashboard", "Waiting for me"]),
        ("cadre:selection", "selection", ["职位与职数", "各阶段工作", "人选（1）"], ["Stage work"]),
        ("cadre:candidate", "candidate", ["下一步 · 还缺什么", "全程纪实", "基本情况"], ["What is missing"]),
        ("nomination:nomination", "candidate", ["提名记录", "参考人选"], ["Nominations"]),
        ("inspection:notice", "selection", ["考察预告"], ["Inspection notice"]),
        ("voting:meetings", "selection", ["讨论决定会议", "已登记的会议"], ["Decision meetings"]),
        ("supervision:publicity", "candidate", ["公示", "举报"], ["Complaints"]),
    ],
)
def test_chinese_by_default(staff_client, selection, candidate, name, target, present, absent):
    args = [{"selection": selection.pk, "candidate": candidate.pk}[target]] if target else []
    html = _text(staff_client.get(reverse(name, args=args)))
    assert '<html lang="zh-hans">' in html
    _assert_page(html, present=present, absent=absent)


def test_chinese_when_chosen_explicitly(staff_client, candidate):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = _text(staff_client.get(reverse("cadre:candidate", args=[candidate.pk]), headers={"accept-language": "en"}))
    _assert_page(html, present=["还缺什么", "列为人选"], absent=["What is missing"])


# ---------------------------------------------------------------------------- the catalog


def _po_entries(path: Path) -> list[tuple[str, str, list[str]]]:
    """(msgid, msgstr, flags) of each entry; the header (msgid "") included."""
    entries, flags, current, field = [], [], {}, None

    def flush():
        nonlocal flags, current
        if "msgid" in current:
            forms = [v for k, v in current.items() if k.startswith("msgstr[")]
            if forms:  # a plural entry: translated only when every form is; "plural" marks it
                current["msgstr"], flags = (forms[0] if all(f.strip() for f in forms) else ""), [*flags, "plural"]
            entries.append((current["msgid"], current.get("msgstr", ""), flags))
        flags, current = [], {}

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,"):
            flags += [f.strip() for f in line[2:].split(",")]
        elif line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
            field, _, literal = line.partition(" ")
            if field == "msgid" and "msgid" in current:
                flush()
            current[field] = ast.literal_eval(literal)
        elif line.startswith('"'):
            current[field] += ast.literal_eval(line)
        elif not line.strip():
            flush()
    return entries


def test_every_msgid_has_an_english_msgstr():
    entries = _po_entries(LOCALE / "django.po")
    assert len(entries) > 500
    untranslated = [msgid for msgid, msgstr, _ in entries if msgid and not msgstr.strip()]
    fuzzy = [msgid or "(header)" for msgid, _, flags in entries if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalog_matches_the_po_file():
    """The .mo is checked in (CI has no gettext): it must be compiled from the current .po."""
    with open(LOCALE / "django.mo", "rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = [
        msgid
        for msgid, msgstr, flags in _po_entries(LOCALE / "django.po")
        if msgid and (compiled.ngettext(msgid, msgid, 1) if "plural" in flags else compiled.gettext(msgid)) != msgstr
    ]
    assert stale == []


def test_help_page_rule_titles_in_english(staff_client):
    html = _text(_english(staff_client).get(reverse("cadre:help")))
    _assert_page(
        html,
        present=["No staffing over the quota", "Recusal of inspection team members", "Pre-appointment talk"],
        absent=["不得超职数配备", "考察组成员回避"],
    )
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "不得超职数配备" in _text(staff_client.get(reverse("cadre:help")))
