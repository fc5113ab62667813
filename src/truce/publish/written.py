"""The canonical bodies of the findings an assessment just wrote, kept for publishing without being
held: each batch is sorted by id and appended to a temporary file as one compressed run, and publishing reads
the runs back merged, in id order (the log's order), one record at a time. So each body is made
canonical and hashed once, when it is written, and its log entry is made from those bytes."""

from __future__ import annotations

import heapq
import os
import struct
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from operator import itemgetter

__all__ = ["WrittenBodies"]

_HEADER = struct.Struct("<HHI")  # lengths of the id, the digest and the body
_READ = 1 << 16  # bytes read at a time from each run (a 10M-finding run has ~600 runs)


class WrittenBodies:
    """(id, digest, canonical body) of one agreement's findings written in this transaction."""

    def __init__(self, agreement_id: str) -> None:
        self.agreement_id = agreement_id
        self._file = tempfile.TemporaryFile(prefix="truce-written-")  # gone when closed, or on a crash
        self._runs: list[tuple[int, int]] = []  # (offset, length) of each sorted run
        self._size = 0
        self.count = 0

    def add(self, items: Iterable[tuple[str, str, bytes]]) -> None:
        """One batch (any order): written as a run sorted by id."""
        pieces = []
        for finding_id, digest, body in sorted(items, key=itemgetter(0)):
            key, hexdigest = finding_id.encode(), digest.encode()
            pieces += [_HEADER.pack(len(key), len(hexdigest), len(body)), key, hexdigest, body]
            self.count += 1
        # Compressed (zlib's fastest level): at ten million findings the bodies are ~6 GB, a fifth of
        # that compressed, on a disk that also holds the store and its write-ahead log.
        data = zlib.compress(b"".join(pieces), 1) if pieces else b""
        if data:
            self._file.write(data)
            self._runs.append((self._size, len(data)))
            self._size += len(data)

    def in_order(self) -> Iterator[tuple[str, str, bytes]]:
        """Every (id, digest, body) added, by id."""
        self._file.flush()
        return heapq.merge(*(self._run(offset, length) for offset, length in self._runs), key=itemgetter(0))

    def _run(self, offset: int, length: int) -> Iterator[tuple[str, str, bytes]]:
        fd, end, buffer, at = self._file.fileno(), offset + length, b"", 0
        inflate = zlib.decompressobj()
        while True:
            if len(buffer) - at >= _HEADER.size:
                id_len, digest_len, body_len = _HEADER.unpack_from(buffer, at)
                start = at + _HEADER.size
                stop = start + id_len + digest_len + body_len
                if stop <= len(buffer):
                    yield (
                        buffer[start : start + id_len].decode(),
                        buffer[start + id_len : start + id_len + digest_len].decode(),
                        buffer[start + id_len + digest_len : stop],
                    )
                    at = stop
                    continue
            if offset >= end:
                if at < len(buffer):
                    raise OSError("a run of written findings ends in the middle of a record")
                return
            packed = os.pread(fd, min(_READ, end - offset), offset)
            offset += len(packed)
            more = inflate.decompress(packed) + (inflate.flush() if offset >= end else b"")
            buffer, at = buffer[at:] + more, 0

    def close(self) -> None:
        self._file.close()
