"""The OpenAPI 3.1 description of /api/v1: the contract the tests hold every response to."""

from flask import current_app

from app.admin.slugs import SLUG_PATTERN
from app.models import LEVELS, Delivery, Sector, SessionStatus

NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}
URL = {"type": "string", "format": "uri"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def strict(properties: dict, required: list[str] | None = None) -> dict:
    """An object with exactly these properties, all present."""
    return {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
        "additionalProperties": False,
    }


def list_of(key: str, schema_name: str) -> dict:
    return strict({key: {"type": "array", "items": ref(schema_name)}})


PROSPECTUS_PROPERTIES = {
    "slug": {"type": "string"},
    "title": {"type": "string"},
    "year": {"type": "integer"},
    "introduction": {"type": "string"},
    "course_count": {"type": "integer", "minimum": 0},
    "url": URL,
    "pdf_url": URL,
    "api_url": URL,
}
PROSPECTUS = strict(PROSPECTUS_PROPERTIES)

COURSE_SUMMARY_PROPERTIES = {
    "slug": {"type": "string"},
    "title": {"type": "string"},
    "summary": {"type": "string"},
    "level": {"type": "integer", "enum": list(LEVELS)},
    "delivery": {"type": "string", "enum": [delivery.value for delivery in Delivery]},
    "duration": {"type": "string"},
    "audience_sectors": {
        "type": "array",
        "items": {"type": "string", "enum": [sector.value for sector in Sector]},
    },
    "external_url": {"type": ["string", "null"], "format": "uri"},
    "next_session_starts_at": NULLABLE_TIMESTAMP,
    "url": URL,
    "api_url": URL,
}
COURSE_SUMMARY = strict(COURSE_SUMMARY_PROPERTIES)

VENUE = strict(
    {
        "name": {"type": "string"},
        "address": {"type": "array", "items": {"type": "string"}},
        "postcode": {"type": "string"},
        "access_information": {"type": "string"},
    }
)

SESSION = strict(
    {
        "id": {"type": "integer"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "timezone": {"type": "string", "const": "Europe/London"},
        "status": {
            "type": "string",
            "enum": [status.value for status in SessionStatus],
        },
        "online": {"type": "boolean"},
        "venue": {"oneOf": [ref("Venue"), {"type": "null"}]},
        "capacity": {"type": "integer", "minimum": 0},
        "places_left": {"type": "integer", "minimum": 0},
        "url": URL,
    }
)

COURSE_REVIEW_LINK = strict(
    {
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "note": {"type": "string"},
        "api_url": URL,
    }
)

COURSE_PREREQUISITE = strict(
    {
        "title": {"type": "string"},
        "level": {"type": "integer", "minimum": 1, "maximum": 4},
        "within_years": {
            "type": ["integer", "null"],
            "description": "Attended in the last so many years; null: at any time",
        },
        "api_url": {
            "oneOf": [URL, {"type": "null"}],
            "description": "null while the course is not in a published prospectus",
        },
    }
)

COURSE = strict(
    {
        **COURSE_SUMMARY_PROPERTIES,
        "prospectus": {"type": "string"},
        "description": {"type": "string", "description": "Markdown"},
        "learning_outcomes": {"type": "array", "items": {"type": "string"}},
        "audience": {"type": "string"},
        "charges_policy": {"type": "string"},
        "cpd_hours": {"type": "number", "minimum": 0.5, "maximum": 40, "multipleOf": 0.5},
        "sessions": {"type": "array", "items": ref("Session")},
        "case_reviews": {"type": "array", "items": ref("CourseReviewLink")},
        "prerequisites": {
            "type": "array",
            "items": ref("CoursePrerequisite"),
            "description": "Courses to have attended before booking this one",
        },
    }
)

CASE_REVIEW_SUMMARY_PROPERTIES = {
    "slug": {"type": "string"},
    "title": {"type": "string"},
    "year": {"type": ["integer", "null"]},
    "summary": {"type": "string"},
    "url": URL,
    "api_url": URL,
}
CASE_REVIEW_SUMMARY = strict(CASE_REVIEW_SUMMARY_PROPERTIES)

CASE_REVIEW = strict(
    {
        **CASE_REVIEW_SUMMARY_PROPERTIES,
        "key_findings": {"type": "array", "items": {"type": "string"}},
        "reports": {
            "type": "array",
            "items": strict({"title": {"type": "string"}, "url": URL}),
        },
        "courses": {
            "type": "array",
            "items": strict(
                {
                    "slug": {"type": "string"},
                    "title": {"type": "string"},
                    "note": {"type": "string"},
                    "key_findings": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "The review's key findings this course teaches, "
                        "in the review's order",
                    },
                    "next_session_starts_at": NULLABLE_TIMESTAMP,
                    "api_url": URL,
                }
            ),
        },
    }
)

ERROR = strict({"error": strict({"status": {"type": "integer"}, "message": {"type": "string"}})})


def json_response(description: str, schema: dict) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


NOT_FOUND = {"404": json_response("Nothing published has that slug.", ref("Error"))}


def slug_parameter(what: str) -> dict:
    return {
        "name": "slug",
        "in": "path",
        "required": True,
        "description": f"The {what}'s slug, as in its web address.",
        "schema": {"type": "string", "pattern": SLUG_PATTERN},
    }


def operation(summary: str, schema: dict, parameters: list | None = None) -> dict:
    found = {
        "get": {
            "summary": summary,
            "responses": {"200": json_response(summary, schema)},
        }
    }
    if parameters:
        found["get"]["parameters"] = parameters
        found["get"]["responses"].update(NOT_FOUND)
    return found


def openapi_document() -> dict:
    """The description of the API, with the server address taken from BASE_URL."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{current_app.config['PARTNERSHIP_NAME']}: training catalogue",
            "version": "1.0.0",
            "description": (
                "Read-only JSON of the published prospectuses, their courses and sessions, "
                "and the case reviews the courses draw on. Times carry their offset and are "
                "in Europe/London."
            ),
        },
        "servers": [{"url": current_app.config["BASE_URL"] + "/api/v1"}],
        "paths": {
            "/prospectuses": operation(
                "The published prospectuses", list_of("prospectuses", "Prospectus")
            ),
            "/prospectuses/{slug}": operation(
                "A prospectus and its courses",
                strict(
                    {
                        **PROSPECTUS_PROPERTIES,
                        "courses": {"type": "array", "items": ref("CourseSummary")},
                    }
                ),
                [slug_parameter("prospectus")],
            ),
            "/courses": operation("Every published course", list_of("courses", "CourseSummary")),
            "/courses/{slug}": operation(
                "A course, its upcoming sessions, the case reviews it draws on and the courses "
                "to attend first",
                ref("Course"),
                [slug_parameter("course")],
            ),
            "/case-reviews": operation(
                "The published case reviews",
                list_of("case_reviews", "CaseReviewSummary"),
            ),
            "/case-reviews/{slug}": operation(
                "A case review and the courses that draw on it",
                ref("CaseReview"),
                [slug_parameter("case review")],
            ),
        },
        "components": {
            "schemas": {
                "Prospectus": PROSPECTUS,
                "CourseSummary": COURSE_SUMMARY,
                "Course": COURSE,
                "Venue": VENUE,
                "Session": SESSION,
                "CourseReviewLink": COURSE_REVIEW_LINK,
                "CoursePrerequisite": COURSE_PREREQUISITE,
                "CaseReviewSummary": CASE_REVIEW_SUMMARY,
                "CaseReview": CASE_REVIEW,
                "Error": ERROR,
            }
        },
    }
