"""People: accounts, their roles, bookings and attendance."""

from flask import render_template

from app.admin import bp


@bp.get("/users")
def users():
    return render_template("admin/users/index.html")
