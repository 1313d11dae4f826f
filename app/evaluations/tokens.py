"""The signed links mailed after a session: the evaluation, the follow-up and the line
manager's view, each for one booking and each of its own purpose, so that one cannot be
used as another."""

from app.accounts.tokens import TokenExpired, TokenInvalid, read_token, serializer
from app.models import Booking

EVALUATE = "evaluate-booking"
FOLLOW_UP = "follow-up-booking"
MANAGER_VIEW = "manager-view-of-booking"

# Long enough for a follow-up weeks after the session, and a manager slow to answer it;
# the rules say what may still be sent.
MAX_AGE = 60 * 60 * 24 * 120


def token_for(purpose: str, booking: Booking) -> str:
    return serializer(purpose).dumps({"booking": booking.id})


def evaluation_token(booking: Booking) -> str:
    return token_for(EVALUATE, booking)


def follow_up_token(booking: Booking) -> str:
    return token_for(FOLLOW_UP, booking)


def manager_view_token(booking: Booking) -> str:
    return token_for(MANAGER_VIEW, booking)


def booking_id_from(purpose: str, token: str) -> int | None:
    """The booking a link of this purpose is for; None for one forged, altered or expired."""
    try:
        booking_id = read_token(purpose, token, MAX_AGE).get("booking")
    except (TokenExpired, TokenInvalid, AttributeError):
        return None
    return booking_id if isinstance(booking_id, int) else None
