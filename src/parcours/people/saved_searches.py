"""The criteria of person searches, kept encrypted in the agent's session under opaque keys.

A search is POSTed (its text is a name or a NIR); the results page is then addressed as
`/personnes/?recherche=<key>&page=<n>`, so no URL, hence no request log, browser history or
referer, carries what was searched. The criteria are stored encrypted (`core.encryption`, the
NIR's keys): sessions live in the database, and a NIR typed in the search box must not sit
there in clear. Only the last `KEPT` searches of a session are kept; an older key, or one
sealed with a key that was since removed, answers as an expired search.
"""

import json
import secrets

from django.contrib.sessions.backends.base import SessionBase

from parcours.core.encryption import DecryptionError, decrypt, encrypt

SESSION_KEY = "people_searches"
KEPT = 20


def _open(token: str) -> dict[str, str] | None:
    try:
        return json.loads(decrypt(token))
    except (DecryptionError, ValueError):
        return None


def remember(session: SessionBase, criteria: dict[str, str]) -> str:
    """The key of `criteria` in `session`: the same key for the same criteria, else a new one."""
    searches: dict[str, str] = session.get(SESSION_KEY, {})
    for key, token in searches.items():
        if _open(token) == criteria:
            return key
    key = secrets.token_urlsafe(6)
    searches[key] = encrypt(json.dumps(criteria, sort_keys=True))
    session[SESSION_KEY] = dict(list(searches.items())[-KEPT:])
    return key


def recall(session: SessionBase, key: str) -> dict[str, str] | None:
    """The criteria saved under `key`, or None when the key is unknown, expired or unreadable."""
    token = session.get(SESSION_KEY, {}).get(key)
    return _open(token) if isinstance(token, str) else None
