"""A check over a whole test run: no log line names a person created during the run.

`tests/conftest.py` starts `RUN` when the session starts and reports at its end:

- every record that the production configuration would write (level of the root logger
  in `settings.LOGGING`, the redaction filter applied as on every handler of Parcours) is
  kept as a formatted line: a handler on the root logger, and on every logger that does
  not propagate (`django.server`…), attached again before each test;
- every person saved during the run (`post_save`, and `bulk_create`, which sends no
  signal) gives its identifiers: NIR (first 13 characters, grouped or not), e-mail, phone
  (its last nine digits), usage and birth names of 4 letters or more (whole words, any
  case), street address;
- at the end, a line holding one of them fails the run; the report names the logger and
  shows the line with what was found masked.

A NIR, an e-mail or a phone found here got past the redaction filter; a name or an
address was passed to a logger, which Parcours code never does.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import QuerySet
from django.db.models.signals import post_save

from parcours.core.logging import RedactPersonalData, redact

MIN_NAME_LETTERS = 4
EXCERPT = 160
# Runs of digits however grouped: broader than the redaction's patterns, so that what got
# past them is found (a NIR grouped with dashes, a phone number without its leading 0…).
NIR_CANDIDATE_RE = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[\s.\-_/]{0,2}[0-9ABab]){12,14}(?![0-9])")
PHONE_CANDIDATE_RE = re.compile(r"(?<![0-9])\+?[0-9](?:[\s.()\-]{0,2}[0-9]){8,13}(?![0-9])")
WORD_RE = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


@lru_cache(maxsize=4096)
def _phrase_re(phrase: str) -> re.Pattern:
    """`phrase` as whole words, any case, any spacing between its words."""
    body = r"\s+".join(re.escape(word) for word in phrase.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


@dataclass
class Identifiers:
    """What identifies the persons saved during the run, in the forms searched for in lines."""

    nirs: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    # Lowercased name, address or e-mail -> kind; indexed by its longest word (of the part
    # before the @ for an e-mail), to test a line's words against a set rather than every
    # line against every phrase.
    phrases: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, person) -> None:
        nir = re.sub(r"[\s.]", "", person.nir or "").upper()
        if len(nir) >= 13:
            self.nirs.add(nir[:13])
        if person.email and "@" in person.email:
            self._add_phrase(
                person.email, "e-mail", key=max(_words(person.email.split("@")[0]) or [""], key=len)
            )
        digits = re.sub(r"\D", "", person.phone or "")
        if len(digits) >= 9:
            self.phones.add(digits[-9:])
        for name in (person.last_name, person.birth_name):
            if sum(c.isalpha() for c in name or "") >= MIN_NAME_LETTERS:
                self._add_phrase(name, "nom")
        if len(_words(person.address or "")) >= 2:
            self._add_phrase(person.address, "adresse")

    def _add_phrase(self, text: str, kind: str, key: str = "") -> None:
        phrase = " ".join(text.lower().split())
        self.phrases[key or max(_words(phrase), key=len)][phrase] = kind


def leaks(line: str, identifiers: Identifiers) -> list[tuple[str, int, int]]:
    """The identifiers found in `line`: (kind, start, end) of each."""
    found: list[tuple[str, int, int]] = []
    for match in NIR_CANDIDATE_RE.finditer(line):
        compact = re.sub(r"[^0-9AB]", "", match.group().upper())
        if any(compact[i : i + 13] in identifiers.nirs for i in range(len(compact) - 12)):
            found.append(("NIR", match.start(), match.end()))
    for match in PHONE_CANDIDATE_RE.finditer(line):
        digits = re.sub(r"\D", "", match.group())
        if any(digits[i : i + 9] in identifiers.phones for i in range(len(digits) - 8)):
            found.append(("téléphone", match.start(), match.end()))
    for word in set(_words(line)):
        for phrase, kind in identifiers.phrases.get(word, {}).items():
            found += [(kind, m.start(), m.end()) for m in _phrase_re(phrase).finditer(line)]
    return found


def masked_excerpt(line: str, found: list[tuple[str, int, int]]) -> str:
    """`line` around its first finding, each finding replaced by its kind."""
    spans = sorted(found, key=lambda item: (item[1], -item[2]))
    pieces, position, first = [], 0, None
    for kind, start, end in spans:
        if start < position:
            continue
        pieces.append(line[position:start])
        first = first if first is not None else sum(len(piece) for piece in pieces)
        pieces.append(f"[{kind}]")
        position = end
    pieces.append(line[position:])
    text = redact("".join(pieces)).replace("\n", " ⏎ ")
    start = max(0, (first or 0) - EXCERPT // 2)
    return (
        ("…" if start else "") + text[start : start + EXCERPT] + ("…" if len(text) > start + EXCERPT else "")
    )


class LineCollector(logging.Handler):
    """Keeps every record as the production handlers would write it (filtered, formatted)."""

    def __init__(self, level: int):
        super().__init__(level)
        self.addFilter(RedactPersonalData())
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append((record.name, self.format(record)))
        except Exception:
            self.handleError(record)


class LogLeakCheck:
    """The state of the check for one run: `start`, `attach` before each test, `offenders`, `stop`."""

    def __init__(self):
        self.identifiers = Identifiers()
        self.collector: LineCollector | None = None
        self._bulk_create = None

    def start(self) -> None:
        from django.conf import settings

        from parcours.people.models import Person

        level = logging.getLevelName(str(settings.LOGGING.get("root", {}).get("level", "INFO")).upper())
        self.collector = LineCollector(level if isinstance(level, int) else logging.INFO)
        post_save.connect(self._saved, sender=Person, weak=False, dispatch_uid="tests.log_check")
        original = self._bulk_create = QuerySet.bulk_create
        check = self

        def bulk_create(queryset, objs, *args, **kwargs):
            objs = list(objs)
            created = original(queryset, objs, *args, **kwargs)
            if issubclass(queryset.model, Person):
                for person in objs:
                    check.identifiers.add(person)
            return created

        QuerySet.bulk_create = bulk_create
        self.attach()

    def attach(self) -> None:
        """Put the collector on the root logger and on every logger that does not propagate."""
        if self.collector is None:
            return
        loggers = [logging.getLogger()]
        loggers += [
            logger
            for logger in logging.root.manager.loggerDict.values()
            if isinstance(logger, logging.Logger) and not logger.propagate
        ]
        for logger in loggers:
            if self.collector not in logger.handlers:
                logger.addHandler(self.collector)

    def stop(self) -> None:
        from parcours.people.models import Person

        post_save.disconnect(sender=Person, dispatch_uid="tests.log_check")
        if self._bulk_create is not None:
            QuerySet.bulk_create = self._bulk_create
        for logger in [logging.getLogger(), *logging.root.manager.loggerDict.values()]:
            if isinstance(logger, logging.Logger) and self.collector in logger.handlers:
                logger.removeHandler(self.collector)

    def offenders(self) -> list[str]:
        """One report line per log line naming a person saved during the run."""
        if self.collector is None:
            return []
        report = []
        for name, line in self.collector.lines:
            found = leaks(line, self.identifiers)
            if found:
                kinds = ", ".join(sorted({kind for kind, _, _ in found}))
                report.append(f"{name} ({kinds}) : {masked_excerpt(line, found)}")
        return report

    def _saved(self, sender, instance, **kwargs) -> None:
        self.identifiers.add(instance)


RUN = LogLeakCheck()
