"""A logging filter that masks personal identifiers before anything is written.

Names and addresses are never passed to loggers by Parcours code (they cannot be
recognised reliably); this filter is the safety net for what can be recognised:
NIRs, e-mail addresses and French phone numbers.
"""

import logging
import re

NIR_RE = re.compile(
    r"(?<![0-9])[12378][0-9]{2}(?:0[1-9]|1[0-2]|[2-9][0-9])(?:2[AB]|[0-9]{2})[0-9]{6}(?:[0-9]{2})?(?![0-9])"
)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE_RE = re.compile(r"(?<![0-9])(?:\+33\s?|0)[1-9](?:[\s.-]?[0-9]{2}){4}(?![0-9])")


def redact(text: str) -> str:
    text = NIR_RE.sub("[NIR masqué]", text)
    text = EMAIL_RE.sub("[e-mail masqué]", text)
    return PHONE_RE.sub("[téléphone masqué]", text)


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
