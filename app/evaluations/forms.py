"""The evaluation, follow-up and line manager's forms, labelled in plain words."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
)
from wtforms import BooleanField, RadioField, SubmitField

from app.confidence.service import field_name
from app.evaluations.service import Answers, FollowUpAnswers
from app.fields import confidence_question, numbered, text_box, text_line
from app.models import (
    ANSWER_LENGTH,
    CHANGED_PRACTICE_LABELS,
    RATING_LABELS,
    ChangedPractice,
    LearningOutcome,
)


def number_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class EvaluationForm(FlaskForm):
    overall_rating = RadioField(
        "Overall, how would you rate the course?",
        choices=numbered(RATING_LABELS),
        invalid_choice_message="Choose your overall rating of the course",
        widget=GovRadioInput(),
    )
    do_differently = text_box(
        "What will you do differently in your practice?",
        ANSWER_LENGTH,
        required="Enter what you will do differently in your practice",
        called="What you will do differently",
    )
    anything_else = text_box(
        "Anything else? (optional)",
        ANSWER_LENGTH,
        description="For example, what worked well, or what would have made it better.",
    )
    submit = SubmitField("Send your evaluation", widget=GovSubmitInput())

    def answers(self, outcomes: list[LearningOutcome]) -> Answers:
        return Answers(
            overall_rating=number_or_none(self.overall_rating.data),
            do_differently=self.do_differently.data or "",
            anything_else=self.anything_else.data or "",
            confidence={
                outcome.id: number_or_none(self[field_name(outcome.id)].data)
                for outcome in outcomes
            },
        )

    def confidence_fields(self, outcomes: list[LearningOutcome]) -> list:
        return [self[field_name(outcome.id)] for outcome in outcomes]


def evaluation_form(outcomes: list[LearningOutcome]) -> EvaluationForm:
    """The form, with a question of confidence for each of the course's current outcomes."""

    class ForTheCourse(EvaluationForm):
        pass

    for outcome in outcomes:
        setattr(
            ForTheCourse,
            field_name(outcome.id),
            confidence_question(
                outcome.text,
                f"Choose how confident you now feel: {outcome.text}",
                required=True,
            ),
        )
    return ForTheCourse()


class FollowUpForm(FlaskForm):
    changed_practice = RadioField(
        "Has this training changed your practice?",
        choices={choice.value: label for choice, label in CHANGED_PRACTICE_LABELS.items()},
        invalid_choice_message="Choose whether the training has changed your practice",
        widget=GovRadioInput(),
    )
    how = text_box(
        "How? (optional if it has not)",
        ANSWER_LENGTH,
        called="How it changed",
        description="What you do differently now, or what has stopped you so far.",
    )
    ask_manager = BooleanField(
        "Ask my line manager for their view",
        description="We email them a link to tell us whether they have seen the training "
        "change your practice. They do not see your answers.",
        widget=GovCheckboxInput(),
    )
    # Checked by the service, and only when their view is asked: an old address left in
    # the box must not stop the answer being sent.
    manager_email = text_line(
        "Your line manager's email address",
        254,
        description="Only if you ask for their view.",
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    submit = SubmitField("Send your answer", widget=GovSubmitInput())

    def answers(self) -> FollowUpAnswers:
        chosen = self.changed_practice.data
        return FollowUpAnswers(
            changed_practice=ChangedPractice(chosen) if chosen in set(ChangedPractice) else None,
            how=self.how.data or "",
            ask_manager=bool(self.ask_manager.data),
            manager_email=self.manager_email.data or "",
        )


class ManagerViewForm(FlaskForm):
    view = text_box(
        "Has this training changed their practice? What have you seen?",
        ANSWER_LENGTH,
        required="Enter your view of whether the training changed their practice",
        called="Your view",
    )
    submit = SubmitField("Send your view", widget=GovSubmitInput())
