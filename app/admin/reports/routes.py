"""The board's report: the page, each table as CSV, and the whole as an Excel workbook.

Filters come from the address. A filter that is not valid is shown with its error and
left out, the page answering 400 with the rest applied; a download asked for with one
answers 400, as its link is only ever made from valid filters.
"""

from flask import abort, render_template, request

from app.admin import bp
from app.admin.case_reviews.lesson_links import all_courses
from app.admin.prospectuses.service import all_prospectuses
from app.admin.reports.forms import ReportForm
from app.charges.queries import all_agencies
from app.display import in_london, short_date
from app.downloads import private_download
from app.extensions import db
from app.models import utcnow
from app.reports import charts, exports, queries, tables
from app.reports.definitions import DEFINITIONS


def report_form() -> tuple[ReportForm, bool]:
    form = ReportForm(
        request.args,
        in_london(utcnow()).date(),
        all_prospectuses(db.session),
        all_courses(db.session),
        all_agencies(db.session),
    )
    return form, form.validate()


def file_name(report: queries.Report, stem: str, kind: str) -> str:
    period = report.filters.period
    return f"{stem}-{period.first_day:%Y-%m-%d}-to-{period.last_day:%Y-%m-%d}.{kind}"


def valid_report() -> tuple[ReportForm, queries.Report]:
    form, valid = report_form()
    if not valid:
        abort(400, "Correct the filters on the reports page, then download again.")
    return form, queries.report(db.session, form.filters(), utcnow())


@bp.get("/reports")
def reports():
    form, valid = report_form()
    report = queries.report(db.session, form.filters(), utcnow())
    page = render_template(
        "admin/reports/index.html",
        form=form,
        report=report,
        described=form.described(),
        arguments=form.query_args(),
        tables={name: table(report) for name, table in tables.TABLES.items()},
        outcome_tables=tables.outcome_tables(report),
        review_tables=tables.review_tables(report),
        cell_text=tables.page_text,
        charts={
            "attended_by_sector": charts.attended_by_sector(report),
            "coverage_by_agency": charts.coverage_by_agency(report),
            "confidence_by_course": charts.confidence_by_course(report),
        },
        review_charts={
            review.id: charts.review_confidence_by_sector(review) for review in report.reviews
        },
        definitions=DEFINITIONS,
        answers_shown=queries.ANSWERS_SHOWN,
    )
    return page, (200 if valid else 400)


@bp.get("/reports/<name>.csv")
def report_table_csv(name: str):
    """One table of the report, as the page's filters choose; 404 for a table it has not."""
    if name not in tables.TABLES:
        abort(404)
    _, report = valid_report()
    table = tables.table_for_file(db.session, report, name)
    return private_download(exports.table_csv(table), "text/csv", file_name(report, name, "csv"))


@bp.get("/reports.xlsx")
def report_xlsx():
    """The whole report as a workbook: what it counts, then a sheet a table."""
    form, report = valid_report()
    about = [
        *form.described(),
        ("Made", f"{short_date(report.made_at)} at {in_london(report.made_at):%H:%M}"),
        *[(term, words) for section in DEFINITIONS.values() for term, words in section],
    ]
    content = exports.report_xlsx(about, tables.every_table_for_file(db.session, report))
    return private_download(content, exports.XLSX, file_name(report, "report", "xlsx"))
