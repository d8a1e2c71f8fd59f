"""Screen pops: the telephony system tells Parcours « incoming call from NUMBER at station S », and
the operator logged in at that station sees the caller's record open.

The event is `POST /api/v1/telephonie/appels/`, a JSON body `{"station": "<code>", "number":
"<caller's number>", "call_id": "<the switch's id>"}` signed with the secret shared with the
telephony system (`settings.PARCOURS_TELEPHONY_SECRET`):

    X-Parcours-Signature: t=<unix timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">

A missing or wrong signature, a timestamp more than five minutes away from now, no secret
configured, an unknown or inactive station are refused (401, or 404 for the station) and logged — never with the number. An accepted
event stores a `ScreenPop` (201); the same `call_id` at the same station again is answered with
the first pop (the switch may retry). The operator's screen polls `pending_pop(station)`
(`views_contacts.incoming_call`) and marks the pop shown. Protocol and client: docs/telephony.md,
scripts/telephony_client.py.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import re
import time

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import APIKeyHeader
from pydantic import Field

from parcours.reception.models import ScreenPop, Station

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Parcours-Signature"
TOLERANCE_SECONDS = 5 * 60
# A call the operator has not seen within this delay is over: it no longer pops.
POP_LIFETIME = datetime.timedelta(minutes=10)

UNSIGNED = (
    "Signature absente ou illisible : envoyez l'en-tête « X-Parcours-Signature: t=<horodatage>,v1=<hex> »."
)
BAD_SIGNATURE = "Signature invalide : vérifiez le secret partagé et signez « <horodatage>.<corps brut> »."
STALE = "Horodatage refusé : il doit être à moins de cinq minutes de l'heure du serveur (vérifiez l'horloge)."
NOT_CONFIGURED = "La téléphonie n'est pas configurée (PARCOURS_TELEPHONY_SECRET est vide)."
UNKNOWN_STATION = "Poste inconnu ou inactif : vérifiez le code du poste déclaré dans Parcours."


class TelephonyRefused(Exception):
    """A refused telephony event: `status` (HTTP), `message` (French, for the caller), `reason`
    (a short code for the log)."""

    def __init__(self, status: int, message: str, reason: str):
        super().__init__(message)
        self.status, self.message, self.reason = status, message, reason


def signature(body: bytes, secret: str, timestamp: int) -> str:
    """The header value signing `body` at `timestamp` (what the telephony system sends)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(body: bytes, header: str | None, *, secret: str, now: float | None = None) -> int:
    """Check the signature `header` of `body`; return its timestamp, or raise TelephonyRefused."""
    if not secret:
        raise TelephonyRefused(401, NOT_CONFIGURED, "secret_non_configure")
    parts = dict(part.strip().partition("=")[::2] for part in (header or "").split(",") if "=" in part)
    if not re.fullmatch(r"\d{1,12}", parts.get("t", "")) or "v1" not in parts:
        raise TelephonyRefused(401, UNSIGNED, "signature_absente")
    timestamp, given = int(parts["t"]), parts["v1"]
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_SECONDS:
        raise TelephonyRefused(401, STALE, "horodatage_hors_delai")
    expected = signature(body, secret, timestamp).partition("v1=")[2]
    if not hmac.compare_digest(expected, given):
        raise TelephonyRefused(401, BAD_SIGNATURE, "signature_invalide")
    return timestamp


def receive_call(*, station_code: str, number: str, call_id: str = "") -> ScreenPop:
    """Store the screen pop of an incoming call at the active station `station_code`
    (TelephonyRefused 404 otherwise); the same `call_id` at that station gives the first pop."""
    station = Station.objects.filter(code=station_code, active=True).first()
    if station is None:
        raise TelephonyRefused(404, UNKNOWN_STATION, "poste_inconnu_ou_inactif")
    if call_id:
        existing = ScreenPop.objects.filter(station=station, call_id=call_id).first()
        if existing is not None:
            return existing
    return ScreenPop.objects.create(station=station, phone=number, call_id=call_id)


def pending_pop(station_id: int, *, at: datetime.datetime | None = None) -> ScreenPop | None:
    """The newest incoming call at the station that no screen showed yet (and still recent)."""
    at = at or timezone.now()
    return (
        ScreenPop.objects.filter(
            station_id=station_id, shown_at__isnull=True, received_at__gte=at - POP_LIFETIME
        )
        .order_by("-received_at", "-pk")
        .first()
    )


def mark_shown(pop: ScreenPop) -> None:
    """Record that a screen showed the pop (it pops once); done by a conditional UPDATE so two
    screens polling at once pop it once."""
    ScreenPop.objects.filter(pk=pop.pk, shown_at__isnull=True).update(shown_at=timezone.now())


def _loggable_station(code: str) -> str:
    """The station's code as logged: a code of the slug form with few digits; anything else
    (a number typed in the wrong field) is not written."""
    if re.fullmatch(r"[-\w]{1,40}", code or "") and sum(ch.isdigit() for ch in code) < 6:
        return code
    return "?"


def _log_refusal(refusal: TelephonyRefused, station_code: str = "") -> None:
    # Never the number: the station's code and the reason only.
    logger.warning(
        "Événement de téléphonie refusé (%s) : %s, poste « %s ».",
        refusal.status,
        refusal.reason,
        _loggable_station(station_code),
    )


class TelephonySignature(APIKeyHeader):
    """The API authentication of the telephony system: the HMAC signature of the body."""

    param_name = SIGNATURE_HEADER

    def authenticate(self, request: HttpRequest, key: str | None) -> str:
        try:
            verify(request.body, key, secret=settings.PARCOURS_TELEPHONY_SECRET)
        except TelephonyRefused as refusal:
            _log_refusal(refusal)
            raise HttpError(refusal.status, refusal.message) from None
        return "telephonie"


class CallIn(Schema):
    station: str = Field(max_length=40, description="Code du poste (déclaré dans Parcours).")
    number: str = Field(max_length=20, description="Numéro de l'appelant, sous toute forme.")
    call_id: str = Field("", max_length=100, description="Identifiant de l'appel chez l'opérateur.")


class PopOut(Schema):
    id: int
    station: str
    received_at: datetime.datetime


router = Router(auth=TelephonySignature(), tags=["Téléphonie"])


@router.post("/appels/", response={201: PopOut}, summary="Signaler un appel entrant à un poste")
def incoming_call(request: HttpRequest, payload: CallIn):
    """Signed by the telephony system (en-tête `X-Parcours-Signature`, voir docs/telephony.md):
    ouvre la fiche de l'appelant sur l'écran du poste."""
    try:
        pop = receive_call(station_code=payload.station, number=payload.number, call_id=payload.call_id)
    except TelephonyRefused as refusal:
        _log_refusal(refusal, payload.station)
        raise HttpError(refusal.status, refusal.message) from None
    logger.info("Appel entrant signalé au poste « %s » (écran n° %s).", payload.station, pop.pk)
    return Status(201, {"id": pop.pk, "station": payload.station, "received_at": pop.received_at})
