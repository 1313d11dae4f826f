"""Every public page and API call issues the same number of SQL statements at any size."""

from datetime import timedelta

from app.extensions import db
from app.models import (
    Booking,
    BookingStatus,
    Course,
    CourseAudience,
    CourseSession,
    Delivery,
    KeyFinding,
    LessonLink,
    Prerequisite,
    Sector,
    utcnow,
)
from tests.factories import make_case_review, make_prospectus, make_user, make_venue

PAGES = [
    "/",
    "/prospectuses",
    "/prospectuses/multi-agency",
    "/prospectuses/multi-agency?q=course&level=2&sector=health&places=y",
    "/prospectuses/multi-agency?month={month}&delivery=in-person&page=1",
    "/search?q=course",
    "/courses/course-0",
    "/sessions/{session_id}",
    "/case-reviews",
    "/case-reviews/child-r",
    "/api/v1/prospectuses",
    "/api/v1/prospectuses/multi-agency",
    "/api/v1/courses",
    "/api/v1/courses/course-0",
    "/api/v1/case-reviews",
    "/api/v1/case-reviews/child-r",
    "/healthz",
    "/livez",
    "/readyz",
]


class Catalogue:
    """A catalogue that grows: every course has sectors, sessions, bookings and a review, and
    the first requires all the others; the review gains a finding with every course, taught
    by it and by every course before it."""

    def __init__(self) -> None:
        self.prospectus = make_prospectus("multi-agency")
        make_prospectus("early-help")
        self.venues = [make_venue(), make_venue()]
        self.review = make_case_review("child-r")
        self.person = make_user()
        self.courses = 0
        self.first_course = None

    def grow_to(self, total: int) -> None:
        start = utcnow() + timedelta(days=10)
        for number in range(self.courses, total):
            finding = KeyFinding(position=number + 1, text=f"Finding {number}")
            self.review.key_findings.append(finding)
            link = LessonLink(
                case_review=self.review, note="Uses its lessons.", key_findings=[finding]
            )
            course = Course(
                prospectus=self.prospectus,
                slug=f"course-{number}",
                title=f"Course {number}",
                summary="A course",
                level=1 + number % 4,
                delivery=Delivery.IN_PERSON if number % 3 else Delivery.LIVE_ONLINE,
                published=True,
                audience_sectors=[
                    CourseAudience(sector=Sector.HEALTH),
                    CourseAudience(sector=Sector.POLICE),
                ],
                lesson_links=[link],
            )
            db.session.add(course)
            for earlier in self.first_course.lesson_links if self.first_course else []:
                earlier.key_findings.append(finding)
            if self.first_course is not None:
                # The first course requires every other, so its pages list more and more.
                db.session.add(Prerequisite(course=self.first_course, required_course=course))
            self.first_course = self.first_course or course
            for days in (0, 40):
                # The first course gains a session with every course added, so its own
                # page grows too.
                self.add_session(course, start + timedelta(days=days, hours=number % 7))
            self.add_session(self.first_course, start + timedelta(days=number % 90))
        self.courses = total
        db.session.flush()

    def add_session(self, course: Course, starts_at) -> None:
        session = CourseSession(
            course=course,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            venue=self.venues[len(course.sessions) % 2] if len(course.sessions) % 3 else None,
            capacity=20,
            published=True,
        )
        session.bookings.append(Booking(user=self.person, status=BookingStatus.CONFIRMED))
        db.session.add(session)


def statements_per_page(client, count_queries, values: dict) -> dict[str, int]:
    counts = {}
    for page in PAGES:
        url = page.format(**values)
        with count_queries() as counted:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(counted)
    return counts


def test_pages_issue_a_fixed_number_of_queries_at_10_and_500_courses(client, count_queries):
    catalogue = Catalogue()
    catalogue.grow_to(10)
    values = {
        "month": (utcnow() + timedelta(days=50)).strftime("%Y-%m"),
        "session_id": catalogue.first_course.sessions[0].id,
    }
    db.session.commit()
    small = statements_per_page(client, count_queries, values)

    catalogue.grow_to(500)
    db.session.commit()
    large = statements_per_page(client, count_queries, values)

    assert large == small
    # A page's own statements, and the page cache's two when it keeps a page: the
    # catalogue's version, and when time alone next changes what the page shows.
    assert max(small.values()) <= 10


def test_pdf_prospectus_issues_a_fixed_number_of_queries(client, count_queries):
    catalogue = Catalogue()
    catalogue.grow_to(3)
    db.session.commit()
    with count_queries() as small:
        assert client.get("/prospectuses/multi-agency.pdf").status_code == 200

    catalogue.grow_to(30)
    db.session.commit()
    with count_queries() as large:
        assert client.get("/prospectuses/multi-agency.pdf").status_code == 200

    assert len(large) == len(small)


def test_briefing_pdf_issues_a_fixed_number_of_queries(client, count_queries):
    catalogue = Catalogue()
    catalogue.grow_to(3)
    db.session.commit()
    with count_queries() as small:
        assert client.get("/case-reviews/child-r/briefing.pdf").status_code == 200

    catalogue.grow_to(12)
    db.session.commit()
    with count_queries() as large:
        assert client.get("/case-reviews/child-r/briefing.pdf").status_code == 200

    assert len(large) == len(small)
