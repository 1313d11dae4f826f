"""Why the coordinator's area refused a change, in words for the person, and where to show it.

Services raise a `Refusal` (knowing nothing of forms or HTTP); routes show it beside the
field it concerns with app.forms.show_refusal.
"""


class Refusal(Exception):
    """A rule was broken and nothing was changed; `field` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
