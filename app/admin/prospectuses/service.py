"""The rules of prospectuses: a unique web address, drafts kept from the public, and only
an empty draft deleted."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.admin.slugs import slugify
from app.interest import service as interest
from app.models import Course, Prospectus
from app.notices import Done
from app.refusals import Refused

SLUG_LENGTH = 80
FIRST_YEAR, LAST_YEAR = 2000, 2100
LAST_POSITION = 999


class ProspectusError(Refused):
    pass


@dataclass(frozen=True)
class ProspectusDetails:
    title: str
    #: Blank: made from the title.
    slug: str
    year: int
    introduction: str
    position: int


@dataclass(frozen=True)
class ProspectusRow:
    prospectus: Prospectus
    courses: int
    published_courses: int


def prospectus_rows(db_session: Session) -> list[ProspectusRow]:
    """Every prospectus, drafts too, in the public order, with its course counts: one query."""
    courses = (
        select(func.count(Course.id)).where(Course.prospectus_id == Prospectus.id).scalar_subquery()
    )
    published = (
        select(func.count(Course.id))
        .where(Course.prospectus_id == Prospectus.id, Course.published.is_(True))
        .scalar_subquery()
    )
    query = select(Prospectus, courses, published).order_by(
        Prospectus.position, Prospectus.title, Prospectus.id
    )
    return [ProspectusRow(*row) for row in db_session.execute(query)]


def all_prospectuses(db_session: Session) -> list[Prospectus]:
    return list(
        db_session.scalars(
            select(Prospectus).order_by(Prospectus.position, Prospectus.title, Prospectus.id)
        )
    )


def courses_in(db_session: Session, prospectus: Prospectus) -> list[Course]:
    return list(
        db_session.scalars(
            select(Course)
            .where(Course.prospectus_id == prospectus.id)
            .order_by(Course.title, Course.id)
        )
    )


def create_prospectus(db_session: Session, details: ProspectusDetails) -> Prospectus:
    """A new prospectus starts as a draft: nobody outside the team sees it until published."""
    prospectus = Prospectus(published=False)
    apply_details(db_session, prospectus, details)
    db_session.add(prospectus)
    db_session.flush()
    return prospectus


def update_prospectus(
    db_session: Session, prospectus: Prospectus, details: ProspectusDetails
) -> None:
    apply_details(db_session, prospectus, details)
    db_session.flush()


def apply_details(db_session: Session, prospectus: Prospectus, details: ProspectusDetails) -> None:
    """Every rule is checked before anything changes, so a refusal leaves it as it was."""
    title = " ".join(details.title.split())
    if not title:
        raise ProspectusError("Enter the prospectus's title", field="title")
    if not FIRST_YEAR <= details.year <= LAST_YEAR:
        raise ProspectusError(
            f"The year must be between {FIRST_YEAR} and {LAST_YEAR}", field="year"
        )
    if not 0 <= details.position <= LAST_POSITION:
        raise ProspectusError(
            f"The position must be between 0 and {LAST_POSITION}", field="position"
        )
    slug = checked_slug(db_session, prospectus, details.slug, title)
    prospectus.title = title
    prospectus.slug = slug
    prospectus.year = details.year
    prospectus.introduction = details.introduction.strip()
    prospectus.position = details.position


def checked_slug(db_session: Session, prospectus: Prospectus, typed: str, title: str) -> str:
    """The slug typed, tidied, or one made from the title; refused if another has it."""
    field = "slug" if typed.strip() else "title"
    slug = slugify(typed or title, SLUG_LENGTH)
    if not slug:
        raise ProspectusError(
            "Enter a web address with letters or numbers in it, like early-help", field=field
        )
    taken = db_session.scalar(
        select(Prospectus.title).where(Prospectus.slug == slug, Prospectus.id != prospectus.id)
    )
    if taken is not None:
        remedy = "type another" if field == "slug" else "change the title, or type a web address"
        raise ProspectusError(
            f"The web address /prospectuses/{slug} is already used by {taken}: {remedy}",
            field=field,
        )
    return slug


def publish(db_session: Session, prospectus: Prospectus, now: datetime) -> Done[int]:
    """Its published courses become public with it; drafts among them stay hidden. The
    people on their interest lists are told of their sessions. How many were told."""
    prospectus.published = True
    db_session.flush()
    return interest.told(interest.tell_of_prospectus_dates(db_session, prospectus, now))


def unpublish(db_session: Session, prospectus: Prospectus) -> None:
    """Its page, PDF and feed go; bookings already made stand."""
    prospectus.published = False
    db_session.flush()


def delete_prospectus(db_session: Session, prospectus: Prospectus) -> None:
    """Only a draft with no courses: its courses may have bookings, and deleting a published
    catalogue in one step would take every link to it down at once."""
    if prospectus.published:
        raise ProspectusError(
            f"{prospectus.title} is published. Unpublish it first, then delete it"
        )
    courses = db_session.scalar(
        select(func.count(Course.id)).where(Course.prospectus_id == prospectus.id)
    )
    if courses:
        held = "1 course" if courses == 1 else f"{courses} courses"
        raise ProspectusError(
            f"{prospectus.title} cannot be deleted: it holds {held}. "
            "Move them to another prospectus or delete them first"
        )
    db_session.delete(prospectus)
    db_session.flush()
