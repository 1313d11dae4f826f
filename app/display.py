"""How dates, times and text are shown: always in Europe/London, in the GOV.UK style."""

from datetime import date, datetime
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


def clock_time(moment: datetime) -> str:
    """9:30am, 1pm, midday or midnight, in London."""
    local = in_london(moment)
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


def places_text(places_left: int) -> str:
    if places_left <= 0:
        return "Full"
    return "1 place left" if places_left == 1 else f"{places_left} places left"


BOOKING_STATUS_LABELS = {
    "confirmed": "Confirmed",
    "waiting": "On the waiting list",
    "awaiting-approval": "Waiting for your manager's approval",
    "cancelled": "Cancelled",
    "declined": "Declined by your manager",
}


def booking_status(booking) -> str:
    if booking.approval_expired:
        return "Not approved in time"
    return BOOKING_STATUS_LABELS[str(booking.status)]


FILTERS = {
    "booking_status": booking_status,
    "long_date": long_date,
    "short_date": short_date,
    "clock_time": clock_time,
    "markdown": render_markdown,
    "paragraphs": paragraphs,
    "places_text": places_text,
    "time_range": time_range,
}
