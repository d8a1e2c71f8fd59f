import datetime

from parcours.rsa.synthetic import SyntheticDossier, SyntheticPerson, synthetic_nir


def person(n: int = 0, **overrides) -> SyntheticPerson:
    born = overrides.pop("birth_date", datetime.date(1985, 1 + n % 12, 1 + n % 28))
    sex = overrides.pop("sex", "2" if n % 2 == 0 else "1")
    values = {
        "last_name": f"Dupont{chr(65 + n % 26)}",
        "first_name": "Marie" if sex == "2" else "Jean",
        "birth_date": born,
        "sex": sex,
        "nir": synthetic_nir(sex, born, 500_000 + n),
        "attached_on": datetime.date(2024, 1, 1),
    }
    values.update(overrides)
    return SyntheticPerson(**values)


def dossier(n: int = 0, persons=None, **overrides) -> SyntheticDossier:
    values = {
        "matricule": 7_000_000 + n,
        "numdemrsa": f"{59_100_000_000 + n:011d}",
        "persons": persons if persons is not None else [person(n)],
        "requested_on": datetime.date(2024, 1, 15),
        "opened_on": datetime.date(2024, 1, 1),
    }
    values.update(overrides)
    return SyntheticDossier(**values)
