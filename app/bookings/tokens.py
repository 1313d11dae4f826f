"""The signed links mailed about a booking: the line manager's, to approve or decline it,
and the person's own, to accept or decline a place offered at the last minute."""

from app.accounts.tokens import TokenExpired, TokenInvalid, read_token, serializer
from app.models import Booking

# The booking's own expiry (7 days, or when booking closes) is what counts; this only
# keeps very old links from being read at all.
MAX_AGE = 60 * 60 * 24 * 60
#: An offer lasts hours (OFFER_HOURS); its deadline on the booking is what counts.
OFFER_MAX_AGE = 60 * 60 * 24 * 7


def approval_token(booking: Booking) -> str:
    return serializer("approve-booking").dumps({"booking": booking.id})


def booking_id_from(token: str) -> int | None:
    try:
        return read_token("approve-booking", token, MAX_AGE)["booking"]
    except (TokenExpired, TokenInvalid):
        return None


def offer_token(booking: Booking) -> str:
    """For both answers: a booking is offered a place once at most."""
    return serializer("answer-offer").dumps({"booking": booking.id})


def offered_booking_id_from(token: str) -> int | None:
    try:
        return read_token("answer-offer", token, OFFER_MAX_AGE)["booking"]
    except (TokenExpired, TokenInvalid, KeyError, TypeError):
        return None
