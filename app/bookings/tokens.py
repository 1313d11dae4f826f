"""The signed link a line manager follows to approve or decline a booking."""

from app.accounts.tokens import TokenExpired, TokenInvalid, read_token, serializer
from app.models import Booking

# The booking's own expiry (7 days, or when booking closes) is what counts; this only
# keeps very old links from being read at all.
MAX_AGE = 60 * 60 * 24 * 60


def approval_token(booking: Booking) -> str:
    return serializer("approve-booking").dumps({"booking": booking.id})


def booking_id_from(token: str) -> int | None:
    try:
        return read_token("approve-booking", token, MAX_AGE)["booking"]
    except (TokenExpired, TokenInvalid):
        return None
