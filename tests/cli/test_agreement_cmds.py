import json


def test_check_show_and_schema(cli):
    status, out, _ = cli("agreement", "check", "ukraine-framework-2025", db=None)
    assert status == 0 and "ukraine-framework-2025" in out
    status, out, _ = cli("agreement", "show", "minsk-2015", "--json", db=None)
    kinds = {p["kind"] for p in json.loads(out)["provisions"]}
    assert status == 0 and "zone_exclusion" in kinds
    status, out, _ = cli("agreement", "schema", db=None)
    assert status == 0 and json.loads(out)["$schema"].endswith("2020-12/schema")


def test_a_bad_terms_file_is_one_line_with_its_line_number(cli, tmp_path):
    text = tmp_path / "x.yaml"
    from pathlib import Path

    source = Path(__file__).parents[2] / "docs" / "examples" / "bad-agreement.yaml"
    text.write_text(source.read_text())
    status, _, err = cli("agreement", "check", str(text), db=None)
    assert status == 2
    assert (
        err.strip()
        == f"{text}:22: provisions[0].sides.UA[0].distance_km: expected a positive number, got 'forty'"
    )


def test_diff_of_two_widths(cli, tmp_path):
    from truce.agreement.bundled import bundled_agreement_path

    base = bundled_agreement_path("ukraine-framework-2025").read_text()
    wide = tmp_path / "wide.yaml"
    wide.write_text(base.replace("    value: 10\n", "    value: 40\n", 1))
    status, out, _ = cli("agreement", "diff", "ukraine-framework-2025", str(wide), "--json", db=None)
    changes = json.loads(out)
    assert status == 0 and len(changes) == 1
    assert changes[0]["path"].startswith("parameters.fez_width_km") and changes[0]["after"] == 40


def test_zones_as_geojson_grow_with_the_width(cli, tmp_path):
    areas = {}
    for width in ("5", "40"):
        out_file = tmp_path / f"z{width}.geojson"
        status, _, _ = cli(
            "agreement",
            "zones",
            "ukraine-framework-2025",
            "--what-if",
            f"fez_width_km={width}",
            "--output",
            str(out_file),
            db=None,
        )
        assert status == 0
        features = json.loads(out_file.read_text())["features"]
        areas[width] = {f["id"]: f["properties"]["area_km2"] for f in features}
        assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in features)
    belt = [k for k in areas["5"] if k.startswith("fez-pullback-ua")]
    assert belt and areas["40"][belt[0].replace("5km", "40km")] > 3 * areas["5"][belt[0]]


def test_a_what_if_outside_the_choices_is_refused(cli):
    status, _, err = cli(
        "agreement", "zones", "ukraine-framework-2025", "--what-if", "fez_width_km=400", db=None
    )
    assert status == 2 and "fez_width_km" in err
