"""The error states of the trainer's and the coordinator's forms, as they meet them, each
checked with axe like any other page.

Each form is sent empty or with what a busy person might type: the errors are listed at
the top and said with their fields, what was typed is kept, and nothing changes.
"""

from datetime import date, timedelta

from playwright.sync_api import expect

from app.display import long_date
from app.models import Role
from tests.e2e.actions import (
    Mouse,
    admin_section,
    errors_shown,
    fill_date,
    group_errors_shown,
    heading,
    menu_link,
    sign_in,
)
from tests.e2e.server import COORDINATOR, unique

TOO_LONG = "x" * 1001


def last_sunday_of_march(year: int) -> date:
    """The night British Summer Time begins: at 1am the clocks go forward to 2am."""
    last_day = date(year, 3, 31)
    return last_day - timedelta(days=(last_day.weekday() + 1) % 7)


def clocks_go_forward_after(today: date) -> date:
    sunday = last_sunday_of_march(today.year)
    return sunday if sunday > today else last_sunday_of_march(today.year + 1)


def skipped(day: date) -> str:
    return (
        f"There is no 1:30am on {long_date(day)}: the clocks go forward an hour that night. "
        "Choose another time"
    )


def test_the_trainers_forms_empty_and_with_bad_input(site, page, check):
    trainer = site.database.make_person("Owen Tate", role=Role.TRAINER)
    people = [site.database.make_person(name) for name in ("Rhian Cole", "Sol Marsh")]
    held = site.database.make_course(
        "Trauma-informed practice", capacity=5, days_ahead=-1, trainers=(trainer,)
    )
    coming = site.database.make_course(
        "Contextual safeguarding", capacity=5, days_ahead=10, trainers=(trainer,)
    )
    for session_id in (held, coming):
        site.database.give_places(session_id, people)
    hands = Mouse(page)
    sign_in(page, trainer)

    page.goto(f"/trainer/sessions/{held}")
    hands.follow(page.get_by_role("link", name="Add someone who turned up without a booking"))
    heading(page, "Add someone who turned up without a booking")
    hands.press(page.get_by_role("button", name="Add to the register"))
    errors_shown(page, {"Their email address": "Enter their email address"})
    check(page, "walk-in-empty")
    newcomer = f"{unique('newcomer')}@example.org"
    hands.fill(page.get_by_label("Their email address"), newcomer)
    hands.fill(page.get_by_label("Job title (optional)"), "Youth Worker")
    hands.press(page.get_by_role("button", name="Add to the register"))
    errors_shown(
        page,
        {
            "Full name": "No account uses that email address: enter the person's full name",
            "Agency": "Choose their agency, or choose \u201cTheir agency is not listed\u201d",
        },
    )
    check(page, "walk-in-without-an-account-or-details")
    expect(page.get_by_label("Their email address")).to_have_value(newcomer)
    expect(page.get_by_label("Job title (optional)")).to_have_value("Youth Worker")

    hands.follow(page.get_by_role("link", name="Back to the register"))
    expect(page.get_by_role("main")).not_to_contain_text(newcomer)
    hands.follow(page.get_by_role("link", name="Email everyone with a place"))
    heading(page, "Email everyone with a place")
    hands.press(page.get_by_role("button", name="Send the email"))
    errors_shown(page, {"Subject": "Enter a subject", "Message": "Enter a message"})
    check(page, "email-everyone-empty")

    page.goto(f"/trainer/sessions/{coming}")
    hands.follow(page.get_by_role("link", name="Change the number of places"))
    heading(page, "Change the number of places")
    hands.fill(page.get_by_label("Number of places"), "1")
    hands.press(page.get_by_role("button", name="Save the number of places"))
    errors_shown(
        page, {"Number of places": "2 places are taken, so the capacity cannot be less than 2"}
    )
    check(page, "capacity-below-places-taken")

    hands.follow(page.get_by_role("link", name="Back to the register"))
    expect(page.get_by_role("main")).to_contain_text("2 of 5 taken")
    hands.follow(page.get_by_role("link", name="Change the date, time or venue"))
    heading(page, "Change the date, time or venue")
    spring = clocks_go_forward_after(date.today())
    fill_date(page, hands, "Date of the session", spring)
    hands.fill(page.get_by_label("Start time"), "1:30am")
    hands.fill(page.get_by_label("End time"), "4am")
    hands.press(page.get_by_role("button", name="Save and tell everyone booked"))
    errors_shown(page, {"Start time": skipped(spring)})
    check(page, "change-to-a-time-the-clocks-skip")
    expect(page.get_by_label("End time")).to_have_value("4am")

    hands.follow(page.get_by_role("link", name="Back to the register"))
    hands.follow(page.get_by_role("link", name="Cancel the session"))
    heading(page, "Cancel the session")
    hands.press(page.get_by_role("button", name="Cancel the session"))
    errors_shown(page, {"Why is the session cancelled?": "Enter the reason for cancelling"})
    check(page, "cancel-without-a-reason")
    page.goto(f"/trainer/sessions/{coming}")
    expect(page.get_by_text("This session was cancelled")).to_have_count(0)


def test_the_coordinators_course_link_and_session_forms_empty_and_with_bad_input(site, page, check):
    people = [site.database.make_person(name) for name in ("Tom Reyes", "Uma Bell")]
    booked = site.database.make_course("Missing from home and care", capacity=5, days_ahead=20)
    site.database.give_places(booked, people)
    hands = Mouse(page)
    sign_in(page, COORDINATOR)
    menu_link(page, hands, "Administration")

    admin_section(page, hands, "Courses")
    hands.follow(page.get_by_role("link", name="Add a course"))
    heading(page, "Add a course")
    hands.press(page.get_by_role("button", name="Save course"))
    errors_shown(
        page,
        {
            "Prospectus": "Choose the prospectus the course is in",
            "Title": "Enter the course's title",
            "Summary": "Enter a summary of the course",
            "Description": "Enter a description of the course",
            "Who it is for": "Enter who the course is for",
            "CPD hours": "Enter the CPD hours",
        },
    )
    group_errors_shown(
        page,
        {"Level": "Choose the course's level", "How it is delivered": "Choose how the course"},
    )
    check(page, "new-course-empty")
    multi_agency = page.get_by_label("Prospectus").locator("option", has_text="Multi-agency")
    hands.choose(page.get_by_label("Prospectus"), multi_agency.inner_text().strip())
    hands.fill(page.get_by_label("Title"), "Online safety for parents")
    hands.fill(page.get_by_label("Summary"), "Keeping children safe online.")
    hands.fill(page.get_by_label("Description"), "What parents can do.")
    hands.fill(page.get_by_label("Who it is for"), "Parents and carers.")
    hands.tick(page.get_by_label("Level 1"))
    hands.fill(page.get_by_label("CPD hours"), "1.5")
    hands.tick(page.get_by_label("E-learning (hosted elsewhere)"))
    hands.press(page.get_by_role("button", name="Save course"))
    errors_shown(
        page,
        {
            "E-learning web address (only for e-learning hosted elsewhere)": (
                "Enter the web address where people start the e-learning"
            )
        },
    )
    check(page, "new-course-e-learning-without-its-address")
    expect(page.get_by_label("Title")).to_have_value("Online safety for parents")

    admin_section(page, hands, "Courses")
    hands.follow(page.get_by_role("link", name="Working together to safeguard children"))
    hands.follow(page.get_by_role("link", name="Choose the case reviews this course draws on"))
    heading(page, "Case reviews this course draws on")
    hands.press(page.get_by_role("button", name="Add case review"))
    errors_shown(
        page,
        {
            "Case review": "Choose a case review",
            "How the course uses this review": "Say how the course uses this review",
        },
    )
    check(page, "lesson-link-empty")
    hands.choose(page.get_by_label("Case review"), "Child R - Serious Case Review")
    hands.fill(page.get_by_label("How the course uses this review"), "Again.")
    hands.press(page.get_by_role("button", name="Add case review"))
    errors_shown(
        page,
        {
            "Case review": "Working together to safeguard children already draws on Child R - "
            "Serious Case Review: change the note of that link instead"
        },
    )
    expect(page.get_by_label("How the course uses this review")).to_have_value("Again.")
    check(page, "lesson-link-already-there")

    admin_section(page, hands, "Courses")
    hands.follow(page.get_by_role("link", name="Working together to safeguard children"))
    hands.follow(page.get_by_role("link", name="Add a session"))
    heading(page, "Add a session")
    hands.fill(page.get_by_label("Cancellation cut-off, in hours"), "")
    hands.press(page.get_by_role("button", name="Save session"))
    errors_shown(
        page,
        {
            "Start time": "Enter the start time",
            "End time": "Enter the end time",
            "Where it is held": "Choose where the session is held",
            "Number of places": "Enter the number of places",
            "Cancellation cut-off, in hours": "Enter the cancellation cut-off",
        },
    )
    group_errors_shown(page, {"Date": "Enter the date of the session"})
    check(page, "new-session-empty")
    spring = clocks_go_forward_after(date.today())
    fill_date(page, hands, "Date", spring)
    hands.fill(page.get_by_label("Start time"), "1:30am")
    hands.fill(page.get_by_label("End time"), "half past four")
    hands.choose(page.get_by_label("Where it is held"), "Riverside House Training Suite")
    hands.fill(page.get_by_label("Number of places"), "0")
    fill_date(page, hands, "Date booking closes (optional)", spring - timedelta(days=2))
    hands.press(page.get_by_role("button", name="Save session"))
    errors_shown(
        page,
        {
            "Start time": skipped(spring),
            "End time": "Enter the end time as a time of day, like 9:30am or 14:00",
            "Number of places": "The number of places must be between 1 and",
            "Time booking closes (optional)": "Enter the time booking closes",
        },
    )
    check(page, "new-session-at-a-time-the-clocks-skip")
    expect(page.get_by_label("End time")).to_have_value("half past four")

    admin_section(page, hands, "Sessions")
    hands.follow(page.get_by_role("link", name="Add a session"))
    heading(page, "Add a session")
    hands.press(page.get_by_role("button", name="Continue"))
    errors_shown(page, {"Course": "Choose the course the session is of"})
    check(page, "add-a-session-without-its-course")
    working_together = page.get_by_label("Course").locator(
        "option", has_text="Working together to safeguard children"
    )
    hands.choose(page.get_by_label("Course"), working_together.inner_text().strip())
    hands.press(page.get_by_role("button", name="Continue"))
    heading(page, "Add a session")
    expect(page.get_by_role("main")).to_contain_text("Working together to safeguard children")
    expect(page.get_by_label("Start time")).to_be_visible()

    page.goto(f"/admin/sessions/{booked}")
    hands.follow(page.get_by_role("link", name="Change the number of places"))
    heading(page, "Change the number of places")
    hands.fill(page.get_by_label("Number of places"), "1")
    hands.press(page.get_by_role("button", name="Change the number of places"))
    errors_shown(
        page, {"Number of places": "2 places are taken, so the capacity cannot be less than 2"}
    )
    check(page, "session-capacity-below-places-taken")

    hands.follow(page.get_by_role("link", name="Go back without changing it"))
    hands.follow(page.get_by_role("link", name="Cancel the session"))
    hands.press(page.get_by_role("button", name="Cancel the session"))
    errors_shown(page, {"Why the session is cancelled": "Enter why the session is cancelled"})
    check(page, "session-cancel-without-a-reason")


def test_the_coordinators_venue_agency_case_review_and_people_forms_with_errors(page, check):
    hands = Mouse(page)
    sign_in(page, COORDINATOR)
    menu_link(page, hands, "Administration")

    admin_section(page, hands, "Venues")
    heading(page, "Venues")
    check(page, "venues")
    hands.follow(page.get_by_role("link", name="Add a venue"))
    heading(page, "Add a venue")
    hands.fill(page.get_by_label("Postcode"), "S60 IAE!")
    hands.press(page.get_by_role("button", name="Save venue"))
    errors_shown(
        page,
        {
            "Name": "Enter the venue's name",
            "Address": "Enter the venue's address",
            "Postcode": "Enter a real postcode, like S60 1AE",
        },
    )
    check(page, "new-venue-with-errors")
    expect(page.get_by_label("Postcode")).to_have_value("S60 IAE!")

    admin_section(page, hands, "Agencies")
    heading(page, "Agencies")
    check(page, "agencies")
    hands.follow(page.get_by_role("link", name="Add an agency"))
    heading(page, "Add an agency")
    hands.press(page.get_by_role("button", name="Save agency"))
    errors_shown(page, {"Name": "Enter the agency's name"})
    group_errors_shown(page, {"Sector": "Choose the agency's sector"})
    check(page, "new-agency-empty")

    admin_section(page, hands, "Case reviews")
    heading(page, "Case reviews")
    check(page, "case-reviews")
    hands.follow(page.get_by_role("link", name="Add a case review"))
    heading(page, "Add a case review")
    hands.fill(page.get_by_label("Year published (optional)"), "12")
    hands.fill(page.get_by_label("Web address of report 1"), "rscp.org.uk/child-t.pdf")
    hands.press(page.get_by_role("button", name="Save case review"))
    errors_shown(
        page,
        {
            "Title": "Enter the review's title",
            "Year published (optional)": "Enter the year as 4 digits, like 2012",
            "Summary": "Enter a summary of the review",
            "Title of report 1": "Enter the title of report 1",
            "Web address of report 1": (
                "Enter the web address of report 1, starting with http:// or https://"
            ),
        },
    )
    check(page, "new-case-review-with-errors")
    expect(page.get_by_label("Web address of report 1")).to_have_value("rscp.org.uk/child-t.pdf")

    admin_section(page, hands, "People")
    heading(page, "People")
    check(page, "people")
    hands.fill(page.get_by_label("Name or email address"), TOO_LONG)
    hands.press(page.get_by_role("button", name="Search"))
    errors_shown(page, {"Name or email address": "Search must be 200 characters or fewer"})
    check(page, "people-search-too-long")
