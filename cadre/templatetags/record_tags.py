"""The record as people read it (cadre.record_text): `{% record_entries entries %}` renders
`templates/cadre/_record_entries.html` — a sentence and a table per entry, the raw JSON and hashes
in a <details> (no JavaScript). `entries`: RecordEntry objects or the candidate page's timeline."""

from django import template

from cadre import record_text

register = template.Library()


@register.inclusion_tag("cadre/_record_entries.html")
def record_entries(entries, who="", raw=True):
    """`who`: the cadre's name for the sentences; `raw=False` leaves out the raw JSON (the PDF)."""
    return {"items": record_text.render_entries(entries, who=who or ""), "raw": raw}


@register.filter
def record_sentence(entry, who=""):
    return record_text.sentence(entry, who=who or "")


@register.inclusion_tag("cadre/_record_entries_print.html")
def record_entries_print(entries, who=""):
    """The same rendering for paper (the archive PDF): compact text, no raw JSON."""
    return {"items": record_text.render_entries(entries, who=who or "")}
