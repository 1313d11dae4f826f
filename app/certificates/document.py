"""The certificate of attendance as a printable A4 PDF, with a QR code of its check page."""

from pathlib import Path

import segno
from flask import current_app, render_template

from app.certificates.service import shown_code
from app.display import in_london
from app.links import absolute_url
from app.models import Certificate

STYLESHEET = Path(__file__).resolve().parent.parent.parent / "static" / "pdf" / "certificate.css"


def verification_url(certificate: Certificate) -> str:
    """Where anyone can check the certificate: from BASE_URL, never the request's host."""
    return absolute_url("certificates.verify", code=shown_code(certificate.code))


def qr_code_svg(url: str) -> str:
    """The address as a QR code, as an SVG data URI that WeasyPrint draws."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def certificate_html(certificate: Certificate) -> str:
    url = verification_url(certificate)
    return render_template(
        "certificates/certificate_pdf.html",
        certificate=certificate,
        booking=certificate.booking,
        session=certificate.booking.session,
        code=shown_code(certificate.code),
        verification_url=url,
        qr_code=qr_code_svg(url),
    )


def certificate_pdf(certificate: Certificate) -> bytes:
    from weasyprint import CSS, HTML  # slow to import; only the PDF needs it

    document = HTML(string=certificate_html(certificate), base_url=current_app.config["BASE_URL"])
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


def certificate_file_name(certificate: Certificate) -> str:
    session = certificate.booking.session
    day = in_london(session.starts_at).date().isoformat()
    return f"certificate-{session.course.slug}-{day}.pdf"
