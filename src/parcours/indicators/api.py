"""The indicators in the agents' API (`/api/v1/indicateurs/`): the same figures and keys as
`parcours stats` (docs/indicators.md). Managers get their units, administrators any unit or the
whole département; other roles are refused (403)."""

import datetime

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema
from ninja.errors import AuthorizationError, HttpError

from parcours.indicators import scope
from parcours.indicators.stats import compute

router = Router(tags=["Indicateurs"])


class Period(Schema):
    du: datetime.date = Field(..., description="Premier jour (AAAA-MM-JJ).")
    au: datetime.date = Field(..., description="Dernier jour (AAAA-MM-JJ).")
    unite: str = Field(
        "", max_length=20, description="Code de l'unité territoriale (vide : tout le périmètre)."
    )


@router.get(
    "/",
    summary="Tous les indicateurs d'une période",
    description=(
        "Tous les indicateurs du `du` au `au` (jours de Paris, bornes incluses), pour une unité "
        "(`unite`, son code) ou tout le périmètre de l'agent. Clés documentées dans docs/indicators.md."
    ),
)
def indicators(request, period: Query[Period]):
    try:
        chosen = scope.resolve(request.user, period.unite)
    except PermissionDenied:
        raise AuthorizationError()
    if period.au < period.du:
        raise HttpError(422, "La fin de la période précède son début.")
    return compute(period.du, period.au, unit_ids=chosen.unit_ids, unit_label=chosen.label)
