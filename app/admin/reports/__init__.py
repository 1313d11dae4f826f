"""The partnership board's report: activity, reach, evaluation, case-review reach and
charges for a period, with its tables as CSV and the whole as an Excel workbook."""

from app.admin.reports import routes  # noqa: F401
