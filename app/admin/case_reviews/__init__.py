"""Case reviews and the courses that draw on them."""

from app.admin.case_reviews import routes  # noqa: F401
