"""How dates, times and text are shown: always in Europe/London, in the GOV.UK style."""

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import markdown as markdown_lib
import nh3
from markupsafe import Markup

LONDON = ZoneInfo("Europe/London")

ALLOWED_TAGS = {
    "p", "br", "ul", "ol", "li", "strong", "em", "a", "h2", "h3", "h4",
    "blockquote", "code", "pre", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def count_of_people(count: int) -> str:
    """1 person, 2 people."""
    return "1 person" if count == 1 else f"{count} people"


def interest_told(count: int) -> str:
    """What is said, after what was published, of the people told of its dates because
    they had asked to be; nothing when nobody was."""
    if not count:
        return ""
    told = "has" if count == 1 else "have"
    return f" {count_of_people(count)} waiting for a date {told} been emailed."


def capacity_changed(capacity: int, offered: int) -> str:
    """What is said once a session's places are changed, and people waiting offered them."""
    return f"The session now has {capacity} places.{offered_from_waiting_list(offered)}"


def offered_from_waiting_list(offered: int) -> str:
    """A sentence saying how many people waiting were offered a place, when any were."""
    if not offered:
        return ""
    return f" {count_of_people(offered)} from the waiting list offered a place and emailed."


def session_moved(moved: bool) -> str:
    """What is said once a session's date, times or place are saved."""
    if not moved:
        return "Nothing was changed: the date, times and place are as they were."
    return (
        "The session is changed. Everyone with a place has been emailed the new details, "
        "with an update for their calendar."
    )


def in_london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def long_date(moment: datetime | date) -> str:
    """Thursday 3 December 2026."""
    day = in_london(moment) if isinstance(moment, datetime) else moment
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(moment: datetime | date) -> str:
    """3 December 2026."""
    day = in_london(moment) if isinstance(moment, datetime) else moment
    return f"{day.day} {day:%B %Y}"


def clock_time(moment: datetime | time) -> str:
    """9:30am, 1pm, midday or midnight, in London (a `time` is taken as London's already)."""
    local = in_london(moment) if isinstance(moment, datetime) else moment
    if local.minute == 0 and local.hour in (0, 12):
        return "midnight" if local.hour == 0 else "midday"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def time_range(starts_at: datetime, ends_at: datetime) -> str:
    """9:30am to 12:30pm; with the zones named when the clocks change in between."""
    start, end = in_london(starts_at), in_london(ends_at)
    if start.utcoffset() != end.utcoffset():
        return f"{clock_time(start)} {start:%Z} to {clock_time(end)} {end:%Z}"
    return f"{clock_time(start)} to {clock_time(end)}"


CLOCK_WORDS = {"midday": time(12), "noon": time(12), "midnight": time(0)}
CLOCK_PATTERN = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?(?:\s*([ap])\.?m\.?)?")


def read_clock_time(text: str) -> time:
    """A time of day as people type it: 9:30am, 9.30 am, 2pm, 14:00, 0930 or midday.

    Raises ValueError for anything else, such as 13pm or 9:75.
    """
    typed = text.strip().lower()
    if typed in CLOCK_WORDS:
        return CLOCK_WORDS[typed]
    if re.fullmatch(r"\d{4}", typed):
        typed = f"{typed[:2]}:{typed[2:]}"
    found = CLOCK_PATTERN.fullmatch(typed)
    if found is None:
        raise ValueError(f"Not a time of day: {text!r}")
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if half := found.group(3):
        if not 1 <= hour <= 12:
            raise ValueError(f"Not a time of day: {text!r}")
        hour = hour % 12 + (12 if half == "p" else 0)
    return time(hour, minute)


def london_moment(day: date, clock: time) -> datetime:
    """The moment, in UTC, at which clocks in London show `clock` on `day`.

    When the clocks go back an hour is repeated; its first pass (still summer time) is
    meant. When they go forward an hour is skipped, and a time in it raises ValueError.
    """
    local = datetime.combine(day, clock, LONDON)
    moment = local.astimezone(UTC)
    if moment.astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError(f"{clock:%H:%M} on {day} does not happen in London: the clocks go forward")
    return moment


def render_markdown(text: str) -> Markup:
    """Markdown typed by a coordinator, as HTML that can carry no script or style."""
    html = markdown_lib.markdown(text or "", output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(clean)


def paragraphs(text: str) -> list[str]:
    return [block.strip() for block in (text or "").split("\n\n") if block.strip()]


def hours_text(hours: Decimal) -> str:
    """1 hour, 3 hours, 6.5 hours."""
    number = f"{Decimal(hours).normalize():f}"
    return f"{number} hour" if hours == 1 else f"{number} hours"


def years_text(years: int) -> str:
    """1 year, 3 years."""
    return "1 year" if years == 1 else f"{years} years"


def duration_text(length: timedelta) -> str:
    """48 hours, 1 hour, 90 minutes: in whole hours where it is some."""
    minutes = round(length.total_seconds() / 60)
    if minutes % 60 == 0 and minutes:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def refresh_interval(years: int | None) -> str:
    """Every year, Every 3 years; a course with no refresher is attended once."""
    if years is None:
        return "None: attended once"
    return "Every year" if years == 1 else f"Every {years} years"


def places_text(places_left: int) -> str:
    if places_left <= 0:
        return "Full"
    return "1 place left" if places_left == 1 else f"{places_left} places left"


BOOKING_STATUS_LABELS = {
    "confirmed": "Confirmed",
    "waiting": "On the waiting list",
    "awaiting-approval": "Waiting for your manager's approval",
    "awaiting-coordinator": "Waiting for a coordinator's decision",
    "offered": "A place is offered to you",
    "cancelled": "Cancelled",
    "declined": "Declined by your manager",
}


def booking_status(booking) -> str:
    if booking.offer_lapsed:
        return "Offer not answered in time"
    if booking.declined_the_offer:
        return "Offer declined"
    if booking.approval_expired:
        return "Not approved in time"
    if booking.declined_by_coordinator:
        return "Declined by a coordinator"
    return BOOKING_STATUS_LABELS[str(booking.status)]


def register_status(booking) -> str:
    """A booking's status as staff read it (the register, a person's bookings), rather than
    its owner."""
    if str(booking.status) == "awaiting-approval":
        return "Waiting for their manager's approval"
    if str(booking.status) == "offered":
        deadline = booking.approval_expires_at
        return f"Offered a place until {clock_time(deadline)} on {long_date(deadline)}"
    return booking_status(booking)


def pounds(pence: int | None) -> str:
    """An amount of money as people write it: £50, or £12.50 with its pence."""
    if pence is None:
        return ""
    whole, part = divmod(pence, 100)
    return f"£{whole:,}" if part == 0 else f"£{whole:,}.{part:02d}"


def breakable_at(text: str, breaks: str) -> Markup:
    """`text` that may wrap only where the pattern `breaks` matches, never mid-word: each
    piece is kept whole, with a chance to break (`<wbr>`) between pieces."""
    pieces = re.split(breaks, text)
    return Markup("<wbr>").join(
        Markup('<span class="app-unbroken">{}</span>').format(piece) for piece in pieces if piece
    )


def breakable_email(address: str) -> Markup:
    """An email address that wraps, where it must, only after its @ or a dot."""
    return breakable_at(address, r"(?<=[@.])")


def breakable_url(url: str) -> Markup:
    """A web address that wraps, where it must, only after a slash of its path: never
    inside `https://` or the name of the site."""
    return breakable_at(url, r"(?<=/)(?<!//)(?!/)")


def number(count: int) -> str:
    """1,234: a count as people read it in a table."""
    return f"{count:,}"


FILTERS = {
    "number": number,
    "pounds": pounds,
    "breakable_email": breakable_email,
    "breakable_url": breakable_url,
    "booking_status": booking_status,
    "register_status": register_status,
    "long_date": long_date,
    "short_date": short_date,
    "clock_time": clock_time,
    "markdown": render_markdown,
    "paragraphs": paragraphs,
    "places_text": places_text,
    "hours": hours_text,
    "years": years_text,
    "refresh_interval": refresh_interval,
    "time_range": time_range,
}
