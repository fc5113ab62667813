"""Serving the dashboard: the end of `make demo` (serve_demo) and finding a free port for it."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

__all__ = ["DASHBOARD_PATH", "dashboard_url", "free_port", "serve_demo"]

DASHBOARD_PATH = "/dashboard"


def free_port(host: str = "127.0.0.1", preferred: int = 8000) -> int:
    """`preferred` if nothing listens there, else a port the OS picks."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise OSError(f"no free TCP port on {host}")


def dashboard_url(host: str, port: int) -> str:
    return f"http://{host}:{port}{DASHBOARD_PATH}"


def serve_demo(
    out_dir: Path,
    tokens: dict[str, str] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    interactive: bool | None = None,
) -> str:
    """Print the dashboard's URL and a sign-in token per role, then serve the demo workspace until
    Ctrl-C. Without a terminal (stdin is not a TTY: CI, a pipe) it prints the same and returns at
    once instead of blocking. `tokens` are create_demo_users' (made here if not given). Returns
    the URL."""
    import uvicorn

    from truce.api import create_app, create_demo_users
    from truce.cli.output import console, print_table
    from truce.dashboard.data import warm_what_if
    from truce.store import open_workspace

    workspace = open_workspace(str(Path(out_dir) / "truce.db"))
    tokens = tokens if tokens is not None else create_demo_users(workspace)
    interactive = sys.stdin.isatty() if interactive is None else interactive
    port = free_port(host, port) if interactive else port
    url = dashboard_url(host, port)
    print_table(
        "dashboard sign-in tokens (paste one into Sign in; without one you see the public record)",
        ["role", "token"],
        sorted(tokens.items()),
    )
    if not interactive:
        console.print(
            f"dashboard: {url}  (no terminal, so not serving now; "
            f"run `truce --db {Path(out_dir) / 'truce.db'} serve` and open it)"
        )
        return url
    app = create_app(workspace, warm=True)
    warm_what_if(app.state.truce)
    console.print(f"[bold]dashboard: {url}[/bold]  (Ctrl-C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return url
