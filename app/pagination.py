"""GOV.UK pagination parameters for a Flask-SQLAlchemy page of results."""

from collections.abc import Callable

from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.ids import whole_number


def page_of(db_session: Session, query: Select, page: int, per_page: int) -> Pagination:
    """One page of a query's results, with their count; a page past the end is empty."""
    return SelectPagination(
        select=query, session=db_session, page=page, per_page=per_page, error_out=False
    )


#: Far past any list's last page, yet few enough rows for a database to be told to skip.
MAX_PAGE = 1_000_000


def page_number(text: str) -> int:
    """For `request.args.get("page", 1, type=page_number)`: any other value than a page
    number raises ValueError, and so gives the first page."""
    number = whole_number(text, MAX_PAGE)
    if number is None:
        raise ValueError(f"not a page number: {text[:30]!r}")
    return number


def govuk_pagination(
    results: Pagination, link_to: Callable[[int], str], label: str = "Pages of courses"
) -> dict | None:
    """The govukPagination macro's parameters, or None when everything fits on one page."""
    if results.pages <= 1:
        return None
    items = [
        {"ellipsis": True}
        if number is None
        else {"number": number, "href": link_to(number), "current": number == results.page}
        for number in results.iter_pages(left_edge=1, left_current=1, right_current=2, right_edge=1)
    ]
    return {
        "previous": {"href": link_to(results.prev_num)} if results.has_prev else None,
        "next": {"href": link_to(results.next_num)} if results.has_next else None,
        "items": items,
        "landmarkLabel": label,
    }
