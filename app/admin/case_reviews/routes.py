"""Case reviews and the courses that draw on them."""

from flask import render_template

from app.admin import bp


@bp.get("/case-reviews")
def case_reviews():
    return render_template("admin/case_reviews/index.html")
