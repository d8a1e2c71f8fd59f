"""The directory's models: structures and services (`services.py`); orientations (`orientations.py`, D3)."""

from parcours.directory.models.orientations import (  # noqa: F401, E402
    MobilityDiagnosis,
    ServiceOrientation,
    ServiceOrientationEvent,
)
from parcours.directory.models.services import (  # noqa: F401
    CATEGORY_OF_THEMATIQUE,
    Category,
    Service,
    ServiceQuerySet,
    Structure,
    categories_of,
)
