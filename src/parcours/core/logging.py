"""A logging filter that masks personal identifiers before anything is written.

Every handler of Parcours carries it (settings `LOGGING`, `parcours/gunicorn_conf.py`).
Names and addresses are never passed to loggers by Parcours code (they cannot be
recognised reliably); this filter is the safety net for what can be recognised:

- NIRs (grouped or not: « 1 84 12 75 123 456 78 »), e-mail addresses and French phone
  numbers (« 06 12 34 56 78 », « +33 6 12 34 56 78 ») are masked;
- the query string of an HTTP request line (« GET /personnes/?q=… HTTP/1.1 ») is dropped:
  request logs keep the path only;
- an exception keeps its type and its stack, never its message: a message may quote the
  data being processed (a name in a database error, a row of an import file).
"""

import logging
import re
import traceback

_SEP = r"[ \u00a0.]?"  # how a NIR is grouped when typed or printed
NIR_RE = re.compile(
    r"(?<![0-9])[12378]"
    + _SEP
    + r"[0-9]{2}"
    + _SEP
    + r"(?:0[1-9]|1[0-2]|[2-9][0-9])"
    + _SEP
    + r"(?:2[ABab]|[0-9]{2})"
    + _SEP
    + r"[0-9]{3}"
    + _SEP
    + r"[0-9]{3}"
    + r"(?:"
    + _SEP
    + r"[0-9]{2})?(?![0-9])"
)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE_RE = re.compile(
    r"(?<![0-9])(?:(?:\+|00)33[\s.-]?(?:\(0\)[\s.-]?)?|0)[1-9](?:[\s.-]?[0-9]{2}){4}(?![0-9])"
)
REQUEST_QUERY_RE = re.compile(
    r"\b((?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE|CONNECT) [^\s?\"]*)\?[^\s\"]*"
)
MASKED_MESSAGE = "[message masqué]"


def redact(text: str) -> str:
    """`text` without request query strings, NIRs, e-mail addresses and phone numbers."""
    text = REQUEST_QUERY_RE.sub(r"\1", text)
    text = NIR_RE.sub("[NIR masqué]", text)
    text = EMAIL_RE.sub("[e-mail masqué]", text)
    return PHONE_RE.sub("[téléphone masqué]", text)


def exception_text(error: BaseException) -> str:
    """The traceback of `error` (and of its causes) as Python prints it, each message masked."""
    blocks: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        name = kind.__qualname__
        if kind.__module__ not in ("builtins", "__main__"):
            name = f"{kind.__module__}.{name}"
        try:
            has_message = bool(str(current))
        except Exception:
            has_message = True
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        head = "Traceback (most recent call last):\n" if frames else ""
        blocks.append(f"{head}{frames}{name}{': ' + MASKED_MESSAGE if has_message else ''}")
        if current.__cause__ is not None:
            blocks.append("The above exception was the direct cause of the following exception:")
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            blocks.append("During handling of the above exception, another exception occurred:")
            current = current.__context__
        else:
            current = None
    return "\n\n".join(reversed(blocks))


class RedactPersonalData(logging.Filter):
    """Rewrites each record so that no handler writes what `redact` masks, nor an exception message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            # Formatters print `exc_text` when it is set, instead of formatting `exc_info`.
            record.exc_text = exception_text(record.exc_info[1])
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class OmitClientErrors(logging.Filter):
    """Drops Django's report of a request answered 4xx (`django.request`'s "Not Found: /…",
    "Forbidden (Permission denied): /…" with its traceback).

    The request log (runserver's `django.server`, gunicorn's access log) already writes one
    line for that request with its status; a refusal is ordinary (and audited), and its
    traceback says nothing. Server errors (5xx) keep their line and their stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        return not (isinstance(status, int) and 400 <= status < 500)
