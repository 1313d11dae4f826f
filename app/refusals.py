"""Why a rule refused a change, in words for the person, and why nothing was saved.

Services raise these, knowing nothing of forms or HTTP: a route shows a `Refused` beside
the field it concerns (app.forms.show_refusal), and `TryAgain` as the "try again" page.
"""


class Refused(Exception):
    """A rule was broken and nothing was changed; the message says why, for the person.

    `field` names what the message is about (a form field, or a rule's own word for it,
    such as "capacity"); `problems` has every field's message when more than one thing
    was wrong.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.problems = {field: message}

    @classmethod
    def at_fields(cls, problems: dict[str, str]) -> "Refused":
        field, message = next(iter(problems.items()))
        refusal = cls(message, field)
        refusal.problems = dict(problems)
        return refusal


class TryAgain(Exception):
    """The lock a change needs could not be had in time; nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            "Lots of people are booking this session right now. Nothing has been saved: "
            "wait a moment, then try again."
        )


def reason_given(reason: str, limit: int, missing: str) -> str:
    """A coordinator's reason for a decision, on one line; refused (as "reason") when it is
    missing, with the message `missing`, or longer than `limit`."""
    reason = " ".join(reason.split())
    if not reason:
        raise Refused(missing, field="reason")
    if len(reason) > limit:
        raise Refused(f"The reason must be {limit} characters or fewer", field="reason")
    return reason
