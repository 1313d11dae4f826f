"""Who may see the trainer's and the coordinator's screens, and which sessions they manage."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from app.models import CourseSession, User


def trainer_required(view: Callable) -> Callable:
    """Signed-in trainers and coordinators; anyone else signed in gets 403."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_trainer:
            abort(403)
        return view(*args, **kwargs)

    return login_required(guarded)


def coordinator_required(view: Callable) -> Callable:
    """Signed-in coordinators; anyone else signed in gets 403."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_coordinator:
            abort(403)
        return view(*args, **kwargs)

    return login_required(guarded)


def manages_session(user: User, session: CourseSession) -> bool:
    """Coordinators manage every session; a trainer only those they are assigned to."""
    return user.is_coordinator or any(trainer.id == user.id for trainer in session.trainers)
