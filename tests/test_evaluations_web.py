"""The pages of the links mailed after a session: the evaluation, the follow-up and the
line manager's view, opened without signing in, each only with its own signed link; and
the booking's page, which offers the evaluation and, once it is sent, the certificate."""

import re
from datetime import timedelta

import pytest
import time_machine
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from app.evaluations import queries as evaluation_queries
from app.evaluations import tokens
from app.extensions import db
from app.models import (
    Attendance,
    Booking,
    ChangedPractice,
    Evaluation,
    FollowUp,
    OutcomeConfidence,
    Stage,
    utcnow,
)
from app.sessions import service as changes
from tests.conftest import (
    count,
    csrf_token,
    field_errors,
    link_in,
    signed_in_as,
    summary_errors,
    words,
)
from tests.factories import PASSWORD, make_booking, make_course, make_prospectus, make_session


@pytest.fixture
def session(app, trainer):
    course = make_course(
        make_prospectus(), title="Understanding neglect", certificate_after_evaluation=True
    )
    starts = utcnow().replace(microsecond=0) - timedelta(days=1)
    return make_session(course, starts_at=starts, hours=3, trainers=[trainer])


@pytest.fixture
def booking(session, trainer) -> Booking:
    booking = make_booking(
        session,
        name="Pat Visitor",
        email="pat@example.org",
        password=PASSWORD,
        line_manager_email="boss@example.org",
    )
    changes.mark_attendance(
        db.session, session.id, booking.id, Attendance.ATTENDED, trainer, session.ends_at
    )
    db.session.commit()
    return booking


def links_to(path: str, purpose: str, ending: str = "") -> int | None:
    """The booking a link of this purpose (a path ending so) is for: its token is signed
    with the moment it was made, so it is read rather than compared."""
    token = path.removeprefix("/evaluations/").removesuffix(ending)
    assert path == f"/evaluations/{token}{ending}"
    return tokens.booking_id_from(purpose, token)


def evaluation_path(booking: Booking) -> str:
    return f"/evaluations/{tokens.evaluation_token(booking)}"


def outcome_ids(booking: Booking) -> list[int]:
    return [outcome.id for outcome in booking.session.course.outcomes]


def good_answers(booking: Booking) -> dict:
    return {
        "overall_rating": "5",
        "do_differently": "Ask about the child's lived experience.",
        "anything_else": "",
        **{f"confidence-{outcome_id}": "4" for outcome_id in outcome_ids(booking)},
    }


def send(browser, path: str, data: dict, **kwargs):
    token = csrf_token(browser.get(path).text)
    return browser.post(path, data={"csrf_token": token, **data}, **kwargs)


def evaluated(client, booking: Booking) -> None:
    sent = send(client, evaluation_path(booking), good_answers(booking))
    assert sent.status_code == 302, sent.text


# The evaluation ----------------------------------------------------------------------------


def test_tick_mails_the_link_once_and_it_opens_the_form(app, runner, client, mailbox, booking):
    first = runner.invoke(args=["tick"])
    second = runner.invoke(args=["tick"])

    assert "Evaluation requests sent: 1" in first.output
    assert "Evaluation requests sent: 0" in second.output
    (request,) = mailbox.to("pat@example.org")
    assert request["Subject"] == "Tell us what you thought: Understanding neglect"
    text = request.get_body(preferencelist=("plain",)).get_content()
    assert "once you have sent your evaluation" in text
    page = client.get(link_in(request))
    assert page.status_code == 200
    assert csrf_token(page.text)
    shown = words(page.text)
    for text in (
        "Recognise the signs of abuse",
        "Know how to make a referral",
        "1: Not at all confident",
        "5: Very confident",
        "1: Very poor",
        "5: Excellent",
        "What will you do differently in your practice?",
        "Anything else? (optional)",
    ):
        assert text in shown, text


def test_sending_it_keeps_it_and_shows_it_read_only_after(app, client, booking):
    path = evaluation_path(booking)
    first, second = outcome_ids(booking)

    sent = send(client, path, good_answers(booking) | {f"confidence-{first}": "2"})

    assert sent.status_code == 302 and sent.location.endswith(path)
    evaluation = db.session.scalar(select(Evaluation))
    assert (evaluation.booking_id, evaluation.overall_rating) == (booking.id, 5)
    after = dict(
        db.session.execute(
            select(OutcomeConfidence.outcome_id, OutcomeConfidence.confidence).where(
                OutcomeConfidence.stage == Stage.AFTER
            )
        ).all()
    )
    assert after == {first: 2, second: 4}
    again = client.get(path)
    assert again.status_code == 200
    shown = words(again.text)
    assert "This is what you sent; it cannot be changed" in shown
    assert "2: Slightly confident" in shown and "5: Excellent" in shown
    assert "Ask about the child's lived experience." in shown
    assert "<form" not in again.text


def test_a_second_submission_changes_nothing_and_shows_what_was_sent(app, client, booking):
    path = evaluation_path(booking)
    token = csrf_token(client.get(path).text)
    # The same form sent twice, as by a second press or another tab.
    client.post(path, data={"csrf_token": token, **good_answers(booking)})
    again = client.post(
        path, data={"csrf_token": token, **good_answers(booking), "overall_rating": "1"}
    )

    assert again.status_code == 200
    assert "This is what you sent" in words(again.text)
    assert count(Evaluation) == 1
    assert db.session.scalar(select(Evaluation.overall_rating)) == 5


def test_bad_answers_are_shown_at_their_fields_keeping_what_was_typed(app, client, booking):
    first, second = outcome_ids(booking)
    answers = good_answers(booking) | {"do_differently": "", "anything_else": "Good lunch"}
    del answers["overall_rating"], answers[f"confidence-{second}"]

    shown = send(client, evaluation_path(booking), answers)

    assert shown.status_code == 400
    assert set(summary_errors(shown.text)) >= {"overall_rating", "do_differently"}
    errors = field_errors(shown.text)
    assert errors["do_differently"] == "Enter what you will do differently in your practice"
    assert errors[f"confidence-{second}"] == (
        "Choose how confident you now feel: Know how to make a referral"
    )
    assert "Good lunch" in shown.text
    assert f'name="confidence-{first}" type="radio" value="4" checked' in shown.text
    assert count(Evaluation) == 0 and count(OutcomeConfidence) == 0


def test_the_form_needs_its_csrf_token(app, client, booking):
    refused = client.post(evaluation_path(booking), data=good_answers(booking))

    assert refused.status_code == 400
    assert count(Evaluation) == 0


def test_people_the_register_does_not_show_there_are_told_so(app, client, booking, trainer):
    changes.mark_attendance(
        db.session,
        booking.session_id,
        booking.id,
        Attendance.DID_NOT_ATTEND,
        trainer,
        booking.session.ends_at,
    )
    db.session.commit()
    path = evaluation_path(booking)

    page = client.get(path)
    assert page.status_code == 200
    assert "the register does not show that you did" in words(page.text)
    assert "<form" not in page.text
    token = csrf_token(client.get("/account/sign-in").text)
    posted = client.post(path, data={"csrf_token": token, **good_answers(booking)})
    assert posted.status_code == 400
    assert count(Evaluation) == 0


def test_before_the_session_ends_the_page_says_when_it_can_be_sent(app, client, booking):
    with time_machine.travel(booking.session.ends_at - timedelta(minutes=30), tick=False):
        page = client.get(evaluation_path(booking))

    assert page.status_code == 200
    assert "You can send your evaluation once the session has ended" in words(page.text)


def forged(purpose: str, booking_id: int) -> str:
    return URLSafeTimedSerializer("not the app's secret", salt=purpose).dumps(
        {"booking": booking_id}
    )


@pytest.mark.parametrize("which", ["nonsense", "forged", "follow-up's", "manager's", "no booking"])
def test_a_link_that_is_not_the_evaluations_own_is_not_valid(app, client, booking, which):
    token = {
        "nonsense": "not-a-token",
        "forged": forged(tokens.EVALUATE, booking.id),
        "follow-up's": tokens.follow_up_token(booking),
        "manager's": tokens.manager_view_token(booking),
        "no booking": tokens.serializer(tokens.EVALUATE).dumps({"booking": 999999}),
    }[which]

    page = client.get(f"/evaluations/{token}")

    assert page.status_code == 404
    assert "That link is not valid" in words(page.text)
    csrf = csrf_token(client.get("/account/sign-in").text)
    assert client.post(f"/evaluations/{token}", data={"csrf_token": csrf}).status_code == 404


def test_each_link_is_for_its_own_booking(app, client, booking, session, trainer):
    other = make_booking(session, name="Sam Other")
    changes.mark_attendance(
        db.session, session.id, other.id, Attendance.ATTENDED, trainer, session.ends_at
    )
    db.session.commit()

    evaluated(client, booking)

    assert "Sam Other" in words(client.get(evaluation_path(other)).text)
    assert "<form" in client.get(evaluation_path(other)).text
    assert db.session.scalar(select(Evaluation.booking_id)) == booking.id


# The booking's page and the certificate ----------------------------------------------------


def test_the_certificate_waits_for_the_evaluation_where_the_course_asks(app, client, booking):
    owner = signed_in_as(app, booking.user)
    pdf = f"/bookings/{booking.id}/certificate.pdf"

    page = owner.get(f"/bookings/{booking.id}")
    assert "Send your evaluation to get your certificate" in words(page.text)
    linked = re.findall(r'href="(/evaluations/[^"/]+)"', page.text)
    assert [links_to(path, tokens.EVALUATE) for path in linked] == [booking.id]
    assert pdf not in page.text
    assert owner.get(pdf).status_code == 404

    evaluated(client, booking)

    page = owner.get(f"/bookings/{booking.id}")
    assert pdf in page.text
    assert "See what you sent" in words(page.text)
    assert owner.get(pdf).status_code == 200


def test_coordinators_download_it_before_the_evaluation(app, booking, as_coordinator):
    assert as_coordinator.get(f"/bookings/{booking.id}/certificate.pdf").status_code == 200


def test_its_code_verifies_before_the_evaluation_too(app, client, booking):
    code = db.session.get(Booking, booking.id).certificate.code

    assert client.get(f"/certificates/{code}").status_code == 200


# The follow-up and the line manager's view -------------------------------------------------


def follow_up_path(booking: Booking) -> str:
    return f"/evaluations/{tokens.follow_up_token(booking)}/follow-up"


def test_six_weeks_on_those_who_evaluated_are_followed_up_once(
    app, runner, client, mailbox, booking
):
    evaluated(client, booking)

    with time_machine.travel(booking.session.ends_at + timedelta(weeks=6, minutes=1)):
        first = runner.invoke(args=["tick"])
        second = runner.invoke(args=["tick"])
        (follow_up,) = [m for m in mailbox.to("pat@example.org") if "changed" in m["Subject"]]
        page = client.get(link_in(follow_up))

    assert "Follow-ups sent: 1" in first.output
    assert "Follow-ups sent: 0" in second.output
    assert follow_up["Subject"] == "Has the training changed your practice? Understanding neglect"
    assert page.status_code == 200
    assert "Has this training changed your practice?" in words(page.text)
    assert 'value="boss@example.org"' in page.text
    assert csrf_token(page.text)


def test_asking_the_line_manager_mails_them_a_link_of_their_own(app, client, mailbox, booking):
    evaluated(client, booking)
    path = follow_up_path(booking)

    sent = send(
        client,
        path,
        {
            "changed_practice": "yes",
            "how": "I ask about neglect at every visit.",
            "ask_manager": "y",
            "manager_email": "new.boss@example.org",
        },
    )

    assert sent.status_code == 302
    answer = db.session.scalar(select(FollowUp))
    assert (answer.changed_practice, answer.manager_email) == (
        ChangedPractice.YES,
        "new.boss@example.org",
    )
    request = mailbox.last_to("new.boss@example.org")
    assert request["Subject"] == "Your view of Pat Visitor's training: Understanding neglect"
    manager_path = link_in(request)
    assert links_to(manager_path, tokens.MANAGER_VIEW, "/manager") == booking.id
    assert "Your answer" in words(client.get(path).text)

    manager = app.test_client()
    page = manager.get(manager_path)
    assert page.status_code == 200
    assert "Has the training changed Pat Visitor's practice?" in words(page.text)
    assert "I ask about neglect" not in page.text
    empty = send(manager, manager_path, {"view": " "})
    assert empty.status_code == 400
    assert field_errors(empty.text) == {
        "view": "Enter your view of whether the training changed their practice"
    }
    token = csrf_token(manager.get(manager_path).text)
    answered = manager.post(
        manager_path, data={"csrf_token": token, "view": "Much more curious with families."}
    )
    assert answered.status_code == 302
    again = manager.post(manager_path, data={"csrf_token": token, "view": "Something else"})
    assert again.status_code == 200
    assert "Much more curious with families." in words(again.text)
    assert db.session.scalar(select(FollowUp.manager_view)) == "Much more curious with families."


def test_the_follow_up_refuses_the_persons_own_address_for_the_manager(app, client, booking):
    evaluated(client, booking)

    shown = send(
        client,
        follow_up_path(booking),
        {
            "changed_practice": "not-yet",
            "how": "",
            "ask_manager": "y",
            "manager_email": "pat@example.org",
        },
    )

    assert shown.status_code == 400
    assert field_errors(shown.text) == {
        "manager_email": "Enter your line manager's email address, not your own"
    }
    assert 'value="pat@example.org"' in shown.text
    assert count(FollowUp) == 0


@pytest.mark.parametrize(
    ("manager_email", "asked", "status", "error"),
    [
        ("not an address", "y", 400, "Enter an email address in the correct format"),
        ("not an address", "", 302, None),
    ],
)
def test_the_managers_address_is_checked_only_when_their_view_is_asked(
    app, client, booking, manager_email, asked, status, error
):
    evaluated(client, booking)

    shown = send(
        client,
        follow_up_path(booking),
        {"changed_practice": "no", "ask_manager": asked, "manager_email": manager_email},
    )

    assert shown.status_code == status
    if error:
        assert field_errors(shown.text)["manager_email"].startswith(error)
        assert count(FollowUp) == 0
    else:
        assert db.session.scalar(select(FollowUp.manager_email)) is None


def test_the_follow_up_is_not_offered_before_the_evaluation(app, client, booking):
    page = client.get(follow_up_path(booking))

    assert page.status_code == 200
    assert "The follow-up is for people who sent their evaluation" in words(page.text)
    assert "<form" not in page.text


@pytest.mark.parametrize("which", ["forged", "evaluation's", "manager's"])
def test_the_follow_up_needs_its_own_link(app, client, booking, which):
    token = {
        "forged": forged(tokens.FOLLOW_UP, booking.id),
        "evaluation's": tokens.evaluation_token(booking),
        "manager's": tokens.manager_view_token(booking),
    }[which]

    assert client.get(f"/evaluations/{token}/follow-up").status_code == 404


def test_the_managers_page_needs_its_own_link_and_an_ask(app, client, booking):
    evaluated(client, booking)
    send(client, follow_up_path(booking), {"changed_practice": "no", "how": ""})

    unasked = client.get(f"/evaluations/{tokens.manager_view_token(booking)}/manager")
    follow_ups_link = client.get(f"/evaluations/{tokens.follow_up_token(booking)}/manager")

    assert unasked.status_code == 404 and follow_ups_link.status_code == 404
    assert "That link is not valid" in words(unasked.text)


def test_the_list_of_bookings_offers_the_certificate_once_evaluated(app, client, booking):
    owner = signed_in_as(app, booking.user)
    pdf = f"/bookings/{booking.id}/certificate.pdf"

    page = owner.get("/account/bookings").text
    assert pdf not in page
    assert "Send your evaluation of Understanding neglect to get your certificate" in words(page)

    evaluated(client, booking)

    page = owner.get("/account/bookings").text
    assert pdf in page
    assert "Send your evaluation" not in words(page)


def test_an_evaluation_sent_at_the_same_moment_as_another_shows_what_was_sent(
    app, client, booking, monkeypatch
):
    """As two presses at once on PostgreSQL: both find none sent, the unique key stops the
    second's write, and asked again the rules find the first's."""
    path = evaluation_path(booking)
    token = csrf_token(client.get(path).text)
    db.session.add(
        Evaluation(
            booking_id=booking.id, overall_rating=3, do_differently="First", submitted_at=utcnow()
        )
    )
    db.session.commit()
    real = evaluation_queries.evaluation_of
    looks = []

    def not_yet_seen(db_session, booking_id):
        looks.append(booking_id)
        return None if len(looks) <= 2 else real(db_session, booking_id)

    monkeypatch.setattr(evaluation_queries, "evaluation_of", not_yet_seen)

    answer = client.post(path, data={"csrf_token": token, **good_answers(booking)})

    assert answer.status_code == 200
    assert "This is what you sent" in words(answer.text) and "First" in answer.text
    assert count(Evaluation) == 1
    assert count(OutcomeConfidence) == 0
    # The page, the first try (stopped by the key), the second (which finds it), the page.
    assert len(looks) == 4


def test_the_follow_up_and_the_managers_forms_need_their_csrf_tokens(app, client, booking):
    evaluated(client, booking)
    follow_up = follow_up_path(booking)
    answer = {"changed_practice": "yes", "how": "More curious"}

    assert csrf_token(client.get(follow_up).text)
    assert client.post(follow_up, data=answer | {"ask_manager": "y"}).status_code == 400
    assert count(FollowUp) == 0

    send(client, follow_up, answer | {"ask_manager": "y", "manager_email": "boss@example.org"})
    manager = f"/evaluations/{tokens.manager_view_token(booking)}/manager"
    assert csrf_token(client.get(manager).text)
    assert client.post(manager, data={"view": "Yes"}).status_code == 400
    assert db.session.scalar(select(FollowUp.manager_view)) is None
