"""What the coordinator's pages share: a deletion confirmed before it is made."""

from collections.abc import Callable

from flask import flash, redirect
from flask.typing import ResponseReturnValue

from app.accounts.forms import ConfirmForm
from app.forms import form_page, show_refusal
from app.refusals import Refused
from app.transactions import saved


def confirm_and_delete(
    template: str, delete: Callable[[], None], deleted: str, back: str, **context
) -> ResponseReturnValue:
    """GET asks to confirm on the page `template`; POST deletes, then goes `back` saying
    `deleted`, or shows the page again with the refusal that says why not."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return form_page(template, form, **context)
    try:
        saved(delete)
    except Refused as refusal:
        show_refusal(form, refusal)
        return form_page(template, form, **context)
    flash(deleted, "success")
    return redirect(back)
