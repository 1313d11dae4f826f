"""Account pages under /account. Each form shows its errors and keeps what was typed."""

from collections.abc import Callable
from email.utils import parseaddr

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import OperationalError

from app.accounts import bp, devices, service, tokens
from app.accounts.forms import (
    ChoosePasswordForm,
    ConfirmForm,
    ProfileForm,
    RegisterForm,
    ResetRequestForm,
    SignInForm,
)
from app.accounts.redirects import landing_endpoint, safe_next_path
from app.bookings.queries import bookings_of
from app.charges.queries import charges_of_person
from app.database import is_lock_failure, locks_for_itself
from app.extensions import db, limiter
from app.forms import form_page, page_status
from app.models import utcnow
from app.refusals import Refused
from app.transactions import saved


def submitted_email() -> str:
    """Limits per address count every spelling of an address as one."""
    return "address:" + request.form.get("email", "").strip().lower()


def submitted_email_from_client() -> str:
    return f"{submitted_email()} client:{get_remote_address()}"


def failed(response: Response) -> bool:
    """A sign-in that signed nobody in: a wrong password, or a form with errors."""
    return response.status_code == 400


def limit_failures(
    setting: str, key_func: Callable[[], str], exempt_when: Callable[[], bool] | None = None
):
    """A limit on failed attempts only: what is past it is refused whatever the password."""
    return limiter.limit(
        lambda: current_app.config[setting],
        key_func=key_func,
        methods=["POST"],
        scope=setting,
        deduct_when=failed,
        exempt_when=exempt_when,
    )


def browser_signed_in_before() -> bool:
    return devices.signed_in_before(request.form.get("email", ""))


def limit_per_address(setting: str):
    return limiter.limit(
        lambda: current_app.config[setting],
        key_func=submitted_email,
        methods=["POST"],
        scope=setting,
    )


def limit_per_client(setting: str):
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"], scope=setting)


def show_refusal(form, error: service.AccountError) -> None:
    """Show a service's refusal at the field it concerns, as a validator would."""
    field = form[error.field] if error.field and error.field in form else form.submit
    field.errors = [*field.errors, str(error)]


@bp.route("/register", methods=["GET", "POST"])
@limit_per_client("REGISTER_LIMIT_PER_CLIENT")
def register():
    form = RegisterForm(service.listed_agencies(db.session))
    if not form.validate_on_submit():
        status = page_status(form)
        return render_template("accounts/register.html", form=form), status
    try:
        saved(service.register, db.session, form.details(), form.password.data)
    except service.AccountError as error:
        show_refusal(form, error)
        return render_template("accounts/register.html", form=form), 400
    # The same page whether or not the address already had an account.
    return redirect(url_for("accounts.check_email"))


@bp.get("/register/check-email")
def check_email():
    return render_template("accounts/check_email.html")


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str):
    """Confirm an email address from the mailed link (24 hours, signed).

    Following the link shows a button that confirms it: mail systems open links to check
    them, and that alone must not confirm anybody's address.
    """
    form = ConfirmForm()
    try:
        claims = tokens.confirmation_link(token)
        if not form.validate_on_submit():
            user = service.user_to_verify(db.session, claims)
            return form_page("accounts/verify.html", form, user=user, address=claims["email"])
        user = saved(service.verify_email, db.session, claims)
    except Refused as error:
        return render_template("accounts/verify_failed.html", message=str(error)), 400
    return render_template("accounts/verified.html", user=user)


@bp.post("/verify/send-again")
@login_required
@limiter.limit(
    lambda: current_app.config["VERIFY_RESEND_LIMIT"],
    key_func=lambda: f"person:{current_user.id}",
    scope="VERIFY_RESEND_LIMIT",
)
def send_verification_again():
    form = ConfirmForm()
    if form.validate_on_submit() and not current_user.is_verified:
        saved(service.send_verification, current_user)
        flash(f"We have sent a new link to {current_user.email}.", "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/sign-in", methods=["GET", "POST"])
@limit_failures("SIGN_IN_LIMIT_PER_ADDRESS_AND_CLIENT", submitted_email_from_client)
@limit_failures("SIGN_IN_LIMIT_PER_ADDRESS", submitted_email, exempt_when=browser_signed_in_before)
@limit_per_client("SIGN_IN_LIMIT_PER_CLIENT")
@locks_for_itself
def sign_in():
    form = SignInForm()
    next_path = safe_next_path(request.args.get("next"))
    if not form.validate_on_submit():
        status = page_status(form)
        return render_template("accounts/sign_in.html", form=form), status
    try:
        user = service.authenticate(db.session, form.email.data, form.password.data)
    except service.AccountError as error:
        show_refusal(form, error)
        return render_template("accounts/sign_in.html", form=form), 400
    save_rehashed_password(user)
    # A new session at sign-in, so an identifier planted beforehand is worth nothing.
    session.clear()
    login_user(user)
    response = redirect(next_path or url_for(landing_endpoint(user)))
    devices.remember(response, user.email)
    return response


def save_rehashed_password(user) -> None:
    """Keep a hash remade with today's parameters, if the database lets us at once.

    The password was checked without holding the write lock; should another request
    be writing, the old hash is kept and remade at the next sign-in instead.
    """
    try:
        db.session.commit()
    except OperationalError as error:
        if not is_lock_failure(error):
            raise
        db.session.rollback()
        db.session.refresh(user)


@bp.route("/sign-out", methods=["GET", "POST"])
def sign_out():
    """GET offers the button (for bookmarks); only the POST, with its CSRF token, signs out,
    everywhere: a copy of the session's cookie, wherever it is, no longer signs anyone in."""
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        if current_user.is_authenticated:
            saved(service.sign_out, current_user)
        logout_user()
        session.clear()
        flash("You have signed out.", "success")
        return redirect(url_for("catalogue.home"))
    return render_template("accounts/sign_out.html", form=form)


@bp.route("/reset-password", methods=["GET", "POST"])
@limit_per_address("RESET_LIMIT_PER_ADDRESS")
@limit_per_client("RESET_LIMIT_PER_CLIENT")
def reset_password():
    form = ResetRequestForm()
    if not form.validate_on_submit():
        status = page_status(form)
        return render_template("accounts/reset_password.html", form=form), status
    saved(service.request_password_reset, db.session, form.email.data)
    return render_template("accounts/reset_sent.html", email=form.email.data)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def choose_password(token: str):
    """Set a new password from the mailed link (an hour, single use)."""
    try:
        claims = tokens.reset_link(token)
        service.user_for_reset(db.session, claims)
    except Refused as error:
        return render_template("accounts/verify_failed.html", message=str(error)), 400
    form = ChoosePasswordForm()
    if not form.validate_on_submit():
        status = page_status(form)
        return render_template("accounts/choose_password.html", form=form), status
    try:
        service.reset_password(db.session, claims, form.password.data)
    except service.AccountError as error:
        show_refusal(form, error)
        return render_template("accounts/choose_password.html", form=form), 400
    db.session.commit()
    logout_user()
    session.clear()
    flash("Your password has been changed. Sign in with your new password.", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    agencies = service.listed_agencies(db.session)
    form = ProfileForm(agencies, obj=current_user)
    if request.method == "GET":
        form.agency.data = str(current_user.agency_id) if current_user.agency_id else ""
        if current_user.agency and not current_user.agency.listed:
            form.agency.data = "not-listed"
            form.new_agency_name.data = current_user.agency.name
    if not form.validate_on_submit():
        status = page_status(form)
        return render_template("accounts/profile.html", form=form, confirm=ConfirmForm()), status
    try:
        changed_email = saved(service.update_profile, db.session, current_user, form.details())
    except service.AccountError as error:
        show_refusal(form, error)
        return render_template("accounts/profile.html", form=form, confirm=ConfirmForm()), 400
    if changed_email:
        flash(
            f"Your details are saved. We have sent a link to {form.email.data}: your email "
            "address changes to it once you open the link.",
            "success",
        )
    else:
        flash("Your details are saved.", "success")
    return redirect(url_for("accounts.profile"))


@bp.get("/bookings")
@login_required
def bookings():
    return render_template(
        "accounts/bookings.html",
        bookings=bookings_of(db.session, current_user, utcnow()),
        charges=charges_of_person(db.session, current_user.id),
        dispute_address=parseaddr(current_app.config["MAIL_FROM"])[1],
    )
