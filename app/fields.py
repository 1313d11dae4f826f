"""Form fields whose errors speak plainly, for the trainer's and the coordinator's forms:
text with a length limit, dates typed as day, month and year, times of day typed as people
write them, whole numbers, hours, choices from lists, and checklists; and PlainText, which
every form's text fields carry."""

import re
from datetime import date, datetime, time
from decimal import Decimal

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from app.display import clock_time, london_moment, long_date, read_clock_time
from app.ids import read_id
from app.models import CONFIDENCE_LABELS
from app.text import has_hidden_characters, hidden_characters_message


def strip(value: str | None) -> str | None:
    """A filter: what was typed, without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


def field_name(label: str) -> str:
    """A field as messages name it: its label without "(optional)"."""
    return label.split(" (")[0]


class PlainText:
    """A validator, the first of every text field of every form: text with characters that
    hide or disguise it (app.text) is refused; `paragraphs` may hold line breaks and tabs.
    It stops the other validators, so the message shown is the one to act on; it names the
    field as `called`, or else by its label (see field_name)."""

    def __init__(self, called: str = "", paragraphs: bool = False) -> None:
        self.called = called
        self.paragraphs = paragraphs

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, str) and has_hidden_characters(field.data, self.paragraphs):
            name = self.called or field_name(field.label.text)
            raise StopValidation(hidden_characters_message(name))


def text_validators(
    label: str, limit: int, required: str, called: str, paragraphs: bool = False
) -> list[PlainText | DataRequired | Length]:
    """`required`: the message when nothing is typed (none: it may be left empty). The
    messages name the field as `called`, or else by its label (see field_name)."""
    name = called or field_name(label)
    too_long = Length(max=limit, message=f"{name} must be {limit:,} characters or fewer")
    plain = PlainText(name, paragraphs)
    # DataRequired reads the text once stripped: spaces alone are nothing typed.
    return [plain, DataRequired(message=required), too_long] if required else [plain, too_long]


def text_line(
    label: str, limit: int, required: str = "", called: str = "", **kwargs
) -> StringField:
    """A line of text of at most `limit` characters (see text_validators)."""
    return StringField(
        label,
        filters=[strip],
        validators=text_validators(label, limit, required, called),
        widget=GovTextInput(),
        **kwargs,
    )


def text_box(
    label: str, limit: int, required: str = "", called: str = "", **kwargs
) -> TextAreaField:
    """Paragraphs of text of at most `limit` characters (see text_validators)."""
    return TextAreaField(
        label,
        filters=[strip],
        validators=text_validators(label, limit, required, called, paragraphs=True),
        widget=GovTextArea(),
        **kwargs,
    )


class RecordId:
    """A validator: the field holds a record id (app.ids), not a number no record can have."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if read_id(field.data) is None:
            raise ValidationError(self.message)


def record_from_list(label: str, what: str) -> SelectField:
    """A record chosen from a list ("Choose `what`"). Which may be chosen is the service's
    rule, so any id is passed on for it to decide."""
    return SelectField(
        label,
        validators=[
            InputRequired(message=f"Choose {what}"),
            RecordId(f"Choose {what} from the list"),
        ],
        validate_choice=False,
        widget=GovSelect(),
    )


class DateInputField(Field):
    """A date typed in the GOV.UK date input: three boxes for the day, month and year.

    `what` names the date in messages, as in "Enter the date booking opens".
    """

    widget = GovDateInput()

    def __init__(self, label: str, what: str, required: bool = True, **kwargs) -> None:
        super().__init__(label, **kwargs)
        self.what = what
        self.required = required

    def _value(self) -> str:
        """Asked for by the widget, which fills its three boxes from raw_data or data instead."""
        return ""

    def process_formdata(self, valuelist: list[str]) -> None:
        # The widget shows the three boxes from raw_data: always three, as typed.
        parts = [*valuelist, "", "", ""][:3]
        self.raw_data = parts
        day, month, year = (part.strip() for part in parts)
        self.data = None
        if not (day or month or year):
            return
        missing = [
            name for name, part in (("day", day), ("month", month), ("year", year)) if not part
        ]
        if missing:
            raise ValueError(f"The {self.what} must include a {' and a '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValueError(f"The {self.what} must be a real date, like 27 3 2026")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"The {self.what} must be a real date, like 27 3 2026") from None

    def pre_validate(self, form: Form) -> None:
        if self.required and self.data is None and not self.process_errors:
            raise ValidationError(f"Enter the {self.what}")


class ClockTimeField(Field):
    """A time of day as people type it (9:30am, 14:00, midday), taken as London's."""

    widget = GovTextInput()

    def __init__(self, label: str, what: str, required: bool = True, **kwargs) -> None:
        kwargs.setdefault("description", "For example, 9:30am or 14:00")
        kwargs.setdefault("render_kw", {"spellcheck": "false"})
        super().__init__(label, **kwargs)
        self.what = what
        self.required = required

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return clock_time(self.data) if self.data is not None else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        typed = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not typed:
            return
        try:
            self.data = read_clock_time(typed)
        except ValueError:
            raise ValueError(
                f"Enter the {self.what} as a time of day, like 9:30am or 14:00"
            ) from None

    def pre_validate(self, form: Form) -> None:
        if self.required and self.data is None and not self.process_errors:
            raise ValidationError(f"Enter the {self.what}")


def join_moment(day_field: DateInputField, time_field: ClockTimeField) -> datetime | None:
    """The moment a date and a time typed in London name, in UTC; None when neither was
    typed, or when they make no moment, with the reason shown at the field concerned.

    Times in the hour the clocks go back are taken in summer time, the first time round
    (see app.display.london_moment); times in the hour skipped going forward are refused.
    """
    if day_field.errors or time_field.errors:
        return None
    if day_field.data is None and time_field.data is None:
        return None
    if day_field.data is None:
        day_field.errors.append(f"Enter the {day_field.what}")
        return None
    if time_field.data is None:
        time_field.errors.append(f"Enter the {time_field.what}")
        return None
    try:
        return london_moment(day_field.data, time_field.data)
    except ValueError:
        time_field.errors.append(skipped_hour_message(day_field.data, time_field.data))
        return None


def skipped_hour_message(day: date, clock: time) -> str:
    return (
        f"There is no {clock_time(clock)} on {long_date(day)}: the clocks go forward an "
        "hour that night. Choose another time"
    )


def written(number: int) -> str:
    """10,000 with a comma, as GOV.UK writes numbers; four figures (here, years) without."""
    return f"{number:,}" if abs(number) >= 10_000 else str(number)


class WholeNumberField(IntegerField):
    """A whole number in a range, with messages that name it; one not `required` may be
    left empty (None)."""

    widget = GovTextInput()

    def __init__(
        self,
        label: str,
        what: str,
        minimum: int,
        maximum: int,
        example: int,
        required: bool = True,
        **kwargs,
    ) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "spellcheck": "false"})
        super().__init__(label, **kwargs)
        self.what, self.minimum, self.maximum, self.example = what, minimum, maximum, example
        self.required = required

    def process_formdata(self, valuelist: list[str]) -> None:
        typed = valuelist[0].strip().replace(",", "") if valuelist else ""
        self.data = None
        if not typed:
            return
        if not re.fullmatch(r"-?[0-9]+", typed):
            raise ValueError(f"Enter the {self.what} as a whole number, like {self.example}")
        self.data = int(typed)

    def pre_validate(self, form: Form) -> None:
        if self.process_errors:
            return
        if self.data is None:
            if not self.required:
                return
            raise ValidationError(f"Enter the {self.what}")
        if not self.minimum <= self.data <= self.maximum:
            raise ValidationError(
                f"The {self.what} must be between {written(self.minimum)} and "
                f"{written(self.maximum)}"
            )


class HoursField(Field):
    """A number of hours, such as 3 or 6.5, read as a Decimal; whether it may be is the
    rule `check` returns the refusal of (None when it may)."""

    widget = GovTextInput()

    def __init__(self, label: str, what: str, check, **kwargs) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "spellcheck": "false"})
        super().__init__(label, **kwargs)
        self.what, self.check = what, check

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{Decimal(self.data).normalize():f}"

    def process_formdata(self, valuelist: list[str]) -> None:
        typed = valuelist[0].strip().lower().removesuffix("hours").strip() if valuelist else ""
        self.data = None
        if not typed:
            return
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", typed):
            raise ValueError(f"Enter the {self.what} as a number, like 3 or 6.5")
        self.data = Decimal(typed)

    def pre_validate(self, form: Form) -> None:
        if self.process_errors:
            return
        if self.data is None:
            raise ValidationError(f"Enter the {self.what}")
        if refusal := self.check(self.data):
            raise ValidationError(refusal)


class MoneyField(Field):
    """An amount in pounds, such as 50, 50.00 or £12.50, read as a whole number of pence;
    one not `required` may be left empty (None). Up to `most` pence."""

    widget = GovTextInput()

    def __init__(self, label: str, what: str, most: int, required: bool = True, **kwargs) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "spellcheck": "false"})
        super().__init__(label, **kwargs)
        self.what, self.most, self.required = what, most, required

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        whole, part = divmod(self.data, 100)
        return f"{whole}" if part == 0 else f"{whole}.{part:02d}"

    def process_formdata(self, valuelist: list[str]) -> None:
        typed = valuelist[0].strip().replace(",", "").lstrip("£").strip() if valuelist else ""
        self.data = None
        if not typed:
            return
        found = re.fullmatch(r"([0-9]+)(?:\.([0-9]{1,2}))?", typed)
        if not found:
            raise ValueError(f"Enter the {self.what} in pounds, like 50 or 12.50")
        pounds, pence = found.groups()
        self.data = int(pounds) * 100 + int((pence or "").ljust(2, "0"))

    def pre_validate(self, form: Form) -> None:
        if self.process_errors:
            return
        if self.data is None:
            if not self.required:
                return
            raise ValidationError(f"Enter the {self.what}")
        if self.data > self.most:
            raise ValidationError(f"The {self.what} must be £{self.most // 100:,} or less")


class ChecklistField(SelectMultipleField):
    """Checkboxes for choosing any number from a list; a value not on it is refused plainly."""

    widget = GovCheckboxesInput()

    def __init__(self, label: str, what: str, **kwargs) -> None:
        message = f"Choose {what} from the list"
        super().__init__(
            label, invalid_value_message=message, invalid_choice_message=message, **kwargs
        )


def numbered(labels: dict[int, str]) -> dict[str, str]:
    """A scale's choices as people read them: "1: Not at all confident" … "5: Very confident"."""
    return {str(value): f"{value}: {label}" for value, label in labels.items()}


def confidence_question(outcome: str, invalid: str, required: bool) -> RadioField:
    """How confident the person is against one learning outcome, from 1 to 5; an answer
    left out is refused with `invalid` where one is `required`."""
    return RadioField(
        outcome,
        choices=numbered(CONFIDENCE_LABELS),
        validators=[] if required else [Optional()],
        invalid_choice_message=invalid,
        widget=GovRadioInput(),
    )
