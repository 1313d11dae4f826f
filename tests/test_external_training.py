"""Training done elsewhere, by its rules: a certificate judged by its content, a completion
recorded once, in the past, for a course of the catalogue; accepted or rejected by a
coordinator who is not its owner; withdrawn, with its file, only while it waits."""

import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import current_app
from PIL import Image
from pypdf import PdfWriter
from sqlalchemy import select

from app.audit import record_changes_by
from app.extensions import db
from app.external_training import files, service
from app.external_training.service import Completion, NoSuchRecord, Upload
from app.models import (
    AuditEntry,
    Delivery,
    ExternalTraining,
    ExternalTrainingStatus,
    OutboxMessage,
    Role,
)
from app.refusals import Refused
from app.transactions import saved
from tests.factories import (
    make_course,
    make_external_training,
    make_prospectus,
    make_user,
    pdf_bytes,
    picture_bytes,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
TODAY = date(2026, 12, 3)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(2000)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script>Certificate</body></html>"


@pytest.fixture
def e_learning(app):
    return make_course(
        make_prospectus(),
        title="Child sexual exploitation e-learning",
        delivery=Delivery.E_LEARNING,
        external_url="https://www.virtual-college.co.uk/",
    )


@pytest.fixture
def person(app):
    return make_user(name="Helen Marsden", email="helen@example.org")


@pytest.fixture
def coordinator(app):
    return make_user(name="Cora Ordinator", role=Role.COORDINATOR)


def folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def stored_files() -> list[str]:
    return sorted(path.name for path in folder().glob("*")) if folder().exists() else []


def record(person, course, content=None, name="certificate.pdf", **completion):
    details = dict(course_id=course.id, provider="Virtual College", completed_on=date(2026, 11, 20))
    return saved(
        service.record,
        db.session,
        folder(),
        person,
        Completion(**(details | completion)),
        Upload(pdf_bytes() if content is None else content, name),
        NOW,
    )


def mail_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address))
    )


# What a certificate may be ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "mime"),
    [
        (pdf_bytes(), "application/pdf"),
        (pdf_bytes(pages=3), "application/pdf"),
        (picture_bytes("PNG"), "image/png"),
        (picture_bytes("JPEG"), "image/jpeg"),
    ],
)
def test_a_whole_pdf_png_or_jpeg_is_a_certificate(content, mime):
    assert files.certificate_type(content) == mime


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (EXE, "must be a PDF, PNG or JPEG file"),
        (HTML, "must be a PDF, PNG or JPEG file"),
        (b"Certificate of completion: Helen Marsden", "must be a PDF, PNG or JPEG file"),
        (pdf_bytes()[:200], "could not be opened as a PDF file"),
        (b"%PDF-1.7\n" + bytes(500), "could not be opened as a PDF file"),
        (picture_bytes("JPEG")[:-300], "could not be opened as a JPEG file"),
        (picture_bytes("PNG")[:60], "could not be opened as a PNG file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(300), "could not be opened as a PNG file"),
        (b"", "The file you chose is empty"),
    ],
    ids=["exe", "html", "text", "cut-pdf", "fake-pdf", "cut-jpeg", "cut-png", "fake-png", "empty"],
)
def test_anything_else_is_refused_whatever_its_name(content, message):
    with pytest.raises(Refused, match=message) as refusal:
        files.certificate_type(content)

    assert refusal.value.field == "certificate"


def test_a_jpeg_cut_short_is_refused_after_weasyprint_relaxed_pillow():
    import weasyprint  # noqa: F401 (importing it lets Pillow load pictures cut short)
    from PIL import ImageFile

    whole = picture_bytes("JPEG", size=(640, 480))

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    for cut in (len(whole) // 2, len(whole) - 2):
        with pytest.raises(Refused, match="could not be opened as a JPEG file"):
            files.certificate_type(whole[:cut])


def test_a_progressive_jpeg_and_one_with_data_after_its_end_are_taken():
    progressive = io.BytesIO()
    Image.effect_noise((640, 480), 80).convert("RGB").save(progressive, "JPEG", progressive=True)
    # Some phones add a video, or their own data, after the picture's end.
    with_more = picture_bytes("JPEG") + b"\x00\x00\x00\x18ftypmp42" + bytes(500)

    assert files.certificate_type(progressive.getvalue()) == "image/jpeg"
    assert files.certificate_type(with_more) == "image/jpeg"


def encrypted_pdf(user_password: str, algorithm: str = "RC4-128") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_a_pdf_restricted_without_a_password_to_open_it_is_taken(algorithm):
    assert files.certificate_type(encrypted_pdf("", algorithm)) == "application/pdf"


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_a_pdf_that_needs_a_password_is_refused(algorithm):
    with pytest.raises(Refused, match="protected by a password"):
        files.certificate_type(encrypted_pdf("secret", algorithm))


def test_a_certificate_over_5_mb_is_refused_before_it_is_read():
    too_big = pdf_bytes() + b"%" + bytes(files.MOST_BYTES)

    with pytest.raises(Refused, match="must be 5 MB or smaller"):
        files.certificate_type(too_big)


def test_a_picture_of_too_many_pixels_is_refused_without_decoding_it():
    with pytest.raises(Refused, match="too large: scan or photograph it at a lower resolution"):
        files.certificate_type(picture_bytes("PNG", size=(8000, 6000)))


# Recording ---------------------------------------------------------------------------------


def test_training_is_recorded_with_its_certificate_under_a_random_name(person, e_learning):
    content = pdf_bytes()

    training = record(person, e_learning, content, name="Helen's CSE certificate.pdf")

    assert training.status is ExternalTrainingStatus.SUBMITTED
    assert (training.provider, training.completed_on) == ("Virtual College", date(2026, 11, 20))
    assert training.certificate_type == "application/pdf"
    assert training.certificate_name == "Helen's CSE certificate.pdf"
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", training.certificate_path)
    assert stored_files() == [training.certificate_path]
    assert (folder() / training.certificate_path).read_bytes() == content
    assert not training.is_accepted


def test_the_type_is_the_contents_and_downloads_take_its_extension(person, e_learning):
    training = record(person, e_learning, picture_bytes("PNG"), name="scan.pdf")

    assert training.certificate_type == "image/png"
    assert training.certificate_path.endswith(".png")
    assert training.download_name == "scan.png"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\fakepath\\certificate.pdf", "certificate.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("cert\x00\n.pdf", "cert.pdf"),
        ("", "certificate"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_only_the_files_own_name_is_kept_for_showing(sent, kept):
    assert service.shown_file_name(sent) == kept


def test_a_completion_in_the_future_is_refused_and_nothing_is_kept(person, e_learning):
    with pytest.raises(Refused) as refusal:
        record(person, e_learning, completed_on=TODAY + timedelta(days=1))

    assert refusal.value.problems == {
        "completed_on": "The date you completed it must be today or in the past"
    }
    assert db.session.scalars(select(ExternalTraining)).all() == []
    assert stored_files() == []


def test_today_counts_and_twenty_years_back_is_the_limit(person, e_learning):
    record(person, e_learning, completed_on=TODAY)
    record(person, e_learning, completed_on=date(2006, 12, 3))

    with pytest.raises(Refused, match="within the last 20 years"):
        record(person, e_learning, completed_on=date(2006, 12, 2))


def test_every_problem_is_said_at_once_and_nothing_is_kept(person, app):
    draft = make_course(make_prospectus(slug="drafts"), published=False)

    with pytest.raises(Refused) as refusal:
        record(person, draft, EXE, provider="  ", completed_on=date(2030, 1, 1))

    assert refusal.value.problems == {
        "certificate": "The certificate must be a PDF, PNG or JPEG file",
        "provider": "Enter where you did the training",
        "completed_on": "The date you completed it must be today or in the past",
        "course": "Choose a course from the list",
    }
    assert stored_files() == []


def test_a_course_of_an_unpublished_prospectus_cannot_be_chosen(person):
    hidden = make_course(make_prospectus(slug="next-year", published=False))

    with pytest.raises(Refused, match="Choose a course from the list"):
        record(person, hidden)


def test_the_same_completion_is_recorded_once_unless_it_was_not_accepted(
    person, e_learning, coordinator
):
    first = record(person, e_learning)

    with pytest.raises(Refused, match="already recorded Child sexual exploitation e-learning"):
        record(person, e_learning)
    saved(service.decide, db.session, first.id, False, "Not legible", coordinator, NOW)

    again = record(person, e_learning)
    assert again.id != first.id
    assert len(stored_files()) == 2


def test_a_file_written_for_a_change_rolled_back_is_removed(person, e_learning):
    training = service.record(
        db.session,
        folder(),
        person,
        Completion(e_learning.id, "Virtual College", TODAY),
        Upload(pdf_bytes(), "certificate.pdf"),
        NOW,
    )
    assert stored_files() == [training.certificate_path]

    db.session.rollback()

    assert stored_files() == []


# A coordinator's decision ------------------------------------------------------------------


def test_accepted_without_a_reason_it_counts_and_the_person_is_told(
    person, e_learning, coordinator
):
    training = record(person, e_learning)

    saved(service.decide, db.session, training.id, True, "  ", coordinator, NOW)

    training = db.session.get(ExternalTraining, training.id)
    assert training.is_accepted
    assert (training.decided_by_id, training.decided_at, training.decision_reason) == (
        coordinator.id,
        NOW,
        "",
    )
    assert db.session.scalar(select(ExternalTraining.id).where(ExternalTraining.accepted())) == (
        training.id
    )
    [mail] = mail_to("helen@example.org")
    assert mail.subject == "Training accepted: Child sexual exploitation e-learning"
    assert "It now counts on your training record" in mail.text_body
    assert "They said" not in mail.text_body


def test_accepted_with_a_reason_the_reason_is_kept_and_mailed(person, e_learning, coordinator):
    training = record(person, e_learning)

    saved(service.decide, db.session, training.id, True, "Matches  our course", coordinator, NOW)

    assert db.session.get(ExternalTraining, training.id).decision_reason == "Matches our course"
    assert "They said: “Matches our course”" in mail_to("helen@example.org")[0].text_body


@pytest.mark.parametrize("reason", ["", "   "])
def test_not_accepting_needs_a_reason(person, e_learning, coordinator, reason):
    training = record(person, e_learning)

    with pytest.raises(Refused, match="Enter why the training is not accepted") as refusal:
        saved(service.decide, db.session, training.id, False, reason, coordinator, NOW)

    assert refusal.value.field == "reason"
    assert db.session.get(ExternalTraining, training.id).is_waiting
    assert mail_to("helen@example.org") == []


def test_not_accepted_with_a_reason_the_person_is_told_why(person, e_learning, coordinator):
    training = record(person, e_learning)

    saved(service.decide, db.session, training.id, False, "The name is not yours", coordinator, NOW)

    training = db.session.get(ExternalTraining, training.id)
    assert training.status is ExternalTrainingStatus.REJECTED
    [mail] = mail_to("helen@example.org")
    assert mail.subject == "Training not accepted: Child sexual exploitation e-learning"
    assert "They said: “The name is not yours”" in mail.text_body
    assert "/account/external-training" in mail.text_body


def test_only_a_record_still_submitted_is_decided(person, e_learning, coordinator):
    training = record(person, e_learning)
    saved(service.decide, db.session, training.id, True, "", coordinator, NOW)

    with pytest.raises(Refused, match="Cora Ordinator has already accepted this training"):
        saved(service.decide, db.session, training.id, False, "Changed my mind", coordinator, NOW)

    assert db.session.get(ExternalTraining, training.id).is_accepted


def test_a_coordinator_does_not_decide_on_their_own_training(e_learning, coordinator):
    training = record(coordinator, e_learning)

    with pytest.raises(Refused, match="your own training: another coordinator decides"):
        saved(service.decide, db.session, training.id, True, "", coordinator, NOW)


def test_no_record_no_decision(coordinator):
    with pytest.raises(NoSuchRecord):
        saved(service.decide, db.session, 999, True, "", coordinator, NOW)


def test_the_decision_is_in_the_audit_log(person, e_learning, coordinator):
    training = record(person, e_learning)
    record_changes_by(db.session, coordinator.id)

    saved(service.decide, db.session, training.id, False, "Not legible", coordinator, NOW)

    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.record_type == "external training")
    ).all()
    assert (entry.actor_id, entry.action, entry.record_id) == (
        coordinator.id,
        "changed",
        training.id,
    )
    assert entry.changes["status"] == ["submitted", "rejected"]
    assert entry.changes["decision_reason"] == ["", "Not legible"]


# Withdrawing ---------------------------------------------------------------------------------


def test_a_submitted_record_is_withdrawn_with_its_file_once_committed(person, e_learning):
    training = record(person, e_learning)
    name = training.certificate_path

    service.withdraw(db.session, folder(), person, training.id)
    assert stored_files() == [name]
    db.session.commit()

    assert db.session.get(ExternalTraining, training.id) is None
    assert stored_files() == []


def test_a_withdrawal_rolled_back_keeps_the_file(person, e_learning):
    training = record(person, e_learning)

    service.withdraw(db.session, folder(), person, training.id)
    db.session.rollback()

    assert stored_files() == [training.certificate_path]
    assert db.session.get(ExternalTraining, training.id) is not None


@pytest.mark.parametrize("accept", [True, False])
def test_a_decided_record_cannot_be_withdrawn(person, e_learning, coordinator, accept):
    training = record(person, e_learning)
    saved(service.decide, db.session, training.id, accept, "Checked", coordinator, NOW)

    with pytest.raises(Refused, match=r"already (accepted|not accepted) this training"):
        saved(service.withdraw, db.session, folder(), person, training.id)

    assert db.session.get(ExternalTraining, training.id) is not None
    assert stored_files() == [training.certificate_path]


def test_nobody_withdraws_someone_elses_record(person, e_learning, coordinator):
    training = make_external_training(person, e_learning)
    db.session.commit()

    with pytest.raises(NoSuchRecord):
        saved(service.withdraw, db.session, folder(), coordinator, training.id)

    assert db.session.get(ExternalTraining, training.id) is not None
