"""QGIS (PyQGIS, the OAPIF provider) against a live `truce serve`: every collection as a layer, its
columns and their types, every feature with a page size of 5000, a world-sized request extent, and
a token sent as an HTTP Basic password. Not a CI test: Debian's QGIS is large
(`apt-get install qgis python3-qgis`).

    python bench/qgis_oapif.py                  # builds the demo, serves it, runs the QGIS client
    python bench/qgis_oapif.py --db PATH        # an existing workspace instead of the demo

The client half runs under Debian's python3 (which has the qgis module), headless
(QT_QPA_PLATFORM=offscreen). Timings are printed beside a baseline measured in the same run: the
same items fetched and parsed with httpx."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
COLLECTIONS = ("zones", "contact-line", "incidents", "findings")


def client(base: str, token: str | None) -> dict:
    """Runs under Debian's python3: open each collection with QGIS's OAPIF provider."""
    from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsFeatureRequest, QgsRectangle, QgsVectorLayer

    app = QgsApplication([], False)
    app.initQgis()
    out: dict = {"qgis": app.QGIS_VERSION if hasattr(app, "QGIS_VERSION") else None, "layers": {}}
    from qgis.core import Qgis

    out["qgis"] = Qgis.version()
    for name in COLLECTIONS:
        started = time.perf_counter()
        layer = QgsVectorLayer(f"url='{base}/ogc' typename='{name}' pageSize='5000'", name, "OAPIF")
        entry: dict = {"valid": layer.isValid()}
        if layer.isValid():
            fields = layer.fields()
            features = list(layer.getFeatures())
            entry.update(
                geometry=layer.wkbType().name if hasattr(layer.wkbType(), "name") else int(layer.wkbType()),
                features=len(features),
                columns={f.name(): f.typeName() for f in fields},
                non_null={f.name(): sum(1 for ft in features if _present(ft[f.name()])) for f in fields},
                seconds=round(time.perf_counter() - started, 3),
            )
            world = QgsFeatureRequest().setFilterRect(QgsRectangle(-180, -90, 180, 90))
            entry["world_extent_features"] = sum(1 for _ in layer.getFeatures(world))
        else:
            entry["error"] = layer.error().summary() if layer.error() else ""
        out["layers"][name] = entry
    if token:
        manager = app.authManager()
        manager.setMasterPassword("bench-master-password", True)
        config = QgsAuthMethodConfig("Basic")
        config.setName("truce token")
        config.setConfig("username", "qgis")
        config.setConfig("password", token)
        manager.storeAuthenticationConfig(config)
        layer = QgsVectorLayer(
            f"url='{base}/ogc' typename='incidents' pageSize='5000' authcfg='{config.id()}'", "mine", "OAPIF"
        )
        valid = layer.isValid()
        out["basic_auth_incidents"] = layer.featureCount() if valid else f"invalid: {layer.error().summary()}"
    app.exitQgis()
    return out


def _present(value: object) -> bool:
    return value is not None and str(value) != "NULL"  # QGIS gives NULL as a QVariant


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _baseline(base: str) -> dict[str, float]:
    import httpx

    seconds = {}
    for name in COLLECTIONS:
        started = time.perf_counter()
        url: str | None = f"{base}/ogc/collections/{name}/items?limit=5000"
        while url:
            page = httpx.get(url, timeout=120).json()
            url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
        seconds[name] = round(time.perf_counter() - started, 3)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a workspace (default: build the demo in a temporary folder)")
    parser.add_argument("--client", help=argparse.SUPPRESS)  # the QGIS half: the base URL
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(client(args.client, args.token)))
        return

    from truce.api import create_demo_users
    from truce.demo import build_demo
    from truce.store import open_workspace

    folder = Path(tempfile.mkdtemp(prefix="truce-qgis-"))
    db = Path(args.db) if args.db else folder / "truce.db"
    if not args.db:
        build_demo(folder).engine.dispose()
    token = create_demo_users(open_workspace(str(db)))["party_liaison:UA"]
    for path in db.parent.glob(db.name + "*"):
        path.chmod(0o600)  # serve refuses a store others can read
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TRUCE_DB": str(db), "TRUCE_API_RATE_PER_SECOND": "100000"}
    server = subprocess.Popen(
        [sys.executable, "-c", "from truce.cli.main import run; run()", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        import httpx

        for _ in range(300):
            try:
                httpx.get(f"{base}/ogc", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        baseline = _baseline(base)
        qgis_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": ""}
        done = subprocess.run(
            [SYSTEM_PYTHON, __file__, "--client", base, "--token", token],
            env=qgis_env, capture_output=True, text=True, timeout=1200,
        )
        if done.returncode != 0:
            print(done.stderr[-3000:])
            raise SystemExit("the QGIS client failed (is python3-qgis installed?)")
        result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"QGIS {result['qgis']} (OAPIF provider) against truce serve on {base}")
    for name, layer in result["layers"].items():
        if not layer["valid"]:
            print(f"  {name}: INVALID LAYER {layer.get('error', '')}")
            continue
        empty = [c for c, n in layer["non_null"].items() if n == 0]
        first = ", ".join(f"{c}:{t}" for c, t in list(layer["columns"].items())[:6])
        ratio = layer["seconds"] / max(baseline[name], 1e-3)
        print(
            f"  {name}: {layer['features']} features, geometry {layer['geometry']}, "
            f"{len(layer['columns'])} columns ({first} …), world extent {layer['world_extent_features']}, "
            f"all-null columns {len(empty)}; {layer['seconds']} s vs httpx {baseline[name]} s "
            f"(ratio {ratio:.1f})"
        )
        measured = {c: t for c, t in layer["columns"].items() if c.startswith("measured_")}
        if measured:
            print(f"    measured columns: {measured}")
    print(f"  incidents with a liaison token as the Basic password: {result.get('basic_auth_incidents')}")


if __name__ == "__main__":
    main()
