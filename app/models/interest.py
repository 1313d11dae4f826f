"""Interest lists: the people who asked to be told when a course has a date, and the
dates each of them has been told of."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.catalogue import Course
from app.models.people import User


class CourseInterest(db.Model):
    """A person on a course's interest list, from when they asked until they book one of
    its sessions or leave the list."""

    __tablename__ = "course_interest"

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    user: Mapped[User] = relationship()


class InterestNoticeSent(db.Model):
    """A person on a course's list was told of one of its sessions: its row, written in
    the transaction that writes the message, claims it, so nobody is told of a session
    twice, even when it is unpublished and published again."""

    __tablename__ = "interest_notice_sent"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id"), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
