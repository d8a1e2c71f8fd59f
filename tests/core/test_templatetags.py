from parcours.core.templatetags.parcours_tags import nir_display


def test_nir_is_grouped_like_on_a_carte_vitale():
    assert nir_display("285055935012345") == "2 85 05 59 350 123 45"
    assert nir_display("2850559350123") == "2 85 05 59 350 123"
    assert nir_display("2A") == "2A"
    assert nir_display("") == ""
