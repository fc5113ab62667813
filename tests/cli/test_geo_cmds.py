import json
from pathlib import Path

CONTROL = Path(__file__).parents[2] / "src" / "truce" / "data" / "geo" / "control"


def test_import_control_is_idempotent(cli):
    cli("init")
    files = [
        str(CONTROL / "deepstatemap_data_20260101.geojson"),
        str(CONTROL / "deepstatemap_data_20260102.geojson"),
    ]
    status, out, _ = cli("geo", "import-control", *files, "--json")
    first = json.loads(out)
    assert status == 0 and [r["changed"] for r in first] == [True, True]
    assert 116_000 < first[0]["area_km2"] < 116_500
    _, out, _ = cli("geo", "import-control", *files, "--json")
    assert [r["changed"] for r in json.loads(out)] == [False, False]


def test_a_file_without_a_date_needs_one(cli, tmp_path):
    cli("init")
    plain = tmp_path / "area.geojson"
    plain.write_text(
        json.dumps(
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[37, 48], [37.1, 48], [37.1, 48.1], [37, 48]]],
                },
            }
        )
    )
    status, _, err = cli("geo", "import-control", str(plain))
    assert status == 2 and str(plain) in err and "date" in err
    status, out, _ = cli("geo", "import-control", str(plain), "--date", "2026-01-05", "--json")
    assert status == 0 and json.loads(out)[0]["date"] == "2026-01-05"


def test_the_210_km2_claim_against_the_snapshots(cli):
    """Russia claimed "over 210 square kilometers ... in the Dnipropetrovsk and Zaporizhzhia regions
    since early December" (28 Dec 2025). DeepStateMap shows about 81 km² there from 1 to 28 December."""
    cli("init")
    status, out, _ = cli("territory", "--from", "2025-12-01", "--to", "2025-12-28", "--json")
    assert status == 0
    rows = {(r["oblast"], r["party"]): r for r in json.loads(out)["by_oblast"]}
    gained = (
        rows[("Dnipropetrovsk Oblast", "RU")]["gained_km2"]
        + rows[("Zaporizhzhia Oblast", "RU")]["gained_km2"]
    )
    assert 80 < gained < 83
    assert (
        rows[("Zaporizhzhia Oblast", "UA")]["lost_km2"] == rows[("Zaporizhzhia Oblast", "RU")]["gained_km2"]
    )


def test_territory_rejects_a_bad_date(cli):
    cli("init")
    status, _, err = cli("territory", "--from", "December", "--to", "2025-12-28")
    assert status == 2 and "--from" in err
