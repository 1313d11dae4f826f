"""The menu beside every page of the coordinator's area, showing the section the page is in."""

from dataclasses import dataclass

from flask import request, url_for

from app.admin import bp

OVERVIEW = "admin.index"
#: In the menu's order: the endpoint of each section's first page, and the section's name.
SECTIONS = (
    (OVERVIEW, "Overview"),
    ("admin.prospectuses", "Prospectuses"),
    ("admin.courses", "Courses"),
    ("admin.sessions", "Sessions"),
    ("admin.venues", "Venues"),
    ("admin.agencies", "Agencies"),
    ("admin.charges", "Charges"),
    ("admin.approvals", "Approvals"),
    ("admin.external_training", "Training done elsewhere"),
    ("admin.case_reviews", "Case reviews"),
    ("admin.users", "People"),
    ("admin.reports", "Reports"),
    ("admin.audit_log", "Audit log"),
    ("admin.site_pages", "Site pages"),
)


@dataclass(frozen=True)
class MenuLink:
    url: str
    label: str
    #: aria-current: "page" on the section's first page, "true" on a page within it.
    current: str | None


@bp.context_processor
def menu() -> dict[str, list[MenuLink]]:
    return {"admin_menu": [menu_link(endpoint, label) for endpoint, label in SECTIONS]}


def menu_link(endpoint: str, label: str) -> MenuLink:
    """A page is within a section when its address continues the section's, as
    /admin/courses/5/edit does /admin/courses; every address continues the overview's."""
    url = url_for(endpoint)
    if request.path == url:
        return MenuLink(url, label, "page")
    within = endpoint != OVERVIEW and request.path.startswith(f"{url}/")
    return MenuLink(url, label, "true" if within else None)
