"""Training done elsewhere on the pages: the person's list, form, certificate and
withdrawal under /account/external-training; the coordinator's list, decision and
download under /admin/external-training; and what the training record then shows."""

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from app.display import in_london
from app.extensions import db
from app.external_training import files
from app.models import (
    AuditEntry,
    Delivery,
    ExternalTraining,
    ExternalTrainingStatus,
    OutboxMessage,
    utcnow,
)
from tests.conftest import csrf_token, field_errors, signed_in_as, summary_errors, words
from tests.factories import (
    PASSWORD,
    make_agency,
    make_course,
    make_external_training,
    make_prospectus,
    make_user,
    pdf_bytes,
    picture_bytes,
)

NEW = "/account/external-training/new"
LIST = "/account/external-training"
SIGN_IN = "/account/sign-in"


@pytest.fixture
def prospectus(app):
    return make_prospectus()


@pytest.fixture
def e_learning(prospectus):
    return make_course(
        prospectus,
        title="Child sexual exploitation e-learning",
        delivery=Delivery.E_LEARNING,
        external_url="https://www.virtual-college.co.uk/",
        refresh_years=3,
    )


@pytest.fixture
def neglect(prospectus):
    return make_course(prospectus, title="Awareness of neglect")


@pytest.fixture
def person(app):
    return make_user(
        password=PASSWORD,
        name="Helen Marsden",
        email="helen@example.org",
        agency=make_agency(name="The Rotherham NHS Foundation Trust"),
    )


@pytest.fixture
def as_person(app, person):
    return signed_in_as(app, person)


def today() -> date:
    return in_london(utcnow()).date()


def folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def stored_files() -> list[str]:
    return sorted(path.name for path in folder().glob("*")) if folder().exists() else []


def records() -> list[ExternalTraining]:
    return list(db.session.scalars(select(ExternalTraining).order_by(ExternalTraining.id)))


def form_data(browser, course, content=None, name="CSE certificate.pdf", **fields):
    day = fields.pop("completed_on", today() - timedelta(days=10))
    data = {
        "csrf_token": csrf_token(browser.get(NEW).text),
        "course": str(course.id),
        "provider": "Virtual College",
        "completed_on": [str(day.day), str(day.month), str(day.year)],
        "certificate": (io.BytesIO(pdf_bytes() if content is None else content), name),
    }
    return data | fields


def send(browser, course, **fields):
    return browser.post(NEW, data=form_data(browser, course, **fields))


# Recording ---------------------------------------------------------------------------------


def test_the_form_offers_public_courses_e_learning_first(as_person, e_learning, neglect):
    make_course(make_prospectus(slug="drafts"), title="A draft course", published=False)

    page = as_person.get(NEW)

    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    options = re.findall(r"<option [^>]*>([^<]*)</option>", page.text)
    assert options == ["Choose a course", e_learning.title, neglect.title]
    text = words(page.text)
    assert "Where you did it" in text and "Date you completed it" in text
    assert "A PDF file, or a scan or photo as a PNG or JPEG file, up to 5 MB" in text
    assert "Choose your certificate file again" not in text


def test_the_e_learnings_page_leads_to_the_form_with_it_chosen(as_person, e_learning):
    course_page = as_person.get(f"/courses/{e_learning.slug}").text
    link = re.search(r'href="(/account/external-training/new\?course=\d+)"', course_page)

    form = as_person.get(link.group(1).replace("&amp;", "&"))

    assert f'<option value="{e_learning.id}" selected>' in form.text


def test_recording_saves_the_training_and_its_file_and_lists_it(as_person, person, e_learning):
    answer = send(as_person, e_learning)

    assert answer.status_code == 302
    assert answer.headers["Location"] == LIST
    [training] = records()
    assert (training.user_id, training.course_id, training.provider) == (
        person.id,
        e_learning.id,
        "Virtual College",
    )
    assert training.status is ExternalTrainingStatus.SUBMITTED
    assert stored_files() == [training.certificate_path]
    assert "CSE" not in training.certificate_path
    listed = words(as_person.get(LIST).text)
    assert "Your Child sexual exploitation e-learning is recorded" in listed
    assert "Child sexual exploitation e-learning" in listed and "Virtual College" in listed
    assert "Submitted Waiting for a coordinator to check it" in listed


def test_a_form_sent_empty_says_what_each_field_needs(as_person, e_learning):
    answer = as_person.post(NEW, data={"csrf_token": csrf_token(as_person.get(NEW).text)})

    assert answer.status_code == 400
    assert summary_errors(answer.text) == {
        "course": "Choose the course",
        "provider": "Enter where you did the training",
        "completed_on": "Enter the date you completed it",
        "certificate": "Choose the file of your certificate",
    }
    assert "Choose your certificate file again" not in words(answer.text)
    assert field_errors(answer.text)["provider"] == "Enter where you did the training"
    assert records() == [] and stored_files() == []


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00" + bytes(500), "certificate.pdf", "must be a PDF, PNG or JPEG file"),
        (b"<html><body>Certificate</body></html>", "certificate.pdf", "PDF, PNG or JPEG"),
        (pdf_bytes()[:300], "certificate.pdf", "could not be opened as a PDF file"),
        (picture_bytes("JPEG")[:-200], "photo.jpg", "could not be opened as a JPEG file"),
    ],
    ids=["exe", "html", "cut-pdf", "cut-jpeg"],
)
def test_a_file_that_is_no_certificate_is_refused_beside_the_field(
    as_person, e_learning, content, name, message
):
    answer = send(as_person, e_learning, content=content, name=name, provider="Virtual College")

    assert answer.status_code == 400
    assert message in field_errors(answer.text)["certificate"]
    assert records() == [] and stored_files() == []


def test_what_was_typed_is_kept_and_the_file_must_be_chosen_again(as_person, e_learning):
    future = today() + timedelta(days=3)

    answer = send(as_person, e_learning, provider="Virtual College Ltd", completed_on=future)

    assert answer.status_code == 400
    assert field_errors(answer.text) == {
        "completed_on": "The date you completed it must be today or in the past"
    }
    assert 'value="Virtual College Ltd"' in answer.text
    assert f'<option value="{e_learning.id}" selected>' in answer.text
    assert f'value="{future.day}"' in answer.text and f'value="{future.year}"' in answer.text
    assert "Choose your certificate file again" in words(answer.text)
    assert records() == [] and stored_files() == []


def test_a_picture_named_as_a_pdf_is_kept_as_the_picture_it_is(as_person, e_learning):
    send(as_person, e_learning, content=picture_bytes("PNG"), name="scan.pdf")

    [training] = records()
    assert training.certificate_type == "image/png"
    assert training.certificate_path.endswith(".png")


def test_a_certificate_over_5_mb_is_refused_with_the_form(as_person, e_learning):
    answer = send(as_person, e_learning, content=pdf_bytes() + bytes(files.MOST_BYTES))

    assert answer.status_code == 400
    assert field_errors(answer.text)["certificate"] == "The certificate must be 5 MB or smaller"
    assert records() == [] and stored_files() == []


def test_a_huge_upload_gets_a_page_saying_the_file_is_too_big(as_person, e_learning):
    answer = send(as_person, e_learning, content=bytes(current_app.config["MAX_CONTENT_LENGTH"]))

    assert answer.status_code == 413
    assert "The file is too big" in answer.text
    assert "A certificate must be 5 MB or smaller" in words(answer.text)
    assert records() == [] and stored_files() == []


def test_without_the_forms_token_nothing_is_recorded(as_person, e_learning):
    data = form_data(as_person, e_learning)
    del data["csrf_token"]

    answer = as_person.post(NEW, data=data)

    assert answer.status_code == 400
    assert records() == [] and stored_files() == []


# The person's list, certificate and withdrawal ------------------------------------------------


def test_the_list_shows_each_status_with_the_coordinators_reason(
    as_person, person, e_learning, neglect, coordinator
):
    make_external_training(person, e_learning, completed_on=date(2026, 3, 1))
    make_external_training(
        person,
        neglect,
        status=ExternalTrainingStatus.REJECTED,
        completed_on=date(2026, 2, 1),
        decided_by=coordinator,
        decided_at=utcnow(),
        decision_reason="The certificate is someone else's",
    )
    make_external_training(
        person,
        e_learning,
        status=ExternalTrainingStatus.ACCEPTED,
        completed_on=date(2025, 1, 10),
        decided_by=coordinator,
        decided_at=utcnow(),
    )

    text = words(as_person.get(LIST).text)

    assert text.index("1 March 2026") < text.index("1 February 2026") < text.index("10 January")
    assert "Not accepted By Cora Ordinator" in text
    assert "“The certificate is someone else's”" in text
    assert "Accepted By Cora Ordinator" in text
    assert text.count("Withdraw") == 1


def test_the_list_costs_the_same_queries_for_2_or_30_records(
    as_person, person, e_learning, count_queries
):
    def queries_for(number: int) -> int:
        for _ in range(number):
            make_external_training(person, e_learning)
        db.session.commit()
        with count_queries() as counted:
            assert as_person.get(LIST).status_code == 200
        return len(counted)

    assert queries_for(2) == queries_for(28)


def test_the_owner_downloads_the_certificate_as_what_it_is(as_person, person, e_learning):
    content = picture_bytes("JPEG")
    training = make_external_training(
        person,
        e_learning,
        content=content,
        certificate_name="My photo.jpeg",
        certificate_type="image/jpeg",
    )

    answer = as_person.get(f"{LIST}/{training.id}/certificate")

    assert answer.status_code == 200
    assert answer.data == content
    assert answer.mimetype == "image/jpeg"
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert 'filename="My photo.jpg"' in answer.headers["Content-Disposition"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cache-Control"] == "private, no-store"


def test_nobody_else_has_the_persons_pages(app, person, e_learning, as_coordinator):
    training = make_external_training(person, e_learning)
    other = signed_in_as(app, make_user(password=PASSWORD))
    paths = [f"{LIST}/{training.id}/certificate", f"{LIST}/{training.id}/withdraw"]

    for browser in (other, as_coordinator):
        for path in paths:
            assert browser.get(path).status_code == 404, path
        token = csrf_token(browser.get(LIST).text)
        answer = browser.post(f"{LIST}/{training.id}/withdraw", data={"csrf_token": token})
        assert answer.status_code == 404
        assert "Awareness" not in browser.get(LIST).text
    assert len(records()) == 1


@pytest.mark.parametrize("path", [LIST, NEW, f"{LIST}/1/certificate", f"{LIST}/1/withdraw"])
def test_signed_out_people_are_sent_to_sign_in(client, path):
    answer = client.get(path)

    assert answer.status_code == 302
    assert answer.location.startswith(SIGN_IN)


def test_a_record_waiting_is_withdrawn_with_its_file(as_person, person, e_learning):
    training = make_external_training(person, e_learning)
    path = f"{LIST}/{training.id}/withdraw"
    name = training.certificate_path

    page = as_person.get(path)
    answer = as_person.post(path, data={"csrf_token": csrf_token(page.text)})

    assert "Withdraw your record of Child sexual exploitation e-learning?" in words(page.text)
    assert answer.status_code == 302 and answer.headers["Location"] == LIST
    assert records() == []
    assert name not in stored_files()
    assert "is withdrawn, with its certificate" in words(as_person.get(LIST).text)


def test_a_decided_record_is_not_withdrawn(as_person, person, e_learning, coordinator):
    training = make_external_training(
        person, e_learning, status=ExternalTrainingStatus.ACCEPTED, decided_by=coordinator
    )
    path = f"{LIST}/{training.id}/withdraw"

    page = as_person.get(path)
    answer = as_person.post(path, data={"csrf_token": csrf_token(as_person.get(LIST).text)})

    assert "can no longer be withdrawn" in words(page.text)
    assert answer.status_code == 400
    assert "already accepted this training" in words(answer.text)
    assert len(records()) == 1 and stored_files() == [training.certificate_path]


def test_withdrawing_needs_the_forms_token(as_person, person, e_learning):
    training = make_external_training(person, e_learning)

    answer = as_person.post(f"{LIST}/{training.id}/withdraw", data={})

    assert answer.status_code == 400
    assert len(records()) == 1


def test_the_person_finds_the_page_from_their_record_whose_menu_item_stays_current(as_person):
    record = as_person.get("/account/record").text

    assert 'href="/account/external-training"' in record
    listed = as_person.get("/account/external-training").text
    assert 'href="/account/record" aria-current="true"' in listed
    assert "Record training you did elsewhere" in words(record)


# The coordinator's pages ---------------------------------------------------------------------


def test_coordinators_see_the_records_waiting_the_longest_waiting_first(
    as_coordinator, person, e_learning, neglect, coordinator
):
    other = make_user(name="Gemma Turton", agency=make_agency(name="Rotherham Primary Schools"))
    first = make_external_training(other, neglect, provider="Barnardo's")
    first.created_at = utcnow() - timedelta(days=3)
    make_external_training(person, e_learning, completed_on=date(2026, 11, 20))
    make_external_training(
        person, neglect, status=ExternalTrainingStatus.ACCEPTED, provider="Decided already"
    )

    page = as_coordinator.get("/admin/external-training")

    text = words(page.text)
    assert page.status_code == 200
    assert "2 records waiting for a decision" in text
    assert text.index("Gemma Turton") < text.index("Helen Marsden")
    assert "Rotherham Primary Schools" in text and "The Rotherham NHS Foundation Trust" in text
    assert "Barnardo's" in text and "20 November 2026" in text
    assert "Decided already" not in text
    assert f'href="/admin/external-training/{first.id}"' in page.text
    assert "Training done elsewhere waiting for a decision 2" in words(
        as_coordinator.get("/admin").text
    )


def test_the_coordinators_list_costs_the_same_queries_for_2_or_30(
    as_coordinator, e_learning, count_queries
):
    def queries_for(number: int) -> int:
        for _ in range(number):
            make_external_training(make_user(agency=make_agency()), e_learning)
        db.session.commit()
        with count_queries() as counted:
            assert as_coordinator.get("/admin/external-training").status_code == 200
        return len(counted)

    assert queries_for(2) == queries_for(28)


def test_a_coordinator_accepts_with_the_certificate_in_sight(
    as_coordinator, person, e_learning, coordinator
):
    training = make_external_training(person, e_learning, completed_on=date(2026, 11, 20))
    path = f"/admin/external-training/{training.id}"

    page = as_coordinator.get(path)
    download = as_coordinator.get(f"{path}/certificate")
    answer = as_coordinator.post(
        path, data={"csrf_token": csrf_token(page.text), "decision": "accept", "reason": ""}
    )

    text = words(page.text)
    assert "Helen Marsden's Child sexual exploitation e-learning" in text
    assert "Virtual College" in text and "20 November 2026" in text
    assert f'href="{path}/certificate"' in page.text
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/external-training"
    db.session.expire_all()
    assert db.session.get(ExternalTraining, training.id).is_accepted
    [mail] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == "helen@example.org")
    ).all()
    assert mail.subject.startswith("Training accepted")
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.record_type == "external training")
    )
    assert entry.actor_id == coordinator.id
    followed = words(as_coordinator.get("/admin/external-training").text)
    assert "Helen Marsden's Child sexual exploitation e-learning is accepted" in followed


def test_a_decision_without_a_choice_or_a_rejection_without_a_reason_is_refused(
    as_coordinator, person, e_learning
):
    training = make_external_training(person, e_learning)
    path = f"/admin/external-training/{training.id}"
    token = csrf_token(as_coordinator.get(path).text)

    nothing = as_coordinator.post(path, data={"csrf_token": token})
    no_reason = as_coordinator.post(
        path, data={"csrf_token": token, "decision": "reject", "reason": " "}
    )

    assert nothing.status_code == 400
    assert summary_errors(nothing.text) == {"decision": "Choose whether to accept the training"}
    assert no_reason.status_code == 400
    assert field_errors(no_reason.text) == {"reason": "Enter why the training is not accepted"}
    assert re.search(r'value="reject"[^>]*checked', no_reason.text)
    db.session.expire_all()
    assert db.session.get(ExternalTraining, training.id).is_waiting


def test_a_rejection_with_a_reason_is_mailed(as_coordinator, person, e_learning):
    training = make_external_training(person, e_learning)
    path = f"/admin/external-training/{training.id}"

    answer = as_coordinator.post(
        path,
        data={
            "csrf_token": csrf_token(as_coordinator.get(path).text),
            "decision": "reject",
            "reason": "The name on it is not yours",
        },
    )

    assert answer.status_code == 302
    db.session.expire_all()
    training = db.session.get(ExternalTraining, training.id)
    assert training.status is ExternalTrainingStatus.REJECTED
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "helen@example.org")
    )
    assert "The name on it is not yours" in mail.text_body
    page = words(as_coordinator.get(path).text)
    assert "has already not accepted this training" in page
    assert "Save decision" not in page


def test_a_coordinator_is_not_offered_a_decision_on_their_own(
    as_coordinator, coordinator, e_learning
):
    training = make_external_training(coordinator, e_learning)
    path = f"/admin/external-training/{training.id}"

    page = as_coordinator.get(path)
    answer = as_coordinator.post(
        path, data={"csrf_token": csrf_token(page.text), "decision": "accept"}
    )

    assert "your own training: another coordinator decides on it" in words(page.text)
    assert answer.status_code == 400
    db.session.expire_all()
    assert db.session.get(ExternalTraining, training.id).is_waiting


def test_trainers_and_professionals_have_none_of_the_coordinators_pages(
    app, as_trainer, as_person, person, e_learning
):
    training = make_external_training(person, e_learning)
    for path in (
        "/admin/external-training",
        f"/admin/external-training/{training.id}",
        f"/admin/external-training/{training.id}/certificate",
    ):
        assert as_trainer.get(path).status_code == 403
        assert as_person.get(path).status_code == 403


def test_the_coordinators_pages_answer_404_for_no_record(as_coordinator):
    assert as_coordinator.get("/admin/external-training/999").status_code == 404
    assert as_coordinator.get("/admin/external-training/999/certificate").status_code == 404


def test_a_missing_file_is_not_found_rather_than_an_error(as_person, person, e_learning):
    training = make_external_training(person, e_learning)
    (folder() / training.certificate_path).unlink()

    assert as_person.get(f"{LIST}/{training.id}/certificate").status_code == 404


def test_the_persons_page_in_admin_lists_their_external_training(
    as_coordinator, person, e_learning
):
    training = make_external_training(person, e_learning, provider="Virtual College")

    page = as_coordinator.get(f"/admin/users/{person.id}")

    assert "Training done elsewhere" in page.text
    assert f'href="/admin/external-training/{training.id}"' in page.text
    assert "Virtual College" in words(page.text)


# The training record --------------------------------------------------------------------------


def test_the_record_lists_accepted_training_elsewhere_without_cpd_hours(
    app, as_person, person, e_learning, neglect, as_coordinator
):
    accepted = make_external_training(
        person,
        e_learning,
        status=ExternalTrainingStatus.ACCEPTED,
        completed_on=date(2025, 6, 2),
    )
    make_external_training(person, neglect, provider="Still waiting Ltd")
    make_external_training(
        person, neglect, status=ExternalTrainingStatus.REJECTED, provider="Rejected Ltd"
    )

    own = as_person.get("/account/record")
    theirs = as_coordinator.get(f"/admin/users/{person.id}/record")
    pdf = as_person.get("/account/record.pdf")

    text = words(own.text)
    assert "Training done elsewhere" in text
    listed = "2 June 2025 Child sexual exploitation e-learning Recorded elsewhere Virtual College"
    assert listed in text
    assert "Still waiting Ltd" not in text and "Rejected Ltd" not in text
    assert "All time 0 hours" in text
    assert f'href="/account/external-training/{accepted.id}/certificate"' in own.text
    assert f'href="/admin/external-training/{accepted.id}/certificate"' in theirs.text
    assert "Refreshed every 3 years" in text and "2 June 2028" in text and "Done elsewhere" in text
    assert pdf.status_code == 200
