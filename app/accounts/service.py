"""The rules of professionals' accounts: registering, verifying, signing in, resetting.

Registering, signing in, resetting and changing an address answer alike for an address
with an account and one without, and do the costly work either way, so nobody can learn
from them who has an account: where the answers differ, they go by mail to the address.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from app.accounts import passwords
from app.models import Agency, Sector, User, utcnow
from app.notices import Done, Notice, NoticeKind
from app.refusals import Refused


class AccountError(Refused):
    """A rule of accounts was broken; the message says what to do, in words for the person."""


@dataclass(frozen=True)
class Details:
    """What a professional tells us about themselves."""

    name: str
    email: str
    job_title: str
    agency_id: int | None
    new_agency_name: str
    line_manager_name: str
    line_manager_email: str


NOT_YOUR_OWN_MANAGER = "Enter your line manager's email address, not your own"


def manager_address_problem(manager_email: str | None, *own_emails: str) -> str | None:
    """A line manager approves the person's bookings, so their address is never one of the
    person's own (`own_emails`: the address the account has, and any it is changing to)."""
    manager = (manager_email or "").strip().lower()
    if manager and manager in {email.strip().lower() for email in own_emails}:
        return NOT_YOUR_OWN_MANAGER
    return None


def alike(manager: type[User], person: type[User]) -> ColumnElement[bool]:
    """`manager` is another account at `person`'s line manager's address, in the person's
    own name and agency: perhaps the person themselves, approving their own bookings."""
    return and_(
        manager.email == person.line_manager_email,
        manager.id != person.id,
        func.lower(manager.name) == func.lower(person.name),
        manager.agency_id == person.agency_id,
    )


def manager_alike(db_session: Session, person: User) -> User | None:
    """The account at the person's line manager's address, when it is alike them."""
    if not person.line_manager_email:
        return None
    manager, the_person = aliased(User), aliased(User)
    return db_session.scalar(
        select(manager)
        .join(the_person, alike(manager, the_person))
        .where(the_person.id == person.id)
    )


def managed_by_someone_alike(db_session: Session) -> list[User]:
    """Active accounts whose line manager's address is an account alike them, by name."""
    manager = aliased(User)
    return list(
        db_session.scalars(
            select(User)
            .join(manager, alike(manager, User))
            .where(User.active)
            .order_by(User.name, User.id)
        )
    )


def find_by_email(db_session: Session, email: str) -> User | None:
    return db_session.scalar(select(User).where(User.email == email.strip().lower()))


def listed_agencies(db_session: Session) -> list[Agency]:
    return list(db_session.scalars(select(Agency).where(Agency.listed).order_by(Agency.name)))


def register(db_session: Session, details: Details, password: str) -> Done[User | None]:
    """Make an unverified account and mail its verification link.

    When the address already has an account nothing is made: its owner is mailed
    instead, and the caller shows the same page either way. Returns the new account.
    """
    if problem := passwords.password_problem(password, details.email):
        raise AccountError(problem, field="password")
    if problem := manager_address_problem(details.line_manager_email, details.email):
        raise AccountError(problem, field="line_manager_email")
    # Checked and hashed whether or not the address has an account, so both answers
    # are alike in what they say and in how long they take.
    agency = choose_agency(db_session, details)
    password_hash = passwords.hash_password(password)
    existing = find_by_email(db_session, details.email)
    if existing is not None:
        return Done(None, [Notice(NoticeKind.ALREADY_REGISTERED, person=existing)])
    user = User(password_hash=password_hash, email=details.email)
    apply_details(user, details, agency)
    db_session.add(user)
    db_session.flush()
    return Done(user, [confirmation(user)])


def apply_details(user: User, details: Details, agency: Agency) -> None:
    """All but the address, which changes only once the new one is confirmed."""
    user.name = details.name.strip()
    user.job_title = details.job_title.strip()
    user.line_manager_name = details.line_manager_name.strip()
    user.line_manager_email = details.line_manager_email or None
    user.agency = agency


def choose_agency(db_session: Session, details: Details) -> Agency:
    """The listed agency chosen, or the one typed in, which coordinators are asked to check."""
    if details.agency_id is not None:
        agency = db_session.get(Agency, details.agency_id)
        if agency is None or not agency.listed:
            raise AccountError("Choose your agency from the list", field="agency")
        return agency
    name = " ".join(details.new_agency_name.split())
    if not name:
        raise AccountError("Enter the name of your agency", field="new_agency_name")
    existing = db_session.scalar(select(Agency).where(func.lower(Agency.name) == name.lower()))
    return existing or Agency(name=name, sector=Sector.OTHER, listed=False)


def confirmation(user: User) -> Notice:
    """The link that confirms the account's address, mailed to it."""
    return Notice(NoticeKind.CONFIRM_EMAIL, person=user)


def send_verification(user: User) -> Done[None]:
    return Done(None, [confirmation(user)])


def user_to_verify(db_session: Session, claims: dict) -> User:
    """The account a confirmation link's claims name, if it still uses that address."""
    user = db_session.get(User, claims["user"])
    if user is None or not user.active or user.email != claims.get("from", claims["email"]):
        raise AccountError("That link is for an email address this account no longer uses")
    return user


def verify_email(db_session: Session, claims: dict) -> Done[User]:
    """Confirm the address a link was mailed to: the account's own, or a new one it asked
    to change to (which the link's claims say it is changing `from`), which it then takes."""
    user = user_to_verify(db_session, claims)
    new_email = claims["email"]
    if new_email == user.email:
        user.email_verified_at = user.email_verified_at or utcnow()
        return Done(user)
    if find_by_email(db_session, new_email) is not None:
        raise AccountError("Another account has that address now: your address has not changed")
    old_email = user.email
    user.email = new_email
    user.email_verified_at = utcnow()
    db_session.flush()
    return Done(user, [Notice(NoticeKind.EMAIL_CHANGED, person=user, old_email=old_email)])


def authenticate(db_session: Session, email: str, password: str) -> User:
    """The account these details sign in to; one message for every kind of failure."""
    user = find_by_email(db_session, email)
    matches = passwords.password_matches(user.password_hash if user else None, password)
    if user is None or not matches or not user.active:
        raise AccountError("Enter the email address and password of your account", field="email")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_signed_in_at = utcnow()
    return user


def request_password_reset(db_session: Session, email: str) -> Done[None]:
    """Mail a reset link to the address of an active account, and to any other address a
    message that no account signs in with it: the same answer and the same work either way."""
    user = find_by_email(db_session, email)
    if user is None or not user.active:
        address = email.strip().lower()
        return Done(None, [Notice(NoticeKind.NO_ACCOUNT_TO_RESET, address=address)])
    return Done(None, [Notice(NoticeKind.RESET_PASSWORD, person=user)])


def user_for_reset(db_session: Session, claims: dict) -> User:
    """The account a reset link's claims name, unless the link has been used."""
    user = db_session.get(User, claims["user"])
    if (
        user is None
        or not user.active
        or passwords.digest_of_hash(user.password_hash) != claims["password"]
    ):
        raise AccountError("That link has already been used: ask for a new one")
    return user


def reset_password(db_session: Session, claims: dict, password: str) -> User:
    """Set a new password from a mailed link's claims, and sign the account out everywhere."""
    user = user_for_reset(db_session, claims)
    if problem := passwords.password_problem(password, user.email):
        raise AccountError(problem, field="password")
    user.password_hash = passwords.hash_password(password)
    user.session_version += 1
    # Following the mailed link proves the address is theirs.
    user.email_verified_at = user.email_verified_at or utcnow()
    return user


def update_profile(db_session: Session, user: User, details: Details) -> Done[bool]:
    """Change someone's details. A new email address is only asked for: a link mailed to
    it makes the change (verify_email). When another account has that address, its owner
    is mailed instead, and the answer and the work are the same.

    Returns whether a new address was asked for.
    """
    old_email = user.email
    new_email = details.email.strip().lower()
    if problem := manager_address_problem(details.line_manager_email, new_email, old_email):
        raise AccountError(problem, field="line_manager_email")
    apply_details(user, details, choose_agency(db_session, details))
    if new_email == old_email:
        return Done(False)
    owner = find_by_email(db_session, new_email)
    if owner is not None:
        return Done(True, [Notice(NoticeKind.ADDRESS_IN_USE, person=owner)])
    return Done(True, [Notice(NoticeKind.CONFIRM_NEW_EMAIL, person=user, address=new_email)])


def sign_out(user: User) -> None:
    """End every session of the account: the id in each of its cookies, copies included,
    names a version of its sessions that no longer is."""
    user.session_version += 1


# Built once: every signed-in request runs it, and building it costs more than running it.
USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


def load_user(db_session: Session, session_id: str) -> User | None:
    """The account a session cookie names, unless it has since been signed out everywhere."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db_session.scalar(USER_BY_ID, {"user_id": int(user_id)})
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user
