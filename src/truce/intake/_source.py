"""A file read as a stream: checked once (SHA-256, UTF-8, line count) before anything is parsed, then
read again as text while its bytes go, piece by piece, to whoever stores them. Memory stays bounded
by the piece size whatever the file's size."""

from __future__ import annotations

import codecs
import hashlib
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from truce.errors import UserError

__all__ = ["PIECE_BYTES", "FileScan", "TextSource", "open_binary", "scan"]

PIECE_BYTES = 1 << 20  # how much is read, hashed and stored at a time
# Receives the file's bytes in order, in pieces of PIECE_BYTES (the last one shorter).
Sink = Callable[[bytes], None]


@dataclass(frozen=True)
class FileScan:
    digest: str  # SHA-256 of the bytes, hex
    size: int
    lines: int  # newlines + 1, for progress


def open_binary(path: str | os.PathLike, name: str) -> BinaryIO:
    try:
        return Path(path).open("rb")
    except OSError as exc:
        raise UserError(name, None, f"cannot read the file: {exc.strerror}") from None


def _pieces(stream: BinaryIO, name: str) -> Iterator[bytes]:
    while True:
        try:
            piece = stream.read(PIECE_BYTES)
        except OSError as exc:
            raise UserError(name, None, f"cannot read the file: {exc.strerror}") from None
        if not piece:
            return
        yield piece


def scan(stream: BinaryIO, name: str) -> FileScan:
    """Hash the file and check that it is UTF-8 text that is not blank, in one pass of bounded memory.
    A byte that is not UTF-8 is named by its offset and line, as a whole-file decode would."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = newlines = 0
    blank = True
    for piece in _pieces(stream, name):
        pending = len(decoder.getstate()[0])  # bytes of a character split across pieces
        try:
            decoder.decode(piece)
        except UnicodeDecodeError as exc:
            offset = size - pending + exc.start
            line = newlines + exc.object.count(b"\n", 0, exc.start) + 1
            byte = exc.object[exc.start : exc.start + 1].hex()
            raise UserError(
                name,
                line,
                f"the file is not UTF-8 text (byte 0x{byte} at offset {offset}); "
                "save or export it as UTF-8 and try again",
            ) from None
        digest.update(piece)
        size += len(piece)
        newlines += piece.count(b"\n")
        blank = blank and piece.isspace()
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise UserError(
            name, newlines + 1, f"the file is not UTF-8 text (it ends inside a character, at offset {size})"
        ) from None
    if blank:
        raise UserError(name, None, "the file is empty")
    return FileScan(digest.hexdigest(), size, newlines + 1)


class _Tee(io.RawIOBase):
    """Reads the underlying file, hashing every byte and handing it to `sink` in whole pieces."""

    def __init__(self, stream: BinaryIO, sink: Sink | None) -> None:
        self._stream = stream
        self._sink = sink
        self._held = bytearray()
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 (a writable buffer)
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        self.digest.update(data)
        if self._sink is not None:
            self._held += data
            while len(self._held) >= PIECE_BYTES:
                self._sink(bytes(self._held[:PIECE_BYTES]))
                del self._held[:PIECE_BYTES]
        return len(data)

    def drain(self) -> None:
        """Read what the parser left unread, and hand over the last piece."""
        while self.readinto(bytearray(PIECE_BYTES)):
            pass
        if self._sink is not None and self._held:
            self._sink(bytes(self._held))
            self._held.clear()


class TextSource:
    """What a streaming reader reads: the file's text, line by line, once; `prefix` (from the file's
    hash) makes stable ids for records without one. `finish()` reads what is left and checks the
    bytes read are the bytes scanned (a file changed while being ingested is refused)."""

    def __init__(self, stream: BinaryIO, name: str, checked: FileScan, sink: Sink | None = None) -> None:
        self.path = name
        self.scan = checked
        self.prefix = checked.digest[:16]
        self._tee = _Tee(stream, sink)
        self._buffered = io.BufferedReader(self._tee, PIECE_BYTES)

    @classmethod
    def of_bytes(cls, content: bytes, name: str) -> TextSource:
        return cls(io.BytesIO(content), name, scan(io.BytesIO(content), name))

    @property
    def total_lines(self) -> int:
        return self.scan.lines

    def text(self, newline: str) -> io.TextIOWrapper:
        """The text (a leading byte-order mark dropped); newline as for open(): "" for csv."""
        wrapper = io.TextIOWrapper(self._buffered, encoding="utf-8-sig", newline=newline)
        wrapper._CHUNK_SIZE = PIECE_BYTES  # type: ignore[attr-defined]  # fewer, larger decodes
        return wrapper

    def finish(self) -> None:
        self._tee.drain()
        if self._tee.digest.hexdigest() != self.scan.digest:
            raise UserError(self.path, None, "the file changed while it was being read; ingest it again")
