"""Certificates of attendance: issued with the mark "attended", revoked when that mark is
taken back, and found by their public code.

A certificate is made when the register says a person attended, in the same transaction
as the mark, so that opening or downloading one never writes. "Left early" earns none:
a certificate says the whole course was attended. Where the course asks for the
evaluation first, the person can download it once they have sent theirs; it stands,
and verifies, all the same. Marking someone attended again after a
revocation restores the same certificate and code, since the mark was only corrected.
"""

import re
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.evaluations.queries import is_evaluated
from app.models import Booking, Certificate, CourseSession, User

#: 32 letters and digits, without 0 and O or 1 and I, which are misread when typed.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#: 16 characters of 32 kinds: 80 random bits, shown in four groups of four (ABCD-EFGH-…).
CODE_LENGTH = 16
GROUP_LENGTH = 4
NOT_IN_A_CODE = re.compile(r"[\s\-\u2010-\u2015]")


def new_code() -> str:
    """A random code, stored without its dashes; nothing about the booking is in it."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def shown_code(code: str) -> str:
    """ABCD-EFGH-JKMN-PQRS: the code in groups, as printed and typed."""
    return "-".join(code[i : i + GROUP_LENGTH] for i in range(0, len(code), GROUP_LENGTH))


def normalised_code(typed: str) -> str | None:
    """The code as stored, whatever its case, dashes or spaces; None if it cannot be one."""
    code = NOT_IN_A_CODE.sub("", typed).upper()
    if len(code) != CODE_LENGTH or any(letter not in ALPHABET for letter in code):
        return None
    return code


def follow_mark(booking: Booking, now: datetime) -> None:
    """Issue, restore or revoke the booking's certificate to match its attendance mark.

    Called by the register's rules (app/sessions/service.py) as each mark is given, so
    the certificate is saved with the mark, or not at all.
    """
    if booking.earns_certificate:
        issue(booking, now)
    else:
        revoke(booking, now)


def issue(booking: Booking, now: datetime) -> Certificate:
    """The booking's certificate: a new one, or the one it had, no longer revoked."""
    certificate = booking.certificate
    if certificate is None:
        certificate = Certificate(code=new_code(), issued_at=now)
        booking.certificate = certificate
    elif certificate.is_revoked:
        certificate.revoked_at = None
    return certificate


def revoke(booking: Booking, now: datetime) -> None:
    """Withdraw the booking's certificate, if it has one standing: verification says so."""
    certificate = booking.certificate
    if certificate is not None and not certificate.is_revoked:
        certificate.revoked_at = now


def with_what_it_shows():
    """Loader options for everything a certificate shows: person, course, session, trainers."""
    session = joinedload(Certificate.booking).joinedload(Booking.session)
    return (
        joinedload(Certificate.booking).joinedload(Booking.user),
        session.joinedload(CourseSession.course),
        session.selectinload(CourseSession.trainers),
    )


def find_by_code(db_session: Session, typed: str) -> Certificate | None:
    """The certificate with this code, revoked or not; None for a code nobody was given.

    Typed codes are read whatever their case, spaces or dashes."""
    code = normalised_code(typed)
    if code is None:
        return None
    return db_session.scalar(
        select(Certificate).where(Certificate.code == code).options(*with_what_it_shows())
    )


def certificate_for(db_session: Session, booking_id: int, person: User) -> Certificate | None:
    """The booking's standing certificate, if this person may have it: the one who attended,
    once they have sent their evaluation where the course asks for it first, or a
    coordinator. None otherwise, so that ids reveal nothing of anyone else's.

    Coordinators have it whether or not the evaluation was sent: they answer for the
    partnership to the person's employer or an inspector, and the evaluation is the
    person's to give, not a condition of the attendance the certificate proves.
    """
    certificate = certificate_of(db_session, booking_id)
    evaluated = partial(is_evaluated, db_session, booking_id)
    return certificate if may_download(certificate, person, evaluated) else None


def may_download(
    certificate: Certificate | None, person: User, evaluated: Callable[[], bool]
) -> bool:
    """Whether this person may have this certificate: it stands (not revoked), and it is a
    coordinator's to see, or theirs once any evaluation the course asks for first is sent
    (asked of `evaluated` only then). Asked of a certificate already loaded, so that a list
    of bookings (a training record) can ask it of each with what it loaded."""
    if certificate is None or certificate.is_revoked:
        return False
    if person.is_coordinator:
        return True
    if certificate.booking.user_id != person.id:
        return False
    return not waits_for_evaluation(certificate.booking, evaluated)


def asks_for_evaluation(booking: Booking) -> bool:
    """The booking's course gives its certificate only once the evaluation is sent."""
    return booking.session.course.certificate_after_evaluation


def waits_for_evaluation(booking: Booking, evaluated: Callable[[], bool]) -> bool:
    """Whether the booking's certificate waits for its evaluation: the course asks for it
    first, and it has not been sent (asked of `evaluated` only where the course asks)."""
    return asks_for_evaluation(booking) and not evaluated()


def certificate_of(db_session: Session, booking_id: int) -> Certificate | None:
    """The booking's certificate while it stands: None if it has none, or it was revoked."""
    return db_session.scalar(
        select(Certificate)
        .where(Certificate.booking_id == booking_id, Certificate.revoked_at.is_(None))
        .options(*with_what_it_shows())
    )
