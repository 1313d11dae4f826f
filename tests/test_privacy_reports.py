"""Erasure keeps the board's report: every figure of every table is the same after every
person in the report's data set is erased, each counted in the agency they booked from."""

from pathlib import Path

from flask import current_app

from app.charges.queries import financial_year
from app.extensions import db
from app.models import Role
from app.privacy.erasure import erase
from app.reports import queries, tables
from app.reports.queries import ReportFilters
from app.transactions import saved
from tests.reports_data import NOW, build


def figures() -> dict[str, list[tuple]]:
    report = queries.report(db.session, ReportFilters(period=financial_year(2025)), NOW)
    return {
        name: [row.cells for row in tables.table_for_file(db.session, report, name).every_row]
        for name in tables.TABLES
    }


def test_every_report_figure_is_the_same_after_everyone_is_erased(app):
    data = build()
    db.session.commit()
    before = figures()
    assert any(before.values())

    for person in data.people.values():
        if person.role is Role.PROFESSIONAL:
            saved(erase, db.session, person.id, NOW, Path(current_app.config["UPLOAD_FOLDER"]))

    after = figures()
    answers_before, answers_after = (
        before.pop("evaluation-answers"),
        after.pop("evaluation-answers"),
    )
    assert after == before
    # The answers in words are erased with the people who wrote them; their count stays.
    assert len(answers_after) == len(answers_before)
