from ninja import Router, Schema

from parcours.core.access import get_person_for

router = Router(tags=["personnes"])


class PersonOut(Schema):
    id: int
    last_name: str
    first_names: str


@router.get("/{person_id}", response=PersonOut)
def person(request, person_id: int):
    return get_person_for(request.auth, person_id, request=request)
