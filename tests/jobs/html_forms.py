"""What a browser would submit from a rendered form: the fields the HTML really holds, with
their current values. Posting this (plus what the user types) catches a field that is
rendered as text instead of as a control, which a hand-written POST would not."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, list[str]] = {}
        self.names: set[str] = set()
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            self.names.add(name)
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.setdefault(name, []).append(attrs.get("value", "on"))
            elif kind not in ("submit", "button"):
                self.fields.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self.names.add(name)
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs:
                self.fields[self._select] = [value]
                self._select_chosen = True
        elif tag == "textarea" and name:
            self.names.add(name)
            self._textarea = name
            self.fields[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self.fields[self._select] = [self._select_first]
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def browser_post_data(html: str, form_id: str, typed: dict[str, str | list[str]]) -> dict[str, list[str]]:
    """The data a browser posts from form `form_id` of `html` once the user typed `typed`.

    Raises AssertionError when a typed field has no control in the form (a browser could not
    fill it)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    missing = set(typed) - reader.names
    assert not missing, f"Champs absents du formulaire {form_id} : {sorted(missing)}"
    data = dict(reader.fields)
    for name, value in typed.items():
        data[name] = value if isinstance(value, list) else [value]
    return data
