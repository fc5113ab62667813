"""The dashboard: one web page over the API (map, timeline, filters, cases queue, what-if panel),
served by `truce serve` at /dashboard. Its routes are in truce.dashboard.router (included by the
API's app factory), the JSON it needs beyond the API in truce.dashboard.data, the page itself in
static/, and serve_demo ends `make demo`. See docs/dashboard.md.

Nothing is imported here at package level: the API's app factory imports truce.dashboard.router,
and truce.dashboard.serve imports the API, so importing either must not pull in the other."""

from __future__ import annotations

from pathlib import Path

__all__ = ["serve_demo"]


def serve_demo(out_dir: Path, tokens: dict[str, str] | None = None, **options: object) -> str:
    """See truce.dashboard.serve.serve_demo."""
    from truce.dashboard.serve import serve_demo as serve

    return serve(out_dir, tokens, **options)
