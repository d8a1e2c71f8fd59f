"""Send a signed incoming-call event to Parcours, as the telephony system (the switch, its CTI
connector) does: the operator logged in at that station sees the caller's record open.

Standard library only, so that it runs next to any switch. Usage:

    PARCOURS_TELEPHONY_SECRET=... python scripts/telephony_client.py \\
        --url https://parcours.example.fr --station cpc-01 --number "06 12 34 56 78" [--call-id 42]

Prints the HTTP status and Parcours's answer (JSON); exits 0 on 201, 1 otherwise. The protocol
(body, header `X-Parcours-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, the five
minutes' tolerance) is in docs/telephony.md. `signed_request` and `send_call` are importable.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request

PATH = "/api/v1/telephonie/appels/"
HEADER = "X-Parcours-Signature"


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The value of the signature header for `body` sent at `timestamp` (unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signed_request(
    *, station: str, number: str, call_id: str = "", secret: str, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of the event (the body is signed exactly as sent)."""
    body = json.dumps({"station": station, "number": number, "call_id": call_id}).encode()
    headers = {
        "Content-Type": "application/json",
        HEADER: sign(body, secret, int(time.time()) if timestamp is None else timestamp),
    }
    return body, headers


def send_call(
    base_url: str, *, station: str, number: str, call_id: str = "", secret: str, timeout: float = 10
) -> tuple[int, dict]:
    """POST the event to Parcours at `base_url`; returns (HTTP status, JSON answer)."""
    body, headers = signed_request(station=station, number=number, call_id=call_id, secret=secret)
    url = base_url.rstrip("/") + PATH
    if not url.startswith(("https://", "http://")):
        raise ValueError("L'adresse de Parcours doit commencer par https:// (ou http:// en test).")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - checked above
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return error.code, json.loads(payload or b"{}")
        except ValueError:
            return error.code, {"detail": payload.decode(errors="replace")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Signale un appel entrant à un poste de Parcours.")
    parser.add_argument("--url", required=True, help="Adresse de Parcours, ex. https://parcours.example.fr")
    parser.add_argument("--station", required=True, help="Code du poste (déclaré dans Parcours)")
    parser.add_argument("--number", required=True, help="Numéro de l'appelant")
    parser.add_argument("--call-id", default="", help="Identifiant de l'appel chez l'opérateur")
    args = parser.parse_args(argv)
    secret = os.environ.get("PARCOURS_TELEPHONY_SECRET", "")
    if not secret:
        print("PARCOURS_TELEPHONY_SECRET est vide : indiquez le secret partagé.", file=sys.stderr)
        return 2
    status, answer = send_call(
        args.url, station=args.station, number=args.number, call_id=args.call_id, secret=secret
    )
    print(status, json.dumps(answer, ensure_ascii=False))
    return 0 if status == 201 else 1


if __name__ == "__main__":
    sys.exit(main())
