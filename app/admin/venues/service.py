"""The rules of venues: names are unique, postcodes are real ones, and a venue in use stays."""

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.admin.names import name_in_use
from app.models import CourseSession, Venue
from app.refusals import Refused

# The shape of every UK postcode: outward code, then inward code (a digit and two letters).
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


class VenueError(Refused):
    pass


@dataclass(frozen=True)
class VenueDetails:
    name: str
    address: str
    postcode: str
    access_information: str


def normal_postcode(postcode: str) -> str | None:
    """In capitals with one space ("s60 1ae" is "S60 1AE"); None when not a UK postcode."""
    found = POSTCODE.match(" ".join(postcode.upper().split()))
    return f"{found.group(1)} {found.group(2)}" if found else None


def venues_with_session_counts(db_session: Session) -> list[tuple[Venue, int]]:
    """Every venue by name, with how many sessions (any date or status) are held there."""
    sessions = (
        select(func.count(CourseSession.id))
        .where(CourseSession.venue_id == Venue.id)
        .scalar_subquery()
    )
    query = select(Venue, sessions).order_by(Venue.name)
    return [(venue, count) for venue, count in db_session.execute(query)]


def create_venue(db_session: Session, details: VenueDetails) -> Venue:
    venue = Venue()
    apply_details(db_session, venue, details)
    db_session.add(venue)
    db_session.flush()
    return venue


def update_venue(db_session: Session, venue: Venue, details: VenueDetails) -> None:
    apply_details(db_session, venue, details)


def apply_details(db_session: Session, venue: Venue, details: VenueDetails) -> None:
    """Every rule is checked before anything changes, so a refusal leaves the venue as it was."""
    name = " ".join(details.name.split())
    if not name:
        raise VenueError("Enter the venue's name", field="name")
    postcode = normal_postcode(details.postcode)
    if postcode is None:
        raise VenueError("Enter a real postcode, like S60 1AE", field="postcode")
    if name_in_use(db_session, Venue, name, venue.id):
        raise VenueError(f"There is already a venue called {name}", field="name")
    venue.name = name
    venue.address = "\n".join(line.strip() for line in details.address.splitlines() if line.strip())
    venue.postcode = postcode
    venue.access_information = details.access_information.strip()


def delete_venue(db_session: Session, venue: Venue) -> None:
    """Refused while any session, past or to come, names the venue: its register would lose it."""
    sessions = db_session.scalar(
        select(func.count(CourseSession.id)).where(CourseSession.venue_id == venue.id)
    )
    if sessions:
        held = "1 session is" if sessions == 1 else f"{sessions} sessions are"
        raise VenueError(
            f"{venue.name} cannot be deleted: {held} held there. Move them to another venue first."
        )
    db_session.delete(venue)
