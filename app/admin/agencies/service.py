"""The rules of agencies: unique names, a sector each, and merging a duplicate away.

Professionals whose agency is not listed type its name in; coordinators then either list
it (with its proper sector) or merge it into the agency it really is.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.admin.names import name_in_use
from app.charges import service as charges
from app.display import pounds
from app.models import (
    HEADCOUNT_MOST,
    Agency,
    Booking,
    Charge,
    ChargingBand,
    Sector,
    User,
    utcnow,
)
from app.refusals import Refused


class AgencyError(Refused):
    pass


@dataclass(frozen=True)
class AgencyDetails:
    name: str
    sector: Sector
    listed: bool
    #: Whether the agency is charged for places its people waste.
    charging_band: ChargingBand = ChargingBand.CHARGEABLE
    #: How many of its people work with children, where a coordinator knows it.
    headcount: int | None = None


@dataclass(frozen=True)
class AgencyRow:
    agency: Agency
    people: int


def agencies_with_people(db_session: Session) -> list[AgencyRow]:
    """Every agency, those typed in by professionals first, with how many people work there."""
    people = select(func.count(User.id)).where(User.agency_id == Agency.id).scalar_subquery()
    query = select(Agency, people).order_by(Agency.listed, Agency.name)
    return [AgencyRow(agency, count) for agency, count in db_session.execute(query)]


def other_agencies(db_session: Session, agency: Agency) -> list[Agency]:
    """What an agency can be merged into: every other one, listed ones first."""
    return list(
        db_session.scalars(
            select(Agency).where(Agency.id != agency.id).order_by(Agency.listed.desc(), Agency.name)
        )
    )


def people_in(db_session: Session, agency: Agency) -> int:
    return db_session.scalar(select(func.count(User.id)).where(User.agency_id == agency.id))


def create_agency(db_session: Session, details: AgencyDetails) -> Agency:
    agency = Agency()
    apply_details(db_session, agency, details)
    db_session.add(agency)
    db_session.flush()
    return agency


def update_agency(db_session: Session, agency: Agency, details: AgencyDetails) -> None:
    """Save the agency's details; moved into a band that is never charged, the charges it
    still owes are cancelled (raised while it was wrongly chargeable), each booking's
    history saying why. Waived ones stay as they were."""
    was_charged = agency.charging_band is not None and agency.charging_band.is_charged
    apply_details(db_session, agency, details)
    if was_charged and not agency.charging_band.is_charged:
        cancel_owed_charges(db_session, agency, utcnow())


def cancel_owed_charges(db_session: Session, agency: Agency, now: datetime) -> None:
    owed = db_session.scalars(
        select(Charge).where(
            Charge.agency_id == agency.id,
            Charge.cancelled_at.is_(None),
            Charge.waived_at.is_(None),
        )
    )
    for charge in owed:
        charge.cancelled_at = now
        charges.note(
            charge.booking,
            f"Charge of {pounds(charge.amount_pence)} cancelled: {agency.name} is never charged",
            now,
        )


def apply_details(db_session: Session, agency: Agency, details: AgencyDetails) -> None:
    name = " ".join(details.name.split())
    if not name:
        raise AgencyError("Enter the agency's name", field="name")
    if name_in_use(db_session, Agency, name, agency.id):
        raise AgencyError(
            f"There is already an agency called {name}: merge this one into it instead",
            field="name",
        )
    agency.name = name
    agency.sector = details.sector
    agency.listed = details.listed
    agency.charging_band = details.charging_band
    if details.headcount is not None and not 1 <= details.headcount <= HEADCOUNT_MOST:
        raise AgencyError(
            f"The headcount must be between 1 and {HEADCOUNT_MOST:,}", field="headcount"
        )
    agency.headcount = details.headcount


def merge_agency(db_session: Session, duplicate: Agency, into_id: int) -> tuple[Agency, int]:
    """Move everyone at `duplicate` to the agency `into_id` and remove `duplicate`.

    People are moved one by one, not by a bulk UPDATE, so that the audit log records
    each person's change of agency. Returns the agency kept and how many people moved.
    """
    if into_id == duplicate.id:
        raise AgencyError(
            f"Choose another agency: {duplicate.name} cannot be merged into itself",
            field="into",
        )
    into = db_session.get(Agency, into_id)
    if into is None:
        raise AgencyError("Choose the agency to merge into from the list", field="into")
    people = list(db_session.scalars(select(User).where(User.agency_id == duplicate.id)))
    for person in people:
        person.agency = into
    # Charges and bookings go with the people: the agency they were raised against, or
    # that the person was in when booking, is the one kept.
    for charge in db_session.scalars(select(Charge).where(Charge.agency_id == duplicate.id)):
        charge.agency = into
    for booking in db_session.scalars(select(Booking).where(Booking.agency_id == duplicate.id)):
        booking.agency = into
    db_session.delete(duplicate)
    db_session.flush()
    return into, len(people)
