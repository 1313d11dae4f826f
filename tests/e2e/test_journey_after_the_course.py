"""After the course, as the people in it live it: a professional books with their
confidence before, `tick` reminds them, the trainer marks them attended, `tick` asks for
their evaluation, they send it from the mailed link (which then shows what was sent), the
certificate that waited for it downloads and verifies, and the training record shows it
all. Weeks after another course, `tick` asks whether it changed their practice, and their
line manager gives their view from a link of their own. Running `tick` again sends nothing.
"""

import io
import re
from datetime import timedelta

from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from app.models import Attendance, Booking, Evaluation, Role, User, utcnow
from tests.e2e.actions import Mouse, heading, menu_link, sign_in
from tests.e2e.test_journey_trainer_register import mark_button

TITLE = "Recognising and responding to neglect"
EARLIER = "Working with fathers and male carers"
SPOT = "Spot the signs of neglect early"
TELL = "Know who to tell, and how"
READING = "Read the partnership's neglect strategy before you come."
CODE = re.compile(r"[2-9A-HJ-NP-Z]{4}(?:-[2-9A-HJ-NP-Z]{4}){3}")
MANAGER = "helen.brookes@example.org"


def tick_counts(site) -> dict[str, int]:
    """What one run of `flask tick` says it did, by kind of work."""
    return {
        label: int(count)
        for label, count in re.findall(r"^(.+): (\d+)$", site.flask("tick"), re.MULTILINE)
    }


def an_evaluation_weeks_ago(site, person, weeks: int) -> None:
    """A course attended a day more than `weeks` ago, evaluated the day after, as if it had
    been done here."""
    session_id = site.database.make_course(EARLIER, capacity=12, days_ahead=-7 * weeks - 1)
    site.database.give_places(session_id, [person])
    with site.database.session() as db_session:
        booking = db_session.scalar(
            select(Booking)
            .join(Booking.user)
            .where(Booking.session_id == session_id, User.email == person.email)
        )
        booking.attendance = Attendance.ATTENDED
        booking.attendance_marked_at = utcnow() - timedelta(weeks=weeks)
        db_session.add(
            Evaluation(
                booking=booking,
                overall_rating=4,
                do_differently="Ask about the men in a child's life at every visit.",
                submitted_at=utcnow() - timedelta(weeks=weeks),
            )
        )
        db_session.commit()


def test_after_the_course_from_the_reminder_to_the_record(site, page, new_page, check):
    trainer = site.database.make_person("Priya Natt", role=Role.TRAINER)
    person = site.database.make_person("Amara Okafor", line_manager_email=MANAGER)
    tomorrow = site.database.make_course(
        TITLE,
        capacity=12,
        days_ahead=1,
        trainers=(trainer,),
        outcomes=(SPOT, TELL),
        pre_course_reading=READING,
        certificate_after_evaluation=True,
    )
    yesterday = site.database.add_session(tomorrow, days_ahead=-1)
    site.database.give_places(tomorrow, [person])
    site.database.give_places(yesterday, [person])
    an_evaluation_weeks_ago(site, person, weeks=6)
    hands = Mouse(page)

    # Booking another date, with their confidence before the course.
    later = site.database.add_session(tomorrow, days_ahead=30)
    sign_in(page, person)
    page.goto(f"/sessions/{later}/book")
    heading(page, "Book a place")
    expect(page.get_by_role("heading", name=re.compile("how confident are you"))).to_be_visible()
    hands.tick(page.get_by_role("group", name=SPOT).get_by_label(re.compile("Slightly confident")))
    check(page, "book-with-self-assessment")
    hands.press(page.get_by_role("button", name="Confirm booking"))
    heading(page, TITLE)

    # The day before: the reminder, with the reading; and the earlier course's follow-up.
    first = tick_counts(site)
    assert first["Reminders sent"] >= 1 and first["Follow-ups sent"] >= 1
    reminder = site.mailbox.wait_for(person.email, f"Reminder: {TITLE}")
    assert READING in reminder.get_body(preferencelist=("plain",)).get_content()

    # The trainer marks yesterday's register; the next run asks for the evaluation.
    trainer_page = new_page()
    sign_in(trainer_page, trainer)
    trainer_page.goto(f"/trainer/sessions/{yesterday}")
    Mouse(trainer_page).press(mark_button(trainer_page, "Attended", person.name))
    expect(trainer_page.get_by_text(f"{person.name}: attended.")).to_be_visible()

    menu_link(page, hands, "Your bookings")
    past = page.get_by_role("table", name="Past")
    hands.follow(past.get_by_role("link", name=TITLE, exact=True))
    heading(page, TITLE)
    expect(page.get_by_text("Send your evaluation to get your certificate")).to_be_visible()
    check(page, "booking-certificate-waits")

    counts = tick_counts(site)
    assert counts["Evaluation requests sent"] >= 1
    request = site.mailbox.wait_for(person.email, f"Tell us what you thought: {TITLE}")

    # The evaluation, on a phone, without signing in.
    phone = new_page(viewport={"width": 375, "height": 800})
    phone.goto(site.link_in(request))
    heading(phone, TITLE)
    check(phone, "evaluation")
    thumbs = Mouse(phone)
    thumbs.press(phone.get_by_role("button", name="Send your evaluation"))
    expect(phone.get_by_role("alert").get_by_text("There is a problem")).to_be_visible()
    check(phone, "evaluation-errors")
    thumbs.tick(phone.get_by_role("group", name=SPOT).get_by_label(re.compile("Very confident")))
    thumbs.tick(phone.get_by_role("group", name=TELL).get_by_label("4: Confident", exact=True))
    thumbs.tick(
        phone.get_by_role("group", name=re.compile("Overall")).get_by_label(re.compile("Excellent"))
    )
    thumbs.fill(
        phone.get_by_label("What will you do differently in your practice?"),
        "Use the graded care profile when a home worries me.",
    )
    thumbs.press(phone.get_by_role("button", name="Send your evaluation"))
    expect(phone.get_by_text("This is what you sent; it cannot be changed.")).to_be_visible()
    check(phone, "evaluation-sent")
    phone.goto(site.link_in(request))
    expect(phone.get_by_text("Use the graded care profile when a home worries me.")).to_be_visible()
    expect(phone.get_by_role("button", name="Send your evaluation")).to_have_count(0)

    # The certificate, now that the evaluation is in, and its check.
    page.reload()
    link = page.get_by_role("link", name="Download your certificate of attendance (PDF)")
    download = hands.download(link)
    text = " ".join(
        PdfReader(io.BytesIO(download.path().read_bytes())).pages[0].extract_text().split()
    )
    assert person.name in text and TITLE in text
    code = CODE.search(text).group(0)
    employer = new_page()
    employer.goto(f"/certificates/{code}")
    heading(employer, "This certificate is valid")

    # The record: both courses, their hours, the certificate.
    menu_link(page, hands, "Your training record")
    heading(page, "Your training record")
    attended = page.get_by_role("table", name="Sessions attended, newest first")
    expect(attended.get_by_role("row").filter(has_text=TITLE)).to_be_visible()
    expect(attended.get_by_role("row").filter(has_text=EARLIER)).to_be_visible()
    check(page, "training-record")

    # Six weeks after the earlier course: has it changed their practice?
    follow_up = site.mailbox.wait_for(person.email, "Has the training changed your practice?")
    page.goto(site.link_in(follow_up))
    heading(page, "Has the training changed your practice?")
    expect(page.get_by_text(f"Follow-up: {EARLIER}")).to_be_visible()
    check(page, "follow-up")
    hands.tick(
        page.get_by_role("group", name="Has this training changed your practice?").get_by_label(
            "Yes"
        )
    )
    hands.fill(
        page.get_by_label("How? (optional if it has not)"),
        "I ask about fathers at every first visit.",
    )
    hands.tick(page.get_by_label("Ask my line manager for their view"))
    expect(page.get_by_label("Your line manager's email address")).to_have_value(MANAGER)
    hands.press(page.get_by_role("button", name="Send your answer"))
    heading(page, "Your answer")
    check(page, "follow-up-sent")

    asked = site.mailbox.wait_for(MANAGER, f"Your view of {person.name}'s training")
    manager = new_page()
    manager.goto(site.link_in(asked))
    heading(manager, f"Has the training changed {person.name}'s practice?")
    check(manager, "manager-view")
    Mouse(manager).fill(
        manager.get_by_label(re.compile("Has this training changed their practice")),
        "Yes: Amara now asks about the fathers in every assessment.",
    )
    Mouse(manager).press(manager.get_by_role("button", name="Send your view"))
    heading(manager, "Thank you for your view")
    check(manager, "manager-view-sent")

    # Everything time brought has been done: another run sends nothing.
    assert set(tick_counts(site).values()) == {0}
