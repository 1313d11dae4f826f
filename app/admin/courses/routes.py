"""Courses: what is taught, in which prospectus, for whom."""

from flask import render_template

from app.admin import bp


@bp.get("/courses")
def courses():
    return render_template("admin/courses/index.html")
