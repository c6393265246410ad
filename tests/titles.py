"""What a page's `<title>` may hold: a plain label (and a case reference), nothing else.

The title ends up in browser history, tab lists and bookmarks, outside the page's access
control, and a browser shows whatever is between the tags as text: markup there is neither
rendered nor usable, and anything personal there leaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)
# 10 or 12 digits, optionally with - or + before the last four (ÅÅMMDD-NNNN, ÅÅÅÅMMDDNNNN).
PERSONNUMMER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")
MAX_TITLE_LENGTH = 120


def page_title(html: str) -> str:
    """The text of the page's one `<title>` element (the head of an HTML page has exactly one)."""
    head = html.split("</head>", 1)[0]
    found = TITLE.findall(head)
    assert len(found) == 1, f"expected one <title> in the head, found {len(found)}"
    return str(found[0])


def page_body(html: str) -> str:
    """Everything after the head: what the browser shows."""
    assert "</head>" in html, "not a full page"
    return html.split("</head>", 1)[1]


def title_problems(title: str, *, names: Iterable[str] = ()) -> list[str]:
    """Why `title` is not a plain label; empty when it is."""
    problems = []
    if "csrfmiddlewaretoken" in title:
        problems.append("a CSRF token")
    if "<" in title or ">" in title:
        problems.append("markup")
    if "\n" in title.strip():
        problems.append("more than one line")
    if len(title) > MAX_TITLE_LENGTH:
        problems.append(f"{len(title)} characters (a label is at most {MAX_TITLE_LENGTH})")
    if PERSONNUMMER.search(title):
        problems.append("a personnummer")
    problems += [f"the name {name!r}" for name in names if name and name in title]
    return problems
