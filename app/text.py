"""Text people type: refused when it holds characters that hide or disguise what it says."""

import re

#: Bidirectional embeddings, overrides and isolates: they show the text after them in
#: another order than it has, so a name could pass for another on a manager's page.
_DIRECTION = "\u202a-\u202e\u2066-\u2069"
#: Those, and control characters (C0, DEL and C1; PostgreSQL cannot even store a NUL).
HIDDEN_IN_A_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_DIRECTION}]")
#: Paragraphs may hold line breaks and tabs.
HIDDEN_IN_PARAGRAPHS = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_DIRECTION}]")


def has_hidden_characters(text: str, paragraphs: bool = False) -> bool:
    pattern = HIDDEN_IN_PARAGRAPHS if paragraphs else HIDDEN_IN_A_LINE
    return pattern.search(text) is not None


def hidden_characters_message(name: str) -> str:
    """What to tell a person whose `name` (a field, "Full name") has hidden characters."""
    return (
        f"{name} must not contain hidden characters, such as control characters or "
        "characters that change the direction of text"
    )
