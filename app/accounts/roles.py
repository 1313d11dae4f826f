"""Accounts made and given roles by coordinators, from the admin screens or the command line."""

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from app.accounts import passwords
from app.accounts.service import AccountError, find_by_email
from app.models import Role, User, utcnow
from app.text import has_hidden_characters, hidden_characters_message


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise AccountError(f"Choose a role: {choices}", field="role") from None


#: Mail to an address with letters beyond a to z needs SMTPUTF8, which the mail sent here
#: does not use: such an address would take an account that never hears from us.
PLAIN_EMAIL_MESSAGE = (
    "Enter an email address using only the letters a to z, numbers and symbols, "
    "like name@example.org"
)


def checked_email(address: str) -> str:
    if not address.isascii():
        raise AccountError(PLAIN_EMAIL_MESSAGE, field="email")
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise AccountError(
            "Enter an email address in the correct format, like name@example.org", field="email"
        ) from None


def create_account(db_session: Session, email: str, name: str, role: Role, password: str) -> User:
    """A verified account: whoever makes it vouches for the address."""
    email = checked_email(email)
    if not name.strip():
        raise AccountError("Enter the person's name", field="name")
    if has_hidden_characters(name):
        raise AccountError(hidden_characters_message("The person's name"), field="name")
    if find_by_email(db_session, email) is not None:
        raise AccountError("An account already uses that email address", field="email")
    if problem := passwords.password_problem(password, email):
        raise AccountError(problem, field="password")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        password_hash=passwords.hash_password(password),
        email_verified_at=utcnow(),
    )
    db_session.add(user)
    db_session.flush()
    return user


def set_role(db_session: Session, email: str, role: Role) -> User:
    """Takes effect on the person's next request: roles are read afresh on every one."""
    user = find_by_email(db_session, checked_email(email))
    if user is None:
        raise AccountError("No account uses that email address", field="email")
    user.role = role
    return user
