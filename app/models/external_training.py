"""Training done elsewhere: a person's record of a course they completed outside the
partnership (the Virtual College e-learning, say), with its certificate, which counts
once a coordinator accepts it."""

from __future__ import annotations

import enum
from datetime import date, datetime
from pathlib import PurePath

from sqlalchemy import ColumnElement, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Timestamped, UTCDateTime, enum_column
from app.models.catalogue import Course
from app.models.people import User

#: The kinds of file a certificate may be, by the MIME type its content shows, and the
#: extension a file of each kind is stored and downloaded with.
CERTIFICATE_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}
#: Each kind as a person knows it.
CERTIFICATE_KINDS = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}
PROVIDER_LENGTH = 200
CERTIFICATE_NAME_LENGTH = 255


class ExternalTrainingStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return EXTERNAL_TRAINING_STATUS_LABELS[self]


EXTERNAL_TRAINING_STATUS_LABELS = {
    ExternalTrainingStatus.SUBMITTED: "Submitted",
    ExternalTrainingStatus.ACCEPTED: "Accepted",
    ExternalTrainingStatus.REJECTED: "Not accepted",
}


class ExternalTraining(Timestamped, db.Model):
    """One course completed elsewhere, as the person recorded it, and a coordinator's
    decision on it. Only an accepted one counts: on the training record, for refreshers
    and as meeting a prerequisite."""

    __tablename__ = "external_training"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    #: The catalogue's course this training stands for.
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    #: Where it was done ("Virtual College").
    provider: Mapped[str] = mapped_column(String(PROVIDER_LENGTH))
    completed_on: Mapped[date] = mapped_column(Date)
    #: The stored file's name in the upload folder: random, nothing of the person's own.
    certificate_path: Mapped[str] = mapped_column(String(100), unique=True)
    #: The name the person's file had, shown and given to downloads only.
    certificate_name: Mapped[str] = mapped_column(String(CERTIFICATE_NAME_LENGTH))
    #: The MIME type read from the file's content, never from its name.
    certificate_type: Mapped[str] = mapped_column(String(100))
    status: Mapped[ExternalTrainingStatus] = mapped_column(
        enum_column(ExternalTrainingStatus),
        default=ExternalTrainingStatus.SUBMITTED,
        index=True,
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @classmethod
    def accepted(cls) -> ColumnElement[bool]:
        """SQL: the record counts (a coordinator accepted it)."""
        return cls.status == ExternalTrainingStatus.ACCEPTED

    @property
    def is_accepted(self) -> bool:
        return self.status is ExternalTrainingStatus.ACCEPTED

    @property
    def is_waiting(self) -> bool:
        """Submitted and not decided yet: the only state it can be decided or withdrawn in."""
        return self.status is ExternalTrainingStatus.SUBMITTED

    @property
    def certificate_kind(self) -> str:
        return CERTIFICATE_KINDS.get(self.certificate_type, self.certificate_type)

    @property
    def download_name(self) -> str:
        """The person's own file name, with the extension of what the file really is."""
        extension = CERTIFICATE_EXTENSIONS.get(self.certificate_type, "")
        stem = PurePath(self.certificate_name).stem or "certificate"
        return f"{stem}{extension}"
