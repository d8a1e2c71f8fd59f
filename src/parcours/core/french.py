"""French wording of counts: « 1 jour », « 3 jours », never « jour(s) »."""


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`count` followed by the singular (0 and 1, as French does) or the plural of a word."""
    word = singular if abs(count) < 2 else (plural_form or f"{singular}s")
    return f"{count} {word}"
