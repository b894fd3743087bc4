"""The sheet of one-time ballot codes: one slip per code, each with `投票码：`, the code as plain text
and a QR code of the voting URL (WeasyPrint, like the brief PDF; the QR code is an inline SVG data URI).

Plain codes exist only when they are issued (the database keeps their sha256): the sheet is rendered
then, from what `ballot_session_create` returns, and kept in default_storage under
`ballot_codes/<session id>.pdf`, for the session's staff to download until the session closes (then
it is deleted). The QR code carries the code in the URL's fragment (`#code=…`), which browsers never
send to the server, so no access log holds it.
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

from .models import BallotSession


def storage_name(session_id: int) -> str:
    return f"ballot_codes/{session_id}.pdf"


def qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def codes_pdf(*, session: BallotSession, codes: list[str], vote_url: str) -> bytes:
    from weasyprint import HTML

    slips = [{"code": code, "qr": qr_data_uri(f"{vote_url}#code={code}")} for code in codes]
    html = render_to_string("voting/ballot_codes_pdf.html", {"session": session, "slips": slips, "vote_url": vote_url})
    return HTML(string=html).write_pdf()


def codes_pdf_save(*, session: BallotSession, codes: list[str], vote_url: str) -> str:
    """Renders the sheet and stores it (replacing any earlier one for this session id)."""
    name = storage_name(session.pk)
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(codes_pdf(session=session, codes=codes, vote_url=vote_url)))


def codes_pdf_open(session_id: int):
    """The stored sheet as an open file, or None."""
    name = storage_name(session_id)
    return default_storage.open(name, "rb") if default_storage.exists(name) else None


def codes_pdf_delete(session_id: int) -> None:
    """At closing: the plain codes are of no more use, and a sheet kept would only be something to leak."""
    name = storage_name(session_id)
    if default_storage.exists(name):
        default_storage.delete(name)
