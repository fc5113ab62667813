"""A throw-away PostgreSQL cluster for tests and benchmarks: initdb + pg_ctl in a temporary
directory, listening on a free loopback port, as an unprivileged user when run as root (PostgreSQL
refuses to run as root). Nothing outside the directory is touched; `stop()` removes it all."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

__all__ = ["ClusterUnavailable", "LocalCluster", "postgres_bindir"]

UNPRIVILEGED_UID = 65534  # `nobody` on Debian; PostgreSQL will not run as root
SUPERUSER = "truce"


class ClusterUnavailable(RuntimeError):
    """PostgreSQL's server programs (or PostGIS) are not installed here."""


def postgres_bindir() -> Path:
    """Where initdb and pg_ctl are: $TRUCE_PG_BINDIR, Debian's newest /usr/lib/postgresql/N/bin, or PATH."""
    if os.environ.get("TRUCE_PG_BINDIR"):
        return Path(os.environ["TRUCE_PG_BINDIR"])
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if debian:
        return debian[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise ClusterUnavailable("PostgreSQL's initdb is not installed (apt-get install postgresql-15)")


def _postgis_installed(bindir: Path) -> bool:
    share = (
        subprocess.run(
            [str(bindir / "pg_config"), "--sharedir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        or f"/usr/share/postgresql/{bindir.parent.name}"
    )
    return any(Path(share, "extension").glob("postgis.control"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalCluster:
    """with LocalCluster() as cluster: engine = create_engine(cluster.url("db"))

    durable=False turns off fsync and synchronous commit (fast tests); a fault benchmark that kills
    the server wants durable=True, where an acknowledged commit is on disk."""

    def __init__(self, *, durable: bool = False, require_postgis: bool = True) -> None:
        self.bindir = postgres_bindir()
        if require_postgis and not _postgis_installed(self.bindir):
            raise ClusterUnavailable("PostGIS is not installed (apt-get install postgresql-15-postgis-3)")
        self.durable = durable
        # As root the server runs as `nobody`, who must reach the folder: /tmp, whatever $TMPDIR says.
        as_root = os.geteuid() == 0
        self.directory = Path(tempfile.mkdtemp(prefix="truce-pg-", dir="/tmp" if as_root else None))
        self.data = self.directory / "data"
        self.port = 0
        self._as_user: list[str] = []
        if as_root:
            os.chown(self.directory, UNPRIVILEGED_UID, UNPRIVILEGED_UID)
            self._as_user = [
                "setpriv",
                f"--reuid={UNPRIVILEGED_UID}",
                f"--regid={UNPRIVILEGED_UID}",
                "--clear-groups",
            ]

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [*self._as_user, *args]
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=self.directory)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done

    def _options(self) -> str:
        options = [
            f"-p {self.port}",
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.directory}",
            "-c max_connections=200",
        ]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        return " ".join(options)

    def start(self) -> LocalCluster:
        if not self.data.exists():
            self._run(
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            )
        for _attempt in range(5):  # the free port may be taken between probing and binding
            self.port = self.port or _free_port()  # started again after stop(): the same port
            try:
                self._pg_ctl(
                    "start", "-w", "-t", "60", "-o", self._options(), "-l", str(self.directory / "log")
                )
                return self
            except RuntimeError:
                self.port = 0
                time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL did not start; see {self.directory / 'log'}")

    def _pg_ctl(self, *args: str) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), *args)

    def restart(self, mode: str = "immediate") -> None:
        """Restart the server; mode "immediate" is a crash as far as the data is concerned."""
        # -l: the new server must not inherit pg_ctl's output pipes (the caller would wait on them forever)
        self._pg_ctl(
            "restart", "-w", "-t", "60", "-m", mode, "-o", self._options(), "-l", str(self.directory / "log")
        )

    def crash(self) -> None:
        """Stop the server at once, as a crash would (pg_ctl stop -m immediate); start() brings it
        back on the same port, recovering from its write-ahead log."""
        self._pg_ctl("stop", "-w", "-t", "60", "-m", "immediate")

    def stop(self) -> None:
        if self.data.exists():
            try:
                self._pg_ctl("stop", "-w", "-t", "30", "-m", "fast")
            except RuntimeError:
                pass  # never started, or already gone
        shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """One statement outside a transaction, in the maintenance database."""
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, name: str, template: str | None = None) -> str:
        """CREATE DATABASE name [TEMPLATE template]; returns its URL."""
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def dump(self, database: str, *, custom_format: bool = False) -> bytes:
        """pg_dump of one database (plain SQL, or the custom format pg_restore reads)."""
        command = [str(self.bindir / "pg_dump"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER]
        command += ["-Fc"] if custom_format else []
        done = subprocess.run([*command, database], capture_output=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"pg_dump failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
