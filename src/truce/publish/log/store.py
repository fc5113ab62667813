"""The log on a database: append entries, sign checkpoints, serve proofs, audit the stored tree."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, TextClause, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from truce.errors import UserError
from truce.publish.log.bundle import write_bundle
from truce.publish.log.entries import EntryError, Leaf, canonical_entry, parse_entry
from truce.publish.log.merkle import (
    CompactRange,
    NodeId,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_at,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from truce.publish.log.note import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    parse_checkpoint,
    parse_note,
    sign_note,
)
from truce.publish.log.tables import LOWEST_STORED_LEVEL, log_checkpoints, log_entries, log_nodes
from truce.store.locks import hold_for_transaction
from truce.store.records import gc_paused, insert_columns

__all__ = [
    "ConsistencyProof",
    "InclusionProof",
    "LogError",
    "LogForkError",
    "LogStore",
    "StoreProblem",
    "b64",
]

LOG_LOCK = "truce.log"  # appends and checkpoints, across processes
_ENTRY_COLUMNS = ("seq", "entry_id", "kind", "leaf_hash", "body", "appended_at")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class LogError(UserError):
    """The log refuses an operation, or its stored state does not add up."""


class LogForkError(LogError):
    """Two checkpoints of the same size with different roots."""


@dataclass(frozen=True)
class InclusionProof:
    entry_id: str
    index: int
    size: int
    leaf_hash: bytes
    hashes: list[bytes]
    root: bytes
    note: str | None = None  # the signed checkpoint of this size, if there is one

    def verify(self) -> None:
        verify_inclusion(self.index, self.size, self.leaf_hash, self.hashes, self.root)

    def to_json(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "index": self.index,
            "size": self.size,
            "leaf_hash": b64(self.leaf_hash),
            "proof": [b64(h) for h in self.hashes],
            "root": b64(self.root),
            "checkpoint": self.note,
        }


@dataclass(frozen=True)
class ConsistencyProof:
    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    hashes: list[bytes]

    def verify(self) -> None:
        verify_consistency(self.old_size, self.new_size, self.old_root, self.new_root, self.hashes)

    def to_json(self) -> dict[str, Any]:
        return {
            "old_size": self.old_size,
            "new_size": self.new_size,
            "old_root": b64(self.old_root),
            "new_root": b64(self.new_root),
            "proof": [b64(h) for h in self.hashes],
        }


@dataclass(frozen=True)
class StoreProblem:
    """The first place where the stored log stops matching itself or its checkpoints."""

    seq: int
    entry_id: str | None
    reason: str

    def __str__(self) -> str:
        who = f" ({self.entry_id})" if self.entry_id else ""
        return f"entry {self.seq}{who}: {self.reason}"


@dataclass(frozen=True)
class _Stored:
    id: int
    size: int
    root: bytes
    note: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@lru_cache(maxsize=128)
def _nodes_query(count: int) -> TextClause:
    # An OR of primary-key lookups: SQLite plans a row-value IN as a table scan, this as index seeks.
    # Plain SQL text, cached per size, because building the expression costs more than running it.
    terms = " OR ".join(f"(level = :l{i} AND idx = :i{i})" for i in range(count))
    return text(f"SELECT level, idx, hash FROM log_nodes WHERE {terms}")


def _read_nodes(conn: Connection, wanted: Sequence[NodeId]) -> dict[NodeId, bytes]:
    """The hashes of the `wanted` nodes that can be had: stored ones read, smaller ones derived."""
    stored = [node for node in wanted if node[0] >= LOWEST_STORED_LEVEL]
    found = _derived_nodes(conn, [node for node in wanted if node[0] < LOWEST_STORED_LEVEL])
    if stored:
        params = {}
        for i, (level, idx) in enumerate(stored):
            params[f"l{i}"], params[f"i{i}"] = level, idx
        rows = conn.execute(_nodes_query(len(stored)), params)
        found.update(((level, idx), bytes(h)) for level, idx, h in rows)
    return found


def _derived_nodes(conn: Connection, wanted: Sequence[NodeId]) -> dict[NodeId, bytes]:
    """Nodes below the lowest stored level, hashed from the leaf hashes of the entries they cover
    (a node whose entries are not all stored is left out, as a missing stored node would be)."""
    if not wanted:
        return {}
    leaves: dict[int, bytes] = {}
    for block in sorted({(idx << level) >> LOWEST_STORED_LEVEL for level, idx in wanted}):
        first = block << LOWEST_STORED_LEVEL
        query = select(log_entries.c.seq, log_entries.c.leaf_hash).where(
            (log_entries.c.seq >= first) & (log_entries.c.seq < first + (1 << LOWEST_STORED_LEVEL))
        )
        leaves.update((seq, bytes(h)) for seq, h in conn.execute(query))
    found = {}
    for level, idx in wanted:
        covered = [leaves.get(seq) for seq in range(idx << level, (idx + 1) << level)]
        if None not in covered:
            found[(level, idx)] = root_of(covered)
    return found


def _block_problem(stored: Any, idx: int, rebuilt: bytes) -> StoreProblem | None:  # noqa: ANN401 — a row
    """Whether the stored node over block `idx` (the next in order) is the one rebuilt from its entries."""
    first, last = idx << LOWEST_STORED_LEVEL, ((idx + 1) << LOWEST_STORED_LEVEL) - 1
    if stored is None or stored.idx != idx:
        return StoreProblem(first, None, f"the tree has no node over entries {first}..{last}")
    if stored.hash != rebuilt:
        # The block's leaves are not stored apart from the entries, so which of them moved is unknown.
        return StoreProblem(
            first,
            None,
            f"entries {first}..{last} are not the ones logged at these positions (one was replaced, "
            "moved or rewritten with its leaf hash)",
        )
    return None


class LogStore:
    """A tamper-evident log in the tables of `truce.publish.log.tables` (created by the migrations)."""

    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin
        self._where = engine.url.database or engine.url.render_as_string(hide_password=True)

    def _error(self, message: str, kind: type[LogError] = LogError) -> LogError:
        return kind(self._where, None, message)

    @contextmanager
    def _transaction(self, conn: Connection | None) -> Iterator[Connection]:
        # Inside the caller's transaction when given one (it commits or rolls back with the log),
        # else in a transaction of its own.
        if conn is not None:
            yield conn
            return
        with self.engine.begin() as own:
            yield own

    # --- reading ----------------------------------------------------------------------------------

    def _size(self, conn: Connection) -> int:
        last = conn.execute(select(func.max(log_entries.c.seq))).scalar()
        return 0 if last is None else last + 1

    def size(self, conn: Connection | None = None) -> int:
        if conn is not None:
            return self._size(conn)
        with self.engine.connect() as conn:
            return self._size(conn)

    def root(self, size: int | None = None) -> bytes:
        with self.engine.connect() as conn:
            return root_at(self._size(conn) if size is None else size, partial(_read_nodes, conn))

    def entry(self, entry_id: str) -> tuple[int, dict[str, Any]]:
        """(seq, entry) for an entry id."""
        with self.engine.connect() as conn:
            row = conn.execute(select(log_entries).where(log_entries.c.entry_id == entry_id)).first()
        if row is None:
            raise self._error(f"no log entry with id {entry_id!r}")
        try:
            return row.seq, parse_entry(row.body)
        except EntryError as error:
            raise self._error(f"stored entry {row.seq} is damaged: {error}; run verify") from None

    def _checkpoints(self, conn: Connection) -> list[_Stored]:
        rows = conn.execute(select(log_checkpoints).order_by(log_checkpoints.c.size, log_checkpoints.c.id))
        return [_Stored(r.id, r.size, r.root, r.note) for r in rows]

    def checkpoints(self) -> list[str]:
        """Every signed checkpoint note, oldest first."""
        with self.engine.connect() as conn:
            return [c.note for c in self._checkpoints(conn)]

    def latest_checkpoint(self) -> str | None:
        """The newest checkpoint note (the largest size signed), read fresh from the store."""
        newest = log_checkpoints.c.size.desc(), log_checkpoints.c.id.desc()
        with self.engine.connect() as conn:
            return conn.execute(select(log_checkpoints.c.note).order_by(*newest).limit(1)).scalar()

    def _check_forks(self, checkpoints: Sequence[_Stored]) -> None:
        first_of_size: dict[int, _Stored] = {}
        for c in checkpoints:
            seen = first_of_size.setdefault(c.size, c)
            if seen.root != c.root:
                raise self._error(
                    f"fork: checkpoints #{seen.id} and #{c.id} both sign size {c.size} with different "
                    f"roots {b64(seen.root)} and {b64(c.root)}",
                    LogForkError,
                )

    # --- writing ----------------------------------------------------------------------------------

    def append(self, entries: Iterable[Mapping[str, Any] | Leaf], conn: Connection | None = None) -> range:
        """Append entries in one transaction (the caller's `conn` if given); return their numbers.
        An entry is a mapping (serialised here) or a Leaf already in its canonical bytes."""
        with gc_paused():  # a batch is 10,000s of new objects and no cycles
            return self._append(entries, conn)

    def _append(self, entries: Iterable[Mapping[str, Any] | Leaf], conn: Connection | None) -> range:
        prepared = [entry if type(entry) is Leaf else self._leaf(entry) for entry in entries]
        ids, kinds, datas = ([entry[i] for entry in prepared] for i in range(3))  # Leaf's fields
        if len(set(ids)) < len(ids):
            twice = next(i for i, n in Counter(ids).items() if n > 1)
            raise self._error(f"entry id {twice!r} appears twice in one append")
        try:
            with self._transaction(conn) as conn:
                hold_for_transaction(conn, LOG_LOCK)  # appenders in other processes take turns
                start = self._size(conn)
                tree = CompactRange.load(start, partial(_read_nodes, conn))
                sha256 = hashlib.sha256
                leaves = [sha256(b"\x00" + data).digest() for data in datas]  # leaf_hash, inlined
                seqs, now = range(start, start + len(leaves)), [_now()] * len(leaves)
                columns = (seqs, ids, kinds, leaves, datas, now)
                insert_columns(conn, log_entries, dict(zip(_ENTRY_COLUMNS, columns, strict=True)))
                nodes = tree.extend(leaves, LOWEST_STORED_LEVEL)
                levels, idxs, hashes = ([node[i] for node in nodes] for i in range(3))
                insert_columns(conn, log_nodes, {"level": levels, "idx": idxs, "hash": hashes})
        except IntegrityError:
            raise self._error(self._duplicate_message(sorted(ids))) from None
        except ProofError as error:
            raise self._error(f"cannot append: {error}") from None
        return range(start, start + len(prepared))

    def _leaf(self, entry: Mapping[str, Any]) -> Leaf:
        try:
            data = canonical_entry(entry)  # checks the entry's shape first
        except EntryError as error:
            raise self._error(str(error)) from None
        return Leaf(entry["id"], entry["kind"], data)

    def _duplicate_message(self, ids: Sequence[str]) -> str:
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                row = conn.execute(
                    select(log_entries.c.seq, log_entries.c.entry_id).where(log_entries.c.entry_id.in_(chunk))
                ).first()
                if row is not None:
                    return f"entry id {row.entry_id!r} is already in the log (entry {row.seq})"
        return "the log changed during this append (another writer?); nothing was appended, retry"

    def checkpoint(self, signer: Signer, conn: Connection | None = None) -> str:
        """Sign and store a checkpoint of the whole log; refuse if it does not extend the last one.
        In the caller's transaction `conn` if given."""
        with self._transaction(conn) as conn:
            hold_for_transaction(conn, LOG_LOCK)  # one signer at a time, whichever worker it is
            size = self._size(conn)
            read = partial(_read_nodes, conn)
            try:
                root = root_at(size, read)
            except ProofError as error:
                raise self._error(f"refusing to sign: {error}") from None
            previous = self._checkpoints(conn)
            self._check_forks(previous)
            last = max(previous, key=lambda c: c.size, default=None)
            if last is not None:
                try:
                    old = parse_checkpoint(parse_note(last.note)[0])
                except NoteError as error:
                    raise self._error(
                        f"refusing to sign: checkpoint #{last.id} is damaged: {error}"
                    ) from None
                if old.origin != self.origin:
                    raise self._error(f"refusing to sign: last checkpoint is for origin {old.origin!r}")
                if size < last.size:
                    raise self._error(
                        f"refusing to sign: the log has {size} entries but checkpoint #{last.id} "
                        f"already signed {last.size}"
                    )
                if size == last.size and root != last.root:
                    raise self._error(
                        f"fork: checkpoint #{last.id} signed size {size} with root {b64(last.root)}, "
                        f"the stored tree now has root {b64(root)}; refusing to sign",
                        LogForkError,
                    )
                if size == last.size:
                    return last.note
                if last.size > 0:
                    try:
                        proof = consistency_proof(last.size, size, read)
                        verify_consistency(last.size, size, last.root, root, proof)
                    except ProofError as error:
                        raise self._error(
                            f"refusing to sign: size {size} is not consistent with checkpoint "
                            f"#{last.id} (size {last.size}): {error}"
                        ) from None
            note = sign_note(Checkpoint(self.origin, size, root).body(), signer)
            conn.execute(insert(log_checkpoints).values(size=size, root=root, note=note, created_at=_now()))
            return note

    def add_cosignatures(self, note: str, witnesses: Sequence[Verifier]) -> str:
        """Merge into the stored checkpoint the signatures in `note` by `witnesses` that verify;
        other signature lines are dropped (a bad line by a known key would spoil the whole note)."""
        try:
            body, signatures = parse_note(note)
            checkpoint = parse_checkpoint(body)
        except NoteError as error:
            raise self._error(f"not a checkpoint note: {error}") from None
        keys = {(w.name, w.key_id): w for w in witnesses}
        good = [
            s
            for s in signatures
            if (key := keys.get((s.name, s.key_id))) and key.verify(body.encode(), s.signature)
        ]
        if not good:
            raise self._error("the note carries no valid signature by the given witness keys")
        with self.engine.begin() as conn:
            stored = next(
                (
                    c
                    for c in self._checkpoints(conn)
                    if c.size == checkpoint.size and c.root == checkpoint.root
                ),
                None,
            )
            if stored is None:
                raise self._error(f"no stored checkpoint of size {checkpoint.size} with that root")
            have = {(s.name, s.key_id) for s in parse_note(stored.note)[1]}
            merged = stored.note + "".join(s.line for s in good if (s.name, s.key_id) not in have)
            conn.execute(update(log_checkpoints).where(log_checkpoints.c.id == stored.id).values(note=merged))
            return merged

    # --- proofs -----------------------------------------------------------------------------------

    def _latest(self, conn: Connection) -> _Stored:
        stored = self._checkpoints(conn)
        if not stored:
            raise self._error("the log has no checkpoint yet; sign one first")
        return stored[-1]

    def inclusion_proof(self, entry_id: str, size: int | None = None) -> InclusionProof:
        """Proof that `entry_id` is in the tree of `size` entries (default: the latest checkpoint)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(log_entries).where(log_entries.c.entry_id == entry_id)).first()
            if row is None:
                raise self._error(f"no log entry with id {entry_id!r}")
            size = self._latest(conn).size if size is None else size
            if not row.seq < size <= self._size(conn):
                raise self._error(f"entry {entry_id!r} (entry {row.seq}) is not in a tree of size {size}")
            read = partial(_read_nodes, conn)
            proof = InclusionProof(
                entry_id,
                row.seq,
                size,
                leaf_hash(row.body),
                inclusion_proof(row.seq, size, read),
                root_at(size, read),
                self._note_for(conn, size),
            )
        try:
            proof.verify()  # never hand out a proof that does not check out
            if proof.note is not None and parse_checkpoint(parse_note(proof.note)[0]).root != proof.root:
                raise ProofError(f"the stored tree's root differs from the checkpoint of size {size}")
        except (ProofError, NoteError) as error:
            raise self._error(f"stored tree is damaged near entry {row.seq}: {error}; run verify") from None
        return proof

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        with self.engine.connect() as conn:
            new_size = self._size(conn) if new_size is None else new_size
            if not 0 < old_size <= new_size <= self._size(conn):
                raise self._error(f"no consistency proof from size {old_size} to {new_size}")
            read = partial(_read_nodes, conn)
            proof = ConsistencyProof(
                old_size,
                new_size,
                root_at(old_size, read),
                root_at(new_size, read),
                consistency_proof(old_size, new_size, read),
            )
        try:
            proof.verify()
        except ProofError as error:
            raise self._error(f"stored tree is damaged: {error}; run verify") from None
        return proof

    def _note_for(self, conn: Connection, size: int) -> str | None:
        query = select(log_checkpoints.c.note).where(log_checkpoints.c.size == size)
        return conn.execute(query.order_by(log_checkpoints.c.id)).scalar()

    # --- audit ------------------------------------------------------------------------------------

    def verify_store(self) -> StoreProblem | None:
        """Re-hash every stored entry, rebuild the tree, and compare it with the stored nodes and every
        checkpoint. Return the first entry that no longer matches, or None. Raise LogForkError on a fork."""
        with self.engine.connect() as conn:
            checkpoints = self._checkpoints(conn)
            self._check_forks(checkpoints)
            for c in checkpoints:
                try:
                    body = parse_checkpoint(parse_note(c.note)[0])
                except NoteError as error:
                    return StoreProblem(c.size, None, f"checkpoint #{c.id} is not a valid note: {error}")
                if (body.size, body.root) != (c.size, c.root):
                    return StoreProblem(c.size, None, f"checkpoint #{c.id}: its columns differ from its note")
            problem, unsigned = self._verify_leaves(conn, {c.size: c for c in checkpoints})
            # A checkpoint mismatch is reported last: a bad stored node names the entries more precisely.
            return problem or self._verify_nodes(conn) or unsigned

    def _rows(self, conn: Connection, query: Any) -> Iterator[Any]:
        yield from conn.execution_options(yield_per=10_000).execute(query)

    def _verify_leaves(
        self, conn: Connection, by_size: Mapping[int, _Stored]
    ) -> tuple[StoreProblem | None, StoreProblem | None]:
        """(first entry that does not match its row or the stored tree, first checkpoint the rebuilt
        tree misses). The lowest stored nodes are rebuilt from the entries and compared as they
        complete, so a replaced, swapped or dropped entry is placed within its block of 16."""
        entries = self._rows(conn, select(log_entries).order_by(log_entries.c.seq))
        lowest = self._rows(
            conn,
            select(log_nodes.c.idx, log_nodes.c.hash)
            .where(log_nodes.c.level == LOWEST_STORED_LEVEL)
            .order_by(log_nodes.c.idx),
        )
        tree, unsigned = CompactRange(), None
        for seq, row in enumerate(entries):
            if row.seq != seq:
                return StoreProblem(seq, None, "entry is missing (deleted?)"), None
            try:
                entry = parse_entry(row.body)
            except EntryError as error:
                return StoreProblem(seq, row.entry_id, f"body is not a canonical entry: {error}"), None
            if (entry["id"], entry["kind"]) != (row.entry_id, row.kind):
                return StoreProblem(seq, row.entry_id, "id/kind columns differ from the body"), None
            leaf = leaf_hash(row.body)
            if leaf != row.leaf_hash:
                return StoreProblem(seq, row.entry_id, "body no longer matches its leaf hash"), None
            for level, idx, rebuilt in tree.extend((leaf,), LOWEST_STORED_LEVEL):
                if level == LOWEST_STORED_LEVEL:  # higher ones: checked against their children
                    problem = _block_problem(next(lowest, None), idx, rebuilt)
                    if problem:
                        return problem, None
            signed = by_size.get(tree.size)
            if signed is not None and tree.root() != signed.root and unsigned is None:
                unsigned = StoreProblem(
                    seq, row.entry_id, f"rebuilt tree differs from checkpoint #{signed.id}"
                )
        beyond = [c for c in by_size.values() if c.size > tree.size]
        if beyond and unsigned is None:
            message = (
                f"checkpoint #{beyond[0].id} signed {beyond[0].size} entries; only {tree.size} are stored"
            )
            unsigned = StoreProblem(tree.size, None, message)
        return None, unsigned

    def _verify_nodes(self, conn: Connection) -> StoreProblem | None:
        """Every stored node above the lowest level is the hash of its two children, and none is
        missing or extra."""
        size = self._size(conn)
        counts = dict(conn.execute(select(log_nodes.c.level, func.count()).group_by(log_nodes.c.level)).all())
        for level in range(max(counts, default=0) + 1):
            have, want = counts.get(level, 0), size >> level if level >= LOWEST_STORED_LEVEL else 0
            if have != want:
                where = min(have, want) << level
                return StoreProblem(where, None, f"tree level {level} has {have} nodes, want {want}")
        parent, left, right = log_nodes.alias("p"), log_nodes.alias("l"), log_nodes.alias("r")
        query = (
            select(
                parent.c.level, parent.c.idx, parent.c.hash, left.c.hash.label("lh"), right.c.hash.label("rh")
            )
            .join(left, (left.c.level == parent.c.level - 1) & (left.c.idx == 2 * parent.c.idx))
            .join(right, (right.c.level == parent.c.level - 1) & (right.c.idx == 2 * parent.c.idx + 1))
            .where(parent.c.level > LOWEST_STORED_LEVEL)
            .order_by(parent.c.level, parent.c.idx)
        )
        for row in self._rows(conn, query):
            if node_hash(row.lh, row.rh) != row.hash:
                first = row.idx << row.level
                entry_id = conn.execute(
                    select(log_entries.c.entry_id).where(log_entries.c.seq == first)
                ).scalar()
                last = first + (1 << row.level) - 1
                return StoreProblem(
                    first,
                    entry_id,
                    f"stored tree node (level {row.level}, index {row.idx}) over entries "
                    f"{first}..{last} is not the hash of its children",
                )
        return None

    # --- export -----------------------------------------------------------------------------------

    def export_bundle(
        self, path: Path | str, vkeys: Sequence[str] = (), entry_ids: Sequence[str] | None = None
    ) -> Path:
        """Write a self-contained JSON bundle up to the latest checkpoint: all its entries (or only
        `entry_ids`, each with an inclusion proof), every checkpoint with consistency proofs between
        them, and the given verifier keys. Check it with `verify_bundle`, no database needed."""
        with self.engine.connect() as conn:
            stored = self._checkpoints(conn)
            self._check_forks(stored)
            latest = self._latest(conn)
            sizes = sorted({c.size for c in stored if c.size > 0})
        proofs = [self.consistency_proof(a, b).to_json() for a, b in zip(sizes, sizes[1:], strict=False)]
        if entry_ids is None:
            with self.engine.connect() as conn:
                query = select(log_entries.c.seq, log_entries.c.body).where(log_entries.c.seq < latest.size)
                entries = [(r.seq, r.body, None) for r in self._rows(conn, query.order_by(log_entries.c.seq))]
        else:
            with self.engine.connect() as conn:
                query = select(log_entries.c.entry_id).where(
                    (log_entries.c.kind == "key_rotation") & (log_entries.c.seq < latest.size)
                )
                rotations = [r.entry_id for r in conn.execute(query.order_by(log_entries.c.seq))]
            entries = []
            for entry_id in dict.fromkeys([*rotations, *entry_ids]):  # rotations: so old keys can follow
                proof = self.inclusion_proof(entry_id, latest.size)
                seq, entry = self.entry(entry_id)
                entries.append((seq, canonical_entry(entry), proof.to_json()["proof"]))
        return write_bundle(
            Path(path),
            self.origin,
            latest.size,
            [c.note for c in stored],
            entries,
            proofs,
            vkeys,
            complete=entry_ids is None,
        )
