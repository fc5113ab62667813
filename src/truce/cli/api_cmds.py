"""`truce serve` (the HTTP API on uvicorn) and `truce user add|token|revoke|list` (its accounts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from truce.cli.known import known_guarantors, known_parties
from truce.cli.main import app, state
from truce.cli.output import console, err_console, one_of, print_json, print_table
from truce.errors import UserError
from truce.store import open_workspace
from truce.store.workspace import check_private

if TYPE_CHECKING:
    from truce.api import ApiSettings

__all__ = ["serve", "uvicorn_options", "user_add", "user_list", "user_revoke", "user_token"]

WORKER_HEALTHCHECK_SECONDS = 30

user_app = typer.Typer(help="API users and their tokens (tokens are shown once).", no_args_is_help=True)
app.add_typer(user_app, name="user")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    rate: float = typer.Option(None, "--rate", help="Requests per second per token (default 20)."),
    burst: int = typer.Option(None, "--burst", help="Burst size of the rate limit (default 60)."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn's log level."),
    warm: bool = typer.Option(True, "--warm/--no-warm", help="Draw zones and contact lines at start."),
    workers: int = typer.Option(
        1, "--workers", min=1, max=64, help="Worker processes (more than one needs a PostgreSQL workspace)."
    ),
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) and OGC API – Features (/ogc) on the workspace."""
    import os

    import uvicorn

    from truce.api import ApiSettings, create_app

    workspace = open_workspace(state["db"])
    check_private(workspace)  # it holds protected allegations and webhook secrets
    if workers > 1 and not workspace.is_postgres:
        raise UserError(
            "--workers", None, "several workers need a PostgreSQL workspace (SQLite has one writer at a time)"
        )
    settings = ApiSettings.from_env(rate_per_second=rate, rate_burst=burst)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(
            f"[yellow]listening on {host}: put TLS in front of it (tokens are bearer secrets)[/]"
        )
    console.print(f"truce API on http://{host}:{port}/docs  (workspace {workspace.display_url})")
    options = {"host": host, "port": port, "log_level": log_level, "access_log": log_level == "debug"}
    options |= uvicorn_options(settings)
    if workers == 1:
        uvicorn.run(create_app(workspace, settings, warm=warm), **options)
        return
    # Each worker builds its own app from the environment (uvicorn starts them as new processes).
    workspace.engine.dispose()
    os.environ.update(
        {
            "TRUCE_DB": workspace.url,
            "TRUCE_HOME": str(workspace.directory),
            "TRUCE_API_RATE_PER_SECOND": str(settings.rate_per_second),
            "TRUCE_API_RATE_BURST": str(settings.rate_burst),
            "TRUCE_API_WARM": "1" if warm else "0",
        }
    )
    # uvicorn replaces a worker that does not answer its health check in time: on a loaded machine
    # 5 s is too short (a busy worker is not a hung one).
    options["timeout_worker_healthcheck"] = WORKER_HEALTHCHECK_SECONDS
    uvicorn.run("truce.api.app:app_from_environment", factory=True, workers=workers, **options)


def uvicorn_options(settings: ApiSettings) -> dict:
    """How uvicorn treats clients: X-Forwarded-For is believed only from the configured proxies
    (uvicorn's default trusts loopback, so any local client could choose its rate-limit key), idle
    keep-alive connections are dropped after 5 s, and past max_connections new work gets 503."""
    trusted = settings.trusted_proxies.strip()
    return {
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or "",
        "timeout_keep_alive": 5,
        "limit_concurrency": settings.max_connections,
    }


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="A short user name."),
    role: str = typer.Option(
        ..., "--role", help="admin, monitor, analyst, party_liaison, guarantor or public."
    ),
    party: str = typer.Option(
        None, "--party", help="The party (liaison) or guarantor (guarantor) they act for."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the user as JSON."),
) -> None:
    """Create a user (without a token: make one with `truce user token NAME`)."""
    from truce.api.users import add_user

    workspace = open_workspace(state["db"])
    if party is not None:
        known = known_guarantors(workspace) if role == "guarantor" else known_parties(workspace)
        if known:
            one_of("--party", party, known)
    user = add_user(workspace, name, role, party)
    if as_json:
        print_json(user)
    else:
        console.print(
            f"user {user['name']} ({user['role']}{', ' + user['party'] if user['party'] else ''}) added"
        )


@user_app.command("token")
def user_token(
    name: str = typer.Argument(..., help="The user to make a token for."),
    as_json: bool = typer.Option(False, "--json", help="Print {id, token} as JSON."),
) -> None:
    """Make a new API token for a user and print it, once: only its SHA-256 is kept."""
    from truce.api.users import issue_token

    token_id, token = issue_token(open_workspace(state["db"]), name)
    if as_json:
        print_json({"id": token_id, "user": name, "token": token})
        return
    err_console.print(f"token {token_id} for {name}; it is shown only now:")
    typer.echo(token)


@user_app.command("revoke")
def user_revoke(
    target: str = typer.Argument(..., help="A user name (all its tokens) or a token id (tok-…)."),
) -> None:
    """Revoke one token, or a user and all of its tokens."""
    from truce.api.users import revoke

    count = revoke(open_workspace(state["db"]), target)
    console.print(f"revoked {count} token{'s' if count != 1 else ''} ({target})")


@user_app.command("list")
def user_list(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Users, roles and token ids (never the tokens)."""
    from truce.api.users import list_users

    users = list_users(open_workspace(state["db"]))
    if as_json:
        print_json(users)
        return
    print_table(
        "API users",
        ["name", "role", "party", "active tokens", "disabled"],
        (
            [
                u["name"],
                u["role"],
                u["party"],
                ", ".join(t["id"] for t in u["tokens"] if not t["revoked_at"]),
                u["disabled_at"] or "",
            ]
            for u in users
        ),
    )
