"""Calendar files and links, read back by icalendar and, independently, by vobject."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from app.calendar.ics import (
    CalendarEvent,
    feed,
    google_calendar_link,
    invite,
    outlook_calendar_link,
)

LONDON = ZoneInfo("Europe/London")
PRODID = "-//Example Safeguarding Children Partnership//Training//EN"

HOSTILE_TEXTS = [
    "Evil\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:injected",
    "a,b;c\\d",
    "Quotes \"double\" and 'single', colon: semicolon; caret ^n ^' ^^",
    "\\n is not a new line, \\, \\; \\\\",
    "Line one\n\nLine three\twith a tab",
    "Ünïcödé café \u2013 “Safeguarding” 👩‍👧‍👦😀 " * 12,
    "BEGIN:VCALENDAR",
    " leading and trailing spaces ",
]


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def make_event(**changes) -> CalendarEvent:
    values = {
        "uid": "session-42-booking-7@training.example.org",
        "sequence": 3,
        "starts_at": london(2025, 1, 15, 9, 30),
        "ends_at": london(2025, 1, 15, 12, 30),
        "summary": "Working Together to Safeguard Children",
        "location": "Room 2, Civic Centre, High Street",
        "description": "Bring your lanyard.",
        "url": "https://training.example.org/sessions/42",
        "organizer_email": "training@example.org",
        "organizer_name": "Safeguarding Children Partnership",
        "status": "CONFIRMED",
        "attendee_email": "sam.jones@nhs.example",
        "attendee_name": "Sam Jones",
        "stamp": datetime(2025, 1, 2, 10, 0, tzinfo=UTC),
    }
    return CalendarEvent(**(values | changes))


def parse_both(data: bytes) -> tuple[Calendar, vobject.base.Component]:
    return Calendar.from_ical(data), vobject.readOne(data.decode("utf-8"))


def lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[: -len(b"\r\n")].split(b"\r\n")


def only_event(data: bytes):
    ical, vcal = parse_both(data)
    assert len(ical.events) == 1
    assert len(vcal.vevent_list) == 1
    return ical.events[0], vcal.vevent


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


# Invites


@pytest.mark.parametrize(("method", "status"), [("REQUEST", "CONFIRMED"), ("CANCEL", "CANCELLED")])
def test_invite_method_and_status(method, status):
    data = invite(make_event(), method, PRODID)

    ical, vcal = parse_both(data)
    assert str(ical["METHOD"]) == vcal.method.value == method
    assert str(ical["PRODID"]) == vcal.prodid.value == PRODID
    ievent, vevent = only_event(data)
    assert str(ievent["STATUS"]) == vevent.status.value == status


def test_invite_identity_and_stamp():
    ievent, vevent = only_event(invite(make_event(), "REQUEST", PRODID))

    assert str(ievent["UID"]) == vevent.uid.value == "session-42-booking-7@training.example.org"
    assert ievent["SEQUENCE"] == int(vevent.sequence.value) == 3
    assert ievent.DTSTAMP == vevent.dtstamp.value == datetime(2025, 1, 2, 10, 0, tzinfo=UTC)


def test_stamp_in_another_zone_is_written_in_utc():
    data = invite(make_event(stamp=london(2025, 6, 2, 11, 0)), "REQUEST", PRODID)

    assert b"DTSTAMP:20250602T100000Z" in lines(data)


def test_invite_organizer_and_attendee():
    ievent, vevent = only_event(invite(make_event(), "REQUEST", PRODID))

    organizer = ievent["ORGANIZER"]
    assert str(organizer) == vevent.organizer.value == "mailto:training@example.org"
    assert organizer.params["CN"] == vevent.organizer.cn_param
    assert vevent.organizer.cn_param == "Safeguarding Children Partnership"

    (attendee,) = ievent.attendees
    assert str(attendee) == vevent.attendee.value == "mailto:sam.jones@nhs.example"
    expected = {
        "CN": "Sam Jones",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "ACCEPTED",
        "RSVP": "FALSE",
    }
    assert dict(attendee.params) == expected
    assert {name: values[0] for name, values in vevent.attendee.params.items()} == expected


def test_invite_content_fields():
    ievent, vevent = only_event(invite(make_event(), "REQUEST", PRODID))

    assert (
        str(ievent["SUMMARY"]) == vevent.summary.value == "Working Together to Safeguard Children"
    )
    assert str(ievent["LOCATION"]) == vevent.location.value == "Room 2, Civic Centre, High Street"
    assert str(ievent["DESCRIPTION"]) == vevent.description.value == "Bring your lanyard."
    assert str(ievent["URL"]) == vevent.url.value == "https://training.example.org/sessions/42"


def test_cancel_keeps_uid_and_carries_the_new_sequence():
    request = only_event(invite(make_event(sequence=0), "REQUEST", PRODID))[0]
    cancel = only_event(invite(make_event(sequence=1), "CANCEL", PRODID))[0]

    assert cancel["UID"] == request["UID"]
    assert cancel["SEQUENCE"] == 1
    assert len(cancel.attendees) == 1


@pytest.mark.parametrize("method", ["PUBLISH", "REPLY", "request", "", "REQUEST\r\nX:Y"])
def test_invite_refuses_other_methods(method):
    with pytest.raises(ValueError, match="method"):
        invite(make_event(), method, PRODID)


def test_invite_needs_an_attendee():
    with pytest.raises(ValueError, match="attendee"):
        invite(make_event(attendee_email=None), "REQUEST", PRODID)


def test_invite_has_no_calendar_uid_and_is_repeatable():
    data = invite(make_event(), "REQUEST", PRODID)

    assert "UID" not in Calendar.from_ical(data)
    assert data == invite(make_event(), "REQUEST", PRODID)


@pytest.mark.parametrize(
    "changes",
    [
        {"starts_at": datetime(2025, 1, 15, 9, 30)},
        {"ends_at": datetime(2025, 1, 15, 12, 30)},
        {"stamp": datetime(2025, 1, 2, 10, 0)},
        {"ends_at": london(2025, 1, 15, 9, 30)},
        {"status": "TENTATIVE"},
    ],
)
def test_event_refuses_bad_values(changes):
    with pytest.raises(ValueError):
        make_event(**changes)


# Times and the London time zone


def test_winter_and_summer_sessions_keep_their_london_wall_time():
    winter = invite(make_event(), "REQUEST", PRODID)
    summer = invite(
        make_event(starts_at=london(2025, 6, 18, 9, 30), ends_at=london(2025, 6, 18, 12, 30)),
        "REQUEST",
        PRODID,
    )

    assert b"DTSTART;TZID=Europe/London:20250115T093000" in lines(winter)
    assert b"DTEND;TZID=Europe/London:20250115T123000" in lines(winter)
    assert b"DTSTART;TZID=Europe/London:20250618T093000" in lines(summer)
    assert b"DTEND;TZID=Europe/London:20250618T123000" in lines(summer)
    for data, start_utc in [
        (winter, datetime(2025, 1, 15, 9, 30, tzinfo=UTC)),
        (summer, datetime(2025, 6, 18, 8, 30, tzinfo=UTC)),
    ]:
        ievent, vevent = only_event(data)
        assert ievent["DTSTART"].params["TZID"] == "Europe/London"
        assert utc(ievent.start) == utc(vevent.dtstart.value) == start_utc


def test_times_given_in_utc_are_written_as_london_wall_time():
    event = make_event(
        starts_at=datetime(2025, 6, 18, 8, 30, tzinfo=UTC),
        ends_at=datetime(2025, 6, 18, 11, 30, tzinfo=UTC),
    )

    data = invite(event, "REQUEST", PRODID)

    assert b"DTSTART;TZID=Europe/London:20250618T093000" in lines(data)
    assert b"DTEND;TZID=Europe/London:20250618T123000" in lines(data)


# 2025: clocks go forward on Sunday 30 March at 01:00 UTC and back on Sunday 26 October.
CLOCK_CHANGE_SESSIONS = [
    # (start in London, end in London, start in UTC, end in UTC)
    (london(2025, 3, 29, 9, 30), london(2025, 3, 29, 16), (9, 30), (16, 0)),
    (london(2025, 3, 30, 9, 30), london(2025, 3, 30, 16), (8, 30), (15, 0)),
    (london(2025, 3, 31, 9, 30), london(2025, 3, 31, 16), (8, 30), (15, 0)),
    (london(2025, 10, 25, 9, 30), london(2025, 10, 25, 16), (8, 30), (15, 0)),
    (london(2025, 10, 26, 9, 30), london(2025, 10, 26, 16), (9, 30), (16, 0)),
    (london(2025, 10, 27, 9, 30), london(2025, 10, 27, 16), (9, 30), (16, 0)),
]


@pytest.mark.parametrize(("starts_at", "ends_at", "start_utc", "end_utc"), CLOCK_CHANGE_SESSIONS)
def test_sessions_either_side_of_the_clock_changes(starts_at, ends_at, start_utc, end_utc):
    data = invite(make_event(starts_at=starts_at, ends_at=ends_at), "REQUEST", PRODID)

    ievent, vevent = only_event(data)
    expected_start = datetime(*starts_at.timetuple()[:3], *start_utc, tzinfo=UTC)
    expected_end = datetime(*ends_at.timetuple()[:3], *end_utc, tzinfo=UTC)
    assert utc(ievent.start) == utc(vevent.dtstart.value) == expected_start
    assert utc(ievent.end) == utc(vevent.dtend.value) == expected_end
    assert f"DTSTART;TZID=Europe/London:{starts_at:%Y%m%dT%H%M%S}".encode() in lines(data)


def test_overnight_session_across_the_autumn_change():
    # 22:00 BST on Saturday to 06:00 GMT on Sunday: nine hours, the clocks going back at 02:00.
    event = make_event(starts_at=london(2025, 10, 25, 22, 0), ends_at=london(2025, 10, 26, 6, 0))

    data = invite(event, "REQUEST", PRODID)

    ievent, vevent = only_event(data)
    assert utc(ievent.start) == utc(vevent.dtstart.value) == datetime(2025, 10, 25, 21, tzinfo=UTC)
    assert utc(ievent.end) == utc(vevent.dtend.value) == datetime(2025, 10, 26, 6, tzinfo=UTC)
    assert utc(vevent.dtend.value) - utc(vevent.dtstart.value) == timedelta(hours=9)
    assert b"DTSTART;TZID=Europe/London:20251025T220000" in lines(data)
    assert b"DTEND;TZID=Europe/London:20251026T060000" in lines(data)


def assert_london_timezone_covers(data: bytes, moments: list[datetime]) -> None:
    """The VTIMEZONE itself (not the parser's own tz database) gives London's offsets."""
    ical, vcal = parse_both(data)
    (itz,) = ical.timezones
    (vtz,) = vcal.vtimezone_list
    assert itz.tz_name == vtz.tzid.value == "Europe/London"
    assert {component.name for component in itz.subcomponents} == {"STANDARD", "DAYLIGHT"}
    own_rules = [itz.to_tz(lookup_tzid=False), vtz.gettzinfo()]
    for moment in moments:
        wall = moment.astimezone(LONDON).replace(tzinfo=None)
        for rules in own_rules:
            assert wall.replace(tzinfo=rules).utcoffset() == moment.utcoffset(), (moment, rules)


def test_invite_timezone_has_winter_and_summer_rules_for_the_event():
    event = make_event(starts_at=london(2025, 10, 25, 22, 0), ends_at=london(2025, 10, 26, 6, 0))

    data = invite(event, "REQUEST", PRODID)

    assert_london_timezone_covers(data, [london(2025, 1, 15, 9), london(2025, 10, 25, 22)])
    assert_london_timezone_covers(data, [london(2025, 10, 26, 6), london(2025, 12, 31, 9)])
    assert b"BEGIN:DAYLIGHT" in lines(data)
    assert b"BEGIN:STANDARD" in lines(data)


def test_invite_timezone_is_small():
    data = invite(make_event(), "REQUEST", PRODID)

    timezone_lines = lines(data)[lines(data).index(b"BEGIN:VTIMEZONE") :]
    assert timezone_lines.index(b"END:VTIMEZONE") < 30


# Hostile text


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
@pytest.mark.parametrize("field", ["summary", "location", "description"])
def test_hostile_text_round_trips_through_both_parsers(field, text):
    data = invite(make_event(**{field: text}), "REQUEST", PRODID)

    ievent, vevent = only_event(data)
    assert str(ievent[field.upper()]) == getattr(vevent, field).value == text
    assert lines(data).count(b"BEGIN:VEVENT") == 1
    assert str(ievent["UID"]) == "session-42-booking-7@training.example.org"


@pytest.mark.parametrize("field", ["summary", "location", "description"])
def test_carriage_returns_and_control_characters_cannot_break_the_file(field):
    text = "Evil\r\nEND:VEVENT\r\nBEGIN:VEVENT\rSUMMARY:injected\x00\x07\x1b[31m\x7f"

    data = invite(make_event(**{field: text}), "REQUEST", PRODID)

    # iCalendar text has one new line and no control characters: those are all it loses.
    expected = "Evil\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:injected[31m"
    ievent, vevent = only_event(data)
    assert str(ievent[field.upper()]) == getattr(vevent, field).value == expected
    assert lines(data).count(b"BEGIN:VEVENT") == 1


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Siobhán O'Brien-Ní Dhúill", "Siobhán O'Brien-Ní Dhúill"),
        ("Smith, Jo; Team: Early Help", "Smith, Jo; Team: Early Help"),
        ('Jo "JJ" Smith', "Jo 'JJ' Smith"),
        ("Evil\r\nEND:VEVENT\r\nBEGIN:VEVENT", "Evil END:VEVENT BEGIN:VEVENT"),
        ('x";RSVP=TRUE:mailto:evil@example.com', "x';RSVP=TRUE:mailto:evil@example.com"),
    ],
)
def test_names_stay_inside_their_parameter(name, expected):
    event = make_event(organizer_name=name, attendee_name=name)

    ievent, vevent = only_event(invite(event, "REQUEST", PRODID))

    assert ievent["ORGANIZER"].params["CN"] == vevent.organizer.cn_param == expected
    assert ievent["ATTENDEE"].params["CN"] == vevent.attendee.cn_param == expected
    assert str(ievent["ATTENDEE"]) == vevent.attendee.value == "mailto:sam.jones@nhs.example"
    assert ievent["ATTENDEE"].params["RSVP"] == vevent.attendee.rsvp_param == "FALSE"


def test_new_lines_cannot_reach_addresses_or_the_url():
    for changes in [
        {"attendee_email": "a@example.org\r\nATTENDEE:mailto:b@example.org"},
        {"organizer_email": "a@example.org\nX:Y"},
        {"url": "https://example.org/\r\nEND:VEVENT"},
    ]:
        with pytest.raises(ValueError):
            invite(make_event(**changes), "REQUEST", PRODID)


# Lines


def test_every_line_ends_with_crlf_and_is_at_most_75_octets():
    long_text = "Ünïcödé café \u2013 “Safeguarding” 👩‍👧‍👦😀 a,b;c\\d\n" * 40
    event = make_event(
        summary=long_text,
        location=long_text,
        description=long_text,
        attendee_name="Ünïcödé " * 20,
        url="https://training.example.org/sessions/42?" + "x=1&" * 40,
    )

    for data in [
        invite(event, "REQUEST", PRODID),
        invite(event, "CANCEL", PRODID),
        feed([event, make_event()], "Sessions", PRODID),
    ]:
        for line in lines(data):
            assert b"\r" not in line and b"\n" not in line
            assert len(line) <= 75, line
            line.decode("utf-8")  # folding never splits a character
        ical, vcal = parse_both(data)
        assert str(ical.events[0]["DESCRIPTION"]) == long_text
        assert vcal.vevent_list[0].description.value == long_text


# Feeds


def test_feed_headers():
    data = feed([make_event(attendee_email=None)], "Sam Jones's training", PRODID)

    ical, vcal = parse_both(data)
    assert str(ical["METHOD"]) == vcal.method.value == "PUBLISH"
    assert str(ical["X-WR-CALNAME"]) == vcal.x_wr_calname.value == "Sam Jones's training"
    assert str(ical["X-WR-TIMEZONE"]) == vcal.x_wr_timezone.value == "Europe/London"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines(data)
    assert b"X-PUBLISHED-TTL:PT1H" in lines(data)
    assert ical.refresh_interval == timedelta(hours=1)
    assert "UID" not in ical
    assert "ATTENDEE" not in ical.events[0]
    assert not hasattr(vcal.vevent, "attendee")


def test_feed_keeps_each_events_attendee_and_status():
    events = [
        make_event(uid="a@x", attendee_email="sam.jones@nhs.example"),
        make_event(uid="b@x", attendee_email=None, status="CANCELLED"),
    ]

    ical, vcal = parse_both(feed(events, "Sessions", PRODID))

    assert [str(event["STATUS"]) for event in ical.events] == ["CONFIRMED", "CANCELLED"]
    assert [event.status.value for event in vcal.vevent_list] == ["CONFIRMED", "CANCELLED"]
    assert [len(event.attendees) for event in ical.events] == [1, 0]


def test_feed_of_500_events():
    first = london(2025, 1, 6, 9, 30)
    events = [
        make_event(
            uid=f"session-{number}@training.example.org",
            starts_at=first + timedelta(days=number * 2),
            ends_at=first + timedelta(days=number * 2, hours=3),
            summary=f"Session {number}: Evil\nEND:VEVENT",
            attendee_email=None,
        )
        for number in range(500)
    ]

    data = feed(events, "All sessions", PRODID)

    ical, vcal = parse_both(data)
    assert len(ical.events) == len(vcal.vevent_list) == 500
    assert lines(data).count(b"BEGIN:VEVENT") == 500
    assert len(ical.timezones) == len(vcal.vtimezone_list) == 1
    assert [str(event["UID"]) for event in ical.events] == [event.uid for event in events]
    for event, ievent, vevent in zip(events, ical.events, vcal.vevent_list, strict=True):
        assert utc(ievent.start) == utc(vevent.dtstart.value) == utc(event.starts_at)
        assert utc(ievent.end) == utc(vevent.dtend.value) == utc(event.ends_at)
    # 2025 to 2027: every clock change in between is in the one VTIMEZONE, one RDATE a line.
    assert not [line for line in lines(data) if line.startswith(b"RDATE") and b"," in line]
    assert_london_timezone_covers(data, [london(2027, 3, 27, 9), london(2027, 7, 1, 9)])
    assert_london_timezone_covers(data, [events[0].starts_at, events[-1].ends_at])
    assert_london_timezone_covers(data, [london(2026, 3, 28, 9), london(2026, 3, 30, 9)])
    assert_london_timezone_covers(data, [london(2026, 10, 24, 9), london(2026, 10, 26, 9)])


def test_empty_feed_is_a_valid_calendar():
    data = feed([], "Nothing booked yet", PRODID)

    ical, vcal = parse_both(data)
    assert ical.events == [] and ical.timezones == []
    assert vcal.contents.get("vevent", []) == []
    assert str(ical["METHOD"]) == vcal.method.value == "PUBLISH"
    assert vcal.x_wr_calname.value == "Nothing booked yet"
    assert lines(data)[0] == b"BEGIN:VCALENDAR" and lines(data)[-1] == b"END:VCALENDAR"


# Links


def query_of(link: str) -> dict[str, str]:
    return {name: value for name, (value,) in parse_qs(urlsplit(link).query).items()}


def test_google_link():
    event = make_event(starts_at=london(2025, 6, 18, 9, 30), ends_at=london(2025, 6, 18, 12, 30))

    link = google_calendar_link(event)

    assert link.startswith("https://calendar.google.com/calendar/render?action=TEMPLATE&")
    assert "&dates=20250618T083000Z/20250618T113000Z&" in link
    assert link.endswith("&ctz=Europe/London")
    assert "text=Working%20Together%20to%20Safeguard%20Children" in link
    assert query_of(link) == {
        "action": "TEMPLATE",
        "text": "Working Together to Safeguard Children",
        "dates": "20250618T083000Z/20250618T113000Z",
        "details": "Bring your lanyard.\n\nhttps://training.example.org/sessions/42",
        "location": "Room 2, Civic Centre, High Street",
        "ctz": "Europe/London",
    }


def test_google_link_in_winter_and_across_the_autumn_change():
    winter = google_calendar_link(make_event())
    overnight = google_calendar_link(
        make_event(starts_at=london(2025, 10, 25, 22), ends_at=london(2025, 10, 26, 6))
    )

    assert query_of(winter)["dates"] == "20250115T093000Z/20250115T123000Z"
    assert query_of(overnight)["dates"] == "20251025T210000Z/20251026T060000Z"


def test_outlook_link():
    event = make_event(starts_at=london(2025, 6, 18, 9, 30), ends_at=london(2025, 6, 18, 12, 30))

    link = outlook_calendar_link(event)

    assert link.startswith("https://outlook.live.com/calendar/0/action/compose?subject=")
    assert "&startdt=2025-06-18T09%3A30%3A00%2B01%3A00&" in link
    assert "&enddt=2025-06-18T12%3A30%3A00%2B01%3A00&" in link
    assert link.endswith("&path=/calendar/action/compose&rru=addevent")
    assert query_of(link) == {
        "subject": "Working Together to Safeguard Children",
        "startdt": "2025-06-18T09:30:00+01:00",
        "enddt": "2025-06-18T12:30:00+01:00",
        "body": "Bring your lanyard.\n\nhttps://training.example.org/sessions/42",
        "location": "Room 2, Civic Centre, High Street",
        "path": "/calendar/action/compose",
        "rru": "addevent",
    }


def test_outlook_link_in_winter_uses_the_gmt_offset():
    query = query_of(outlook_calendar_link(make_event()))

    assert query["startdt"] == "2025-01-15T09:30:00+00:00"
    assert query["enddt"] == "2025-01-15T12:30:00+00:00"


@pytest.mark.parametrize("text", [*HOSTILE_TEXTS, "a&b=c#d?e+f%20g/h"])
def test_links_carry_any_text_exactly(text):
    event = make_event(summary=text, location=text, description=text, url="")

    google = google_calendar_link(event)
    outlook = outlook_calendar_link(event)

    assert query_of(google) | {"dates": ""} == {
        "action": "TEMPLATE",
        "text": text,
        "dates": "",
        "details": text,
        "location": text,
        "ctz": "Europe/London",
    }
    assert {query_of(outlook)[name] for name in ("subject", "body", "location")} == {text}
    for link in (google, outlook):
        assert not set(link) & set(' \n\r\t"<>#+^\\')


def test_link_details_hold_the_description_and_the_url_when_there_are_any():
    only_url = make_event(description="")
    neither = make_event(description="", url="")

    assert query_of(google_calendar_link(only_url))["details"] == (
        "https://training.example.org/sessions/42"
    )
    assert query_of(outlook_calendar_link(only_url))["body"] == (
        "https://training.example.org/sessions/42"
    )
    assert "&details=&" in google_calendar_link(neither)
    assert "&body=&" in outlook_calendar_link(neither)


def test_same_events_make_the_same_feed():
    events = [make_event(attendee_email=None), make_event(uid="other@x", attendee_email=None)]

    assert feed(events, "Sessions", PRODID) == feed(events, "Sessions", PRODID)
