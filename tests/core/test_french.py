from parcours.core.french import plural


def test_french_plural_counts_zero_and_one_as_singular():
    assert plural(0, "jour") == "0 jour"
    assert plural(1, "an") == "1 an"
    assert plural(3, "an") == "3 ans"
    assert plural(2, "offre expirée", "offres expirées") == "2 offres expirées"
