"""The certificate's PDF, for the person who attended and for coordinators, and the
public page where an employer or inspector checks a certificate by its code."""

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required

from app.certificates import document, service
from app.downloads import private_download
from app.extensions import db, limiter

bp = Blueprint("certificates", __name__)


@bp.get("/bookings/<id:booking_id>/certificate.pdf")
@login_required
def certificate_pdf(booking_id: int):
    """For the person who attended, or a coordinator; anyone else, and any booking without
    a certificate standing (not attended, left early, revoked), gets 404."""
    certificate = service.certificate_for(db.session, booking_id, current_user) or abort(404)
    return private_download(
        document.certificate_pdf(certificate),
        "application/pdf",
        document.certificate_file_name(certificate),
    )


@bp.get("/certificates/<code>")
@limiter.limit(
    lambda: current_app.config["VERIFY_CERTIFICATE_LIMIT_PER_CLIENT"],
    scope="VERIFY_CERTIFICATE_LIMIT_PER_CLIENT",
)
def verify(code: str):
    """Open to anyone. An unknown code answers 404; a withdrawn one 410 (Gone), since the
    code was real and its page says so."""
    certificate = service.find_by_code(db.session, code)
    if certificate is None:
        return render_template("certificates/not_found.html"), 404
    if certificate.is_revoked:
        return render_template("certificates/withdrawn.html", certificate=certificate), 410
    return render_template(
        "certificates/verified.html",
        certificate=certificate,
        booking=certificate.booking,
        session=certificate.booking.session,
        code=service.shown_code(certificate.code),
    )
