from ninja import Router, Schema

from parcours.territory.models import Commune

router = Router(tags=["territoire"])


class CommuneOut(Schema):
    insee_code: str
    name: str
    postal_codes: str
    population: int


@router.get("/communes/{insee_code}", response=CommuneOut)
def commune(request, insee_code: str):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Commune, insee_code=insee_code)
