"""The signed-in person's own training record, as a page, a PDF and a CSV."""

from flask import render_template
from flask_login import current_user, login_required

from app.downloads import private_download
from app.extensions import db
from app.models import utcnow
from app.records import bp, document, queries


def own_record() -> queries.TrainingRecord:
    return queries.training_record(db.session, current_user, current_user, utcnow())


@bp.get("/account/record")
@login_required
def record():
    return render_template("records/record.html", record=own_record(), own=True)


@bp.get("/account/record.pdf")
@login_required
def record_pdf():
    found = own_record()
    return private_download(
        document.record_pdf(found), "application/pdf", document.record_file_name(found, "pdf")
    )


@bp.get("/account/record.csv")
@login_required
def record_csv():
    found = own_record()
    return private_download(
        document.record_csv(found), "text/csv", document.record_file_name(found, "csv")
    )
