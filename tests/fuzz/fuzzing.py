"""Fuzz the /api/v1/ API with Schemathesis, in process (the Django WSGI application).

`fuzz_api(headers_by_role, max_examples)` loads the OpenAPI schema from the application, then for
every operation, every role (a bearer token) and both generation modes (valid data, and data
that breaks the schema) sends `max_examples` generated requests and checks that none answers a
server error (`not_a_server_error`). It does not stop at the first failure: it returns the
request count and every failure, with the exception Django raised when there was one.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field

import hypothesis
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

SCHEMA_PATH = "/api/v1/openapi.json"
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass
class Failure:
    role: str
    operation: str
    mode: str
    status: int
    request: str
    exception: str = ""


@dataclass
class FuzzReport:
    operations: int = 0
    requests: int = 0
    failures: list[Failure] = field(default_factory=list)
    # (operation, mode) with nothing to generate: no parameter to break in negative mode
    unsatisfiable: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "operations": self.operations,
            "requests": self.requests,
            "failures": len(self.failures),
            "failed_operations": sorted({f"{f.operation} ({f.status})" for f in self.failures}),
            "not_generated": sorted(set(self.unsatisfiable)),
        }

    def describe(self, limit: int = 5) -> str:
        return "\n\n".join(
            f"{f.role} {f.mode} {f.operation} → {f.status}\n{f.request}\n{f.exception}"
            for f in self.failures[:limit]
        )


def fuzz_api(
    headers_by_role: dict[str, dict[str, str]], max_examples: int, seed: int | None = 0
) -> FuzzReport:
    """Fuzz every operation as each role; `seed=None` draws new examples at each run."""
    raised: list[str] = []

    def keep_exception(sender, request=None, **kwargs):
        raised.append(_where(traceback.format_exc()))

    got_request_exception.connect(keep_exception)
    # As Django's test client does: the requests run inside the test's transaction, whose
    # connection must not be closed at each request's start and end.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        app = WSGIHandler()
        first_headers = dict(next(iter(headers_by_role.values())))
        schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, app, headers=first_headers)
        operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
        report = FuzzReport(operations=len(operations))
        for operation in operations:
            for role, headers in headers_by_role.items():
                for mode in MODES:
                    _fuzz_operation(operation, role, dict(headers), mode, max_examples, seed, report, raised)
    finally:
        got_request_exception.disconnect(keep_exception)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return report


def _fuzz_operation(operation, role, headers, mode, max_examples, seed, report, raised) -> None:
    strategy = operation.as_strategy(generation_mode=mode, headers=headers)

    @hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def run(case) -> None:
        raised.clear()
        response = case.call(headers=headers)
        report.requests += 1
        try:
            case.validate_response(response, checks=[not_a_server_error], headers=headers)
        except (Exception, BaseExceptionGroup):  # a check failed: record it, go on (no shrinking)
            report.failures.append(
                Failure(
                    role=role,
                    operation=operation.label,
                    mode=mode.value,
                    status=response.status_code,
                    request=case.as_curl_command(headers={"Authorization": "Bearer …"}),
                    exception="".join(raised)[-3000:],
                )
            )

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        report.unsatisfiable.append(f"{operation.label} [{mode.value}]")


def _where(formatted: str) -> str:
    """The frames of Parcours' own code in a traceback, and its last line (the exception)."""
    lines = formatted.rstrip().splitlines()
    ours = [
        f"{line.strip()} | {lines[i + 1].strip() if i + 1 < len(lines) else ''}"
        for i, line in enumerate(lines)
        if "/parcours/" in line and line.lstrip().startswith("File")
    ]
    return "\n".join([*ours[-3:], lines[-1]])


def max_examples_from_env(default: int) -> int:
    return int(os.environ.get("FUZZ_MAX_EXAMPLES", default))
