"""Web addresses made from titles: plain lower-case letters and digits, hyphens between."""

import re
import unicodedata

#: Every slug slugify() makes, as a regular expression (the API's document publishes it).
SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"


def slugify(text: str, max_length: int) -> str:
    """ "Children's services & schools" is "childrens-services-and-schools".

    Accents are dropped rather than the letters they sit on, apostrophes join their
    word, and a slug too long for its column is cut between words.
    """
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    plain = plain.lower().replace("&", " and ").replace("'", "")
    slug = ""
    for word in re.findall(r"[a-z0-9]+", plain):
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > max_length:
            return slug or word[:max_length]
        slug = longer
    return slug
