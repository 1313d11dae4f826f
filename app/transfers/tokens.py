"""The signed link a colleague follows to claim a place offered to them."""

from app.accounts.tokens import TokenExpired, TokenInvalid, read_token, serializer
from app.models import BookingTransfer

# The offer's own expiry (48 hours, or the cut-off) is what counts; this only keeps very
# old links from being read at all.
MAX_AGE = 60 * 60 * 24 * 30


def transfer_token(transfer: BookingTransfer) -> str:
    return serializer("claim-transfer").dumps({"transfer": transfer.id})


def transfer_id_from(token: str) -> int | None:
    try:
        return read_token("claim-transfer", token, MAX_AGE)["transfer"]
    except (TokenExpired, TokenInvalid, KeyError, TypeError):
        return None
