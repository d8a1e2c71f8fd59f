"""`/api/v1/rsa/`: a person's RSA right and rights history, through the one access rule."""

import datetime

from ninja import Router, Schema

from parcours.core.access import get_person_for
from parcours.rsa.rights import current_right, rights_history, subject_to_duties

router = Router(tags=["RSA"])


class RightOut(Schema):
    etat: str
    libelle_etat: str
    numero_demande: str
    date_demande: datetime.date | None
    date_ouverture: datetime.date | None
    date_suspension: datetime.date | None
    motif_suspension: str
    date_cloture: datetime.date | None
    motif_cloture: str
    soumis_droits_devoirs: bool | None
    date_reference_flux: datetime.date


class EventOut(Schema):
    nature: str
    date: datetime.datetime
    donnees: dict


class PersonRightsOut(Schema):
    droit: RightOut | None
    historique: list[EventOut]


@router.get("/personnes/{person_id}/droits", response=PersonRightsOut, summary="Droit RSA d'une personne")
def person_rights(request, person_id: int):
    person = get_person_for(request.auth, person_id, request=request)
    right = current_right(person)
    out = None
    if right is not None:
        out = RightOut(
            etat=right.state,
            libelle_etat=right.get_state_display(),
            numero_demande=right.request_number,
            date_demande=right.requested_on,
            date_ouverture=right.opened_on,
            date_suspension=right.suspended_on,
            motif_suspension=right.suspension_reason_label,
            date_cloture=right.closed_on,
            motif_cloture=right.closure_reason_label,
            soumis_droits_devoirs=subject_to_duties(person, right),
            date_reference_flux=right.reference_date,
        )
    history = [EventOut(nature=e.kind, date=e.occurred_at, donnees=e.data) for e in rights_history(person)]
    return PersonRightsOut(droit=out, historique=history)
