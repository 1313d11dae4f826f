"""What the README's Security section promises, where no one area's tests keep it: nobody
approves their own bookings, and coordinators see the accounts that might.
"""

import pytest

from app.bookings import service as bookings
from app.refusals import Refused
from tests.conftest import words
from tests.factories import make_agency, make_user
from tests.test_booking_core import context

# Approving your own booking -----------------------------------------------------------------


def test_a_course_needing_approval_is_not_booked_with_your_own_address_as_your_managers():
    own_address = context(requires_approval=True, line_manager_email="sam@example.org")

    with pytest.raises(Refused, match="your own email address") as refused:
        bookings.decision_for(own_address)

    assert refused.value.field == bookings.DETAILS


@pytest.fixture
def agency(app):
    return make_agency(name="Rotherham Hospital NHS Foundation Trust")


def two_accounts_of(person: dict, manager: dict | None = None) -> tuple:
    """A person, and the account their line manager's address belongs to: with the
    person's own name and agency, unless `manager` says otherwise."""
    manager = make_user(**(person | (manager or {})), email="sam.t@example.org")
    return make_user(**person, line_manager_email="Sam.T@example.org"), manager


def test_a_manager_account_in_the_persons_own_name_and_agency_is_flagged(agency, as_coordinator):
    person, manager = two_accounts_of(
        {"name": "Sam Taylor", "agency": agency}, {"name": "sam taylor"}
    )

    page = as_coordinator.get(f"/admin/users/{person.id}")

    assert page.status_code == 200
    assert (
        "The line manager's address, sam.t@example.org, belongs to another account with the same "
        "name and agency: Sam Taylor may be approving their own bookings"
    ) in words(page.text)
    assert f'href="/admin/users/{manager.id}"' in page.text


@pytest.mark.parametrize("other", [{"name": "Alex Morgan"}, {"agency": None}])
def test_a_manager_account_of_another_name_or_agency_is_not_flagged(agency, as_coordinator, other):
    person, _ = two_accounts_of({"name": "Sam Taylor", "agency": agency}, other)

    page = as_coordinator.get(f"/admin/users/{person.id}")

    assert "may be approving their own bookings" not in page.text
    assert "None" in words(as_coordinator.get("/admin").text).split("may be themselves")[1]


def test_the_overview_lists_everyone_whose_manager_may_be_themselves(agency, as_coordinator):
    person, _ = two_accounts_of({"name": "Sam Taylor", "agency": agency})

    page = as_coordinator.get("/admin")

    assert "People whose line manager may be themselves Sam Taylor" in words(page.text)
    assert f'href="/admin/users/{person.id}"' in page.text


def test_the_overview_costs_the_same_queries_for_1_or_12_flagged(
    agency, as_coordinator, count_queries
):
    def queries_flagging(first: int, last: int) -> int:
        for n in range(first, last):
            make_user(name=f"Person {n}", agency=agency, email=f"p{n}.other@example.org")
            make_user(
                name=f"Person {n}", agency=agency, line_manager_email=f"p{n}.other@example.org"
            )
        with count_queries() as counted:
            page = as_coordinator.get("/admin")
        assert words(page.text).count("Person ") == last
        return len(counted)

    assert queries_flagging(0, 1) == queries_flagging(1, 12)
