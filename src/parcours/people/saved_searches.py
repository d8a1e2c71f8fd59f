"""The criteria of person searches, kept in the agent's session under opaque keys.

A search is POSTed (its text is a name or a NIR); the results page is then addressed as
`/personnes/?recherche=<key>&page=<n>`, so no URL, hence no request log, browser history or
referer, carries what was searched. Only the last `KEPT` searches of a session are kept; an
older key answers as an expired search.
"""

import secrets

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "people_searches"
KEPT = 20


def remember(session: SessionBase, criteria: dict[str, str]) -> str:
    """The key of `criteria` in `session`: the same key for the same criteria, else a new one."""
    searches: dict[str, dict[str, str]] = session.get(SESSION_KEY, {})
    for key, kept in searches.items():
        if kept == criteria:
            return key
    key = secrets.token_urlsafe(6)
    searches[key] = criteria
    session[SESSION_KEY] = dict(list(searches.items())[-KEPT:])
    return key


def recall(session: SessionBase, key: str) -> dict[str, str] | None:
    """The criteria saved under `key`, or None when the key is unknown or expired."""
    return session.get(SESSION_KEY, {}).get(key)
