"""`flask --app wsgi retention --years N`: accounts with no activity in N years erased."""

from datetime import timedelta

from app.extensions import db
from app.models import Booking, BookingStatus, Role, User, utcnow
from tests.conftest import sign_in
from tests.factories import PASSWORD, make_course, make_prospectus, make_session, make_user

YEAR = timedelta(days=366)


def long_ago(years: int):
    return utcnow() - years * YEAR


def people(app):
    """Four accounts made seven years ago, of which only the first has done nothing since."""
    course = make_course(make_prospectus())
    idle = make_user(name="Ida Idle", created_at=long_ago(7), last_signed_in_at=long_ago(7))
    db.session.add(
        Booking(
            session=make_session(course, starts_at=long_ago(7)),
            user=idle,
            status=BookingStatus.CONFIRMED,
            created_at=long_ago(7),
            updated_at=long_ago(7),
        )
    )
    signed_in = make_user(name="Sid Recent", created_at=long_ago(7), last_signed_in_at=long_ago(1))
    trained = make_user(name="Tia Trained", created_at=long_ago(7))
    db.session.add(
        Booking(
            session=make_session(course, starts_at=long_ago(2)),
            user=trained,
            status=BookingStatus.CONFIRMED,
            created_at=long_ago(7),
            updated_at=long_ago(7),
        )
    )
    coordinator = make_user(name="Cora Lasting", role=Role.COORDINATOR, created_at=long_ago(7))
    db.session.commit()
    return idle, signed_in, trained, coordinator


def names() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(db.select(User.name)))


def test_a_dry_run_lists_the_idle_account_and_erases_nothing(app, runner):
    idle, *_ = people(app)

    result = runner.invoke(args=["retention", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert f"Would erase person {idle.id} <{idle.email}>" in result.output
    assert "1 accounts with no activity in 6 years would be erased" in result.output
    assert "Ida Idle" in names()


def test_retention_erases_only_accounts_with_no_activity_in_the_years_given(app, runner):
    idle, *_ = people(app)

    result = runner.invoke(args=["retention"])

    assert result.exit_code == 0, result.output
    assert names() == {f"Erased person {idle.id}", "Sid Recent", "Tia Trained", "Cora Lasting"}
    assert db.session.get(User, idle.id).erased_at is not None


def test_a_longer_retention_erases_fewer(app, runner):
    people(app)

    result = runner.invoke(args=["retention", "--years", "8"])

    assert result.exit_code == 0, result.output
    assert "0 accounts" in result.output
    assert "Ida Idle" in names()


def test_an_erased_account_is_not_erased_again(app, runner):
    people(app)
    runner.invoke(args=["retention"])

    result = runner.invoke(args=["retention", "--dry-run"])

    assert "0 accounts" in result.output


def test_years_must_be_a_whole_number_of_at_least_one(app, runner):
    result = runner.invoke(args=["retention", "--years", "0"])

    assert result.exit_code != 0
    assert "0 is not in the range" in result.output


def test_signing_in_is_activity_that_keeps_an_account(app, runner):
    person = make_user(password=PASSWORD, created_at=long_ago(7), last_signed_in_at=long_ago(7))
    db.session.commit()

    assert sign_in(app.test_client(), person.email, PASSWORD).status_code == 302
    result = runner.invoke(args=["retention", "--dry-run"])

    assert utcnow() - db.session.get(User, person.id).last_signed_in_at < timedelta(minutes=1)
    assert "0 accounts" in result.output
