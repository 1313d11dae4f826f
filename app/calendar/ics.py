"""iCalendar files and "add to calendar" links for training sessions, built from plain values."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration, vText

LONDON_TZID = "Europe/London"
LONDON = ZoneInfo(LONDON_TZID)
INVITE_METHODS = frozenset({"REQUEST", "CANCEL"})
STATUSES = frozenset({"CONFIRMED", "CANCELLED"})
FEED_REFRESH = timedelta(hours=1)

# RFC 5545 text may not hold control characters other than tab and the escaped new line.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True, kw_only=True)
class CalendarEvent:
    """A session as one calendar sees it: times in any zone, written as London wall time."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    description: str
    url: str
    organizer_email: str
    organizer_name: str
    status: str
    attendee_email: str | None = None
    attendee_name: str = ""
    stamp: datetime

    def __post_init__(self) -> None:
        for name in ("starts_at", "ends_at", "stamp"):
            if getattr(self, name).utcoffset() is None:
                raise ValueError(f"{name} must be a timezone-aware datetime")
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.status not in STATUSES:
            raise ValueError(f"status must be CONFIRMED or CANCELLED, not {self.status!r}")


def invite(event: CalendarEvent, method: str, prodid: str) -> bytes:
    """An invite (REQUEST) or its withdrawal (CANCEL) for the one attendee of a booking."""
    if method not in INVITE_METHODS:
        raise ValueError(f"method must be REQUEST or CANCEL, not {method!r}")
    if event.attendee_email is None:
        raise ValueError("an invite needs an attendee")
    status = "CANCELLED" if method == "CANCEL" else event.status
    calendar = _calendar(prodid, method, [_vevent(event, status)])
    _add_london_timezone(calendar, [event])
    return calendar.to_ical()


def feed(events: list[CalendarEvent], name: str, prodid: str) -> bytes:
    """A published calendar of events that calendar apps subscribe to and refresh."""
    calendar = _calendar(prodid, "PUBLISH", [_vevent(event, event.status) for event in events])
    one_line = _Text(" ".join(_text(name).split()))
    calendar.add("NAME", one_line)
    calendar.add("X-WR-CALNAME", one_line)
    calendar.add("X-WR-TIMEZONE", LONDON_TZID)
    calendar.refresh_interval = FEED_REFRESH
    # RFC 7986 requires VALUE=DURATION on REFRESH-INTERVAL; icalendar leaves it out.
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    # Outlook's older name for the same thing; an X- property would be written as text.
    calendar.add("X-PUBLISHED-TTL", vDuration(FEED_REFRESH))
    _add_london_timezone(calendar, events)
    return calendar.to_ical()


def google_calendar_link(event: CalendarEvent) -> str:
    query = {
        "action": "TEMPLATE",
        "text": event.summary,
        "dates": f"{_utc_stamp(event.starts_at)}/{_utc_stamp(event.ends_at)}",
        "details": _details(event),
        "location": event.location,
        "ctz": LONDON_TZID,
    }
    return "https://calendar.google.com/calendar/render?" + _query(query)


def outlook_calendar_link(event: CalendarEvent) -> str:
    query = {
        "subject": event.summary,
        "startdt": _london_iso(event.starts_at),
        "enddt": _london_iso(event.ends_at),
        "body": _details(event),
        "location": event.location,
        "path": "/calendar/action/compose",
        "rru": "addevent",
    }
    return "https://outlook.live.com/calendar/0/action/compose?" + _query(query)


def _calendar(prodid: str, method: str, events: list[Event]) -> Calendar:
    calendar = Calendar.new(prodid=prodid, method=method, subcomponents=events)
    # Calendar.new always adds a random UID: without it the same event gives the same file.
    del calendar.uid
    return calendar


def _vevent(event: CalendarEvent, status: str) -> Event:
    return Event.new(
        uid=event.uid,
        sequence=event.sequence,
        stamp=event.stamp.astimezone(UTC),
        # London wall time with its TZID, so clients show 09:30 whatever the season.
        start=event.starts_at.astimezone(LONDON),
        end=event.ends_at.astimezone(LONDON),
        summary=_Text(_text(event.summary)) if event.summary else None,
        location=_Text(_text(event.location)) if event.location else None,
        description=_Text(_text(event.description)) if event.description else None,
        url=event.url or None,
        organizer=vCalAddress.new(
            event.organizer_email, cn=_param_text(event.organizer_name) or None
        ),
        attendees=_attendees(event),
        status=status,
    )


def _attendees(event: CalendarEvent) -> list[vCalAddress]:
    if event.attendee_email is None:
        return []
    # The place is already booked: show it as accepted and ask the calendar for no reply.
    attendee = vCalAddress.new(
        event.attendee_email,
        cn=_param_text(event.attendee_name) or None,
        role="REQ-PARTICIPANT",
        partstat="ACCEPTED",
        rsvp=False,
    )
    return [attendee]


def _add_london_timezone(calendar: Calendar, events: list[CalendarEvent]) -> None:
    if not events:
        return
    first = min(event.starts_at for event in events).astimezone(LONDON)
    last = max(event.ends_at for event in events).astimezone(LONDON)
    calendar.subcomponents.insert(0, _london_timezone(first.year, last.year))


@lru_cache(maxsize=32)
def _london_timezone(first_year: int, last_year: int) -> Timezone:
    """London's VTIMEZONE for whole calendar years, which keep it small yet always with its
    GMT and BST parts. Made once per range: making it cost a quarter of an invite."""
    timezone = Timezone.from_tzid(
        LONDON_TZID, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )
    _one_rdate_a_line(timezone)
    return timezone


def _one_rdate_a_line(timezone: Timezone) -> None:
    # icalendar lists the yearly clock changes in one RDATE; some readers (vobject) keep only
    # the first date of such a list, putting later years' sessions an hour out.
    for part in timezone.walk("STANDARD") + timezone.walk("DAYLIGHT"):
        changes = [change for change, _ in part.rdates]
        part.pop("RDATE", None)
        for change in changes:
            part.add("RDATE", change)


class _Text(vText):
    """TEXT escaped as RFC 5545 says: icalendar's own escaping first turns a typed "\\N"
    (as in a Windows path) into a new line."""

    def to_ical(self) -> bytes:
        escaped = str(self)
        for char, replacement in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
            escaped = escaped.replace(char, replacement)
        return escaped.encode(self.encoding)


def _text(value: str) -> str:
    # iCalendar text carries one kind of new line (escaped as \n) and no other controls.
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _param_text(value: str) -> str:
    # A parameter such as CN cannot hold new lines or double quotes, and few clients
    # read RFC 6868 escapes for them, so a name is kept to one plain line.
    return " ".join(_CONTROL.sub(" ", value.replace('"', "'")).split())


def _details(event: CalendarEvent) -> str:
    # An event added from a link has no URL field, so the link to the session goes in the text.
    return "\n\n".join(part for part in (event.description, event.url) if part)


def _query(values: dict[str, str]) -> str:
    # %20 for spaces (quote_plus's "+" reads as a plus in some clients); "/" is legal in a query.
    return urlencode(values, safe="/", quote_via=quote)


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _london_iso(moment: datetime) -> str:
    return moment.astimezone(LONDON).isoformat(timespec="seconds")
