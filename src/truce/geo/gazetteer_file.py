"""The gazetteer's index on disk: one file of flat arrays, memory-mapped and read lazily.

`truce extract` on one paragraph looks up a few dozen names; unpickling the whole index (~200,000
objects) cost it 0.15-0.2 s of CPU. Here names are found by binary search in sorted UTF-8 names,
and a place is made into a `Place` only when asked for, so opening the index costs a few
milliseconds and the pages not touched are never read.

Layout: MAGIC, a little-endian u32 header length, a JSON header (format, byte order, the SHA-256
key of the sources it was built from, the SHA-256 of the payload, where each array lies), then
the arrays (native byte order, as Python's `array` writes them), each 64-byte aligned. A file is
used only when its format, its sources key and its payload digest all match; it is written to a
temporary file in the same directory and renamed into place, so a reader never sees half a file
and processes building it at the same time do not corrupt it.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import json
import math
import mmap
import os
import struct
import sys
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import fields
from itertools import pairwise
from pathlib import Path
from typing import Any

from truce.geo.gazetteer import Place  # gazetteer imports this module only when it opens the index
from truce.model import LocationPrecision

__all__ = ["FORMAT", "PackedKeys", "PackedNames", "PackedPlaces", "SortedNames", "open_index", "write_index"]

FORMAT = 3  # bump when the layout changes (2 was a pickle of plain rows)
MAGIC = b"TRUCEGAZ"
_ALIGN = 64

# How each Place field is kept: a string id (-1: None), a float64 (NaN: None), an int64 (-1: None
# for the optional ones) or the precision's position in LocationPrecision.
_STRINGS = ("name", "country", "admin1", "admin1_code", "raion", "pcode", "name_uk")
_FLOATS = ("lat", "lon")
_INTS = ("population",)
_OPTIONAL_INTS = ("geonameid",)
_FIELDS = [f.name for f in fields(Place)]
_KIND_OF = {
    **dict.fromkeys(_STRINGS, "string"),
    **dict.fromkeys(_FLOATS, "float"),
    **dict.fromkeys(_INTS, "int"),
    **dict.fromkeys(_OPTIONAL_INTS, "optional"),
    "precision": "precision",
}
if set(_FIELDS) != set(_KIND_OF):  # pragma: no cover
    raise RuntimeError("gazetteer_file: a Place field has no column; add it and bump FORMAT")
_PRECISIONS = list(LocationPrecision)
_KINDS = [_KIND_OF[name] for name in _FIELDS]


# --------------------------------------------------------------------------- reading


class PackedPlaces(Sequence[Place]):
    """The places, made into `Place` objects on first access (the same object every time, as
    ranking compares identities), plus the places added in this process."""

    def __init__(self, columns: dict[str, memoryview], offsets: memoryview, blob: memoryview) -> None:
        self._columns, self._offsets, self._blob = columns, offsets, blob
        self._stored = len(columns["name"])
        self._made: dict[int, Place] = {}
        self._added: list[Place] = []
        self._strings: dict[int, str] = {}  # admin1, country ... repeat: decode each once

    def __len__(self) -> int:
        return self._stored + len(self._added)

    def __getitem__(self, i: int) -> Place:  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]  # type: ignore[return-value]
        if i < 0:
            i += len(self)
        if i >= self._stored:
            return self._added[i - self._stored]
        place = self._made.get(i)
        if place is None:  # setdefault: two threads making the same place both get the one kept
            place = self._made.setdefault(i, self._make(i))
        return place

    def __iter__(self) -> Iterator[Place]:
        if len(self._made) < self._stored:
            self._make_all()
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (list, PackedPlaces)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def append(self, place: Place) -> None:
        self._added.append(place)

    def indexes_with(self, precision: LocationPrecision) -> list[int]:
        """Indexes of the places of one precision, read from their column alone."""
        code = bytes([_PRECISIONS.index(precision)])
        column = self._columns["precision"].tobytes()
        stored, at = [], column.find(code)
        while at >= 0:  # a few hundred oblasts and countries among 36,000 places
            stored.append(at)
            at = column.find(code, at + 1)
        return stored + [self._stored + j for j, p in enumerate(self._added) if p.precision is precision]

    def _string(self, sid: int) -> str | None:
        if sid < 0:
            return None
        text = self._strings.get(sid)
        if text is None:
            raw = self._blob[self._offsets[sid] : self._offsets[sid + 1]]
            text = self._strings[sid] = raw.tobytes().decode()
        return text

    def _make(self, i: int) -> Place:
        return self._place([column[i] for column in self._columns.values()])

    def _make_all(self) -> None:
        """Every place at once, converted column by column (6x faster than one place at a time)."""
        offsets, blob = self._offsets.tolist(), self._blob.tobytes()
        texts = [blob[a:b].decode() for a, b in pairwise(offsets)]
        columns = []
        for kind, column in zip(_KINDS, self._columns.values(), strict=True):
            values = column.tolist()
            if kind == "string":
                values = [texts[v] if v >= 0 else None for v in values]
            elif kind == "float":
                values = [None if math.isnan(v) else v for v in values]
            elif kind == "optional":
                values = [None if v < 0 else v for v in values]
            elif kind == "precision":
                values = [_PRECISIONS[v] for v in values]
            columns.append(values)
        collecting = gc.isenabled()
        gc.disable()  # 36,000 new objects and no cycles: collections meanwhile would only cost time
        try:
            for i, row in enumerate(zip(*columns, strict=True)):
                if i not in self._made:
                    place = object.__new__(Place)
                    place.__dict__.update(zip(_FIELDS, row, strict=True))
                    self._made.setdefault(i, place)
        finally:
            if collecting:
                gc.enable()

    def _place(self, row: Iterable[Any]) -> Place:
        """A Place from its stored values, in _FIELDS order."""
        values: dict[str, Any] = {}
        for name, kind, value in zip(_FIELDS, _KINDS, row, strict=True):
            if kind == "string":
                values[name] = self._string(value)
            elif kind == "float":
                values[name] = None if math.isnan(value) else value
            elif kind == "optional":
                values[name] = None if value < 0 else value
            elif kind == "precision":
                values[name] = _PRECISIONS[value]
            else:
                values[name] = value
        place = object.__new__(Place)  # frozen: its __setattr__ refuses, and costs per field
        place.__dict__.update(values)
        return place


class SortedNames(Sequence[bytes]):
    """Names kept sorted on disk as UTF-8 (a blob and its offsets), for binary search."""

    def __init__(self, offsets: memoryview, blob: memoryview) -> None:
        self._offsets, self._blob = offsets, blob

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i: int) -> bytes:  # type: ignore[override]
        return self._blob[self._offsets[i] : self._offsets[i + 1]].tobytes()

    def position(self, key: str) -> int | None:
        """Where `key` is, or None."""
        raw = key.encode()
        at = bisect.bisect_left(self, raw)
        return at if at < len(self) and self[at] == raw else None


class PackedKeys(Mapping[str, list[int]]):
    """A name (key) -> place indexes, found by binary search in the sorted names on disk. The lists
    handed out are kept, so additions made through them (add_alias) are seen by later lookups."""

    def __init__(self, names: SortedNames, starts: memoryview, postings: memoryview) -> None:
        self._names, self._starts, self._postings = names, starts, postings
        self._seen: dict[str, list[int]] = {}
        self._added = 0

    def get(self, key: str, default: Any = None) -> Any:
        found = self._seen.get(key)
        if found is not None:
            return found
        at = self._names.position(key)
        if at is None:
            return default
        return self._seen.setdefault(key, self._postings[self._starts[at] : self._starts[at + 1]].tolist())

    def __getitem__(self, key: str) -> list[int]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def setdefault(self, key: str, default: list[int]) -> list[int]:
        found = self.get(key)
        if found is None:
            found = self._seen.setdefault(key, default)
            self._added += found is default
        return found

    def __len__(self) -> int:
        return len(self._names) + self._added

    def __iter__(self) -> Iterator[str]:
        on_disk = [name.decode() for name in self._names]
        yield from on_disk
        known = set(on_disk)
        yield from (key for key in self._seen if key not in known)


class PackedNames(Set[str]):
    """A set of names kept sorted on disk (read-only)."""

    def __init__(self, names: SortedNames) -> None:
        self._names = names

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._names.position(key) is not None

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self) -> Iterator[str]:
        return (name.decode() for name in self._names)


def open_index(path: Path, sources: str) -> tuple[PackedPlaces, PackedKeys, PackedKeys, PackedNames] | None:
    """The index in `path`, or None when it is missing, of another format or sources, or damaged."""
    try:
        with path.open("rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
        return None
    try:
        return _read(mapped, sources)
    except (ValueError, KeyError, TypeError, IndexError, struct.error):
        return None


def _read(mapped: mmap.mmap, sources: str) -> tuple[PackedPlaces, PackedKeys, PackedKeys, PackedNames] | None:
    if mapped[: len(MAGIC)] != MAGIC:
        return None
    (length,) = struct.unpack_from("<I", mapped, len(MAGIC))
    header = json.loads(mapped[len(MAGIC) + 4 : len(MAGIC) + 4 + length])
    if header["format"] != FORMAT or header["byteorder"] != sys.byteorder or header["sources"] != sources:
        return None
    if header["precisions"] != [p.value for p in _PRECISIONS]:
        return None
    start = _aligned(len(MAGIC) + 4 + length)
    payload = memoryview(mapped)[start:]
    if len(payload) != header["payload_bytes"]:
        return None  # truncated
    if hashlib.sha256(payload).hexdigest() != header["payload_sha256"]:
        return None  # damaged
    arrays = {
        name: payload[offset : offset + count * array(code).itemsize].cast(code)
        for name, (code, count, offset) in header["arrays"].items()
    }

    def names(prefix: str) -> SortedNames:
        return SortedNames(arrays[f"{prefix}.offsets"], arrays[f"{prefix}.blob"])

    columns = {name: arrays[f"place.{name}"] for name in _FIELDS}  # in _FIELDS order
    places = PackedPlaces(columns, arrays["strings.offsets"], arrays["strings.blob"])
    keys = PackedKeys(names("keys.names"), arrays["keys.starts"], arrays["keys.postings"])
    exact = PackedKeys(names("exact.names"), arrays["exact.starts"], arrays["exact.postings"])
    return places, keys, exact, PackedNames(names("derived.names"))


# --------------------------------------------------------------------------- writing


def write_index(
    path: Path,
    sources: str,
    places: Sequence[Place],
    keys: Mapping[str, list[int]],
    exact: Mapping[str, list[int]],
    derived: Iterable[str],
) -> None:
    """Write the index to `path` atomically (a temporary file renamed into place)."""
    arrays = {
        **_place_arrays(places),
        **_key_arrays("keys", keys),
        **_key_arrays("exact", exact),
        **_name_arrays("derived.names", sorted(name.encode() for name in derived)),
    }
    layout: dict[str, list] = {}
    chunks: list[bytes] = []
    offset = 0
    for name, values in arrays.items():
        pad = _aligned(offset) - offset
        chunks.append(b"\0" * pad)
        offset += pad
        layout[name] = [values.typecode, len(values), offset]
        data = values.tobytes()
        chunks.append(data)
        offset += len(data)
    payload = b"".join(chunks)
    header = json.dumps(
        {
            "format": FORMAT,
            "byteorder": sys.byteorder,
            "sources": sources,
            "precisions": [p.value for p in _PRECISIONS],
            "payload_bytes": len(payload),
            "payload_sha256": hashlib.sha256(payload).hexdigest(),
            "arrays": layout,
        }
    ).encode()
    head = MAGIC + struct.pack("<I", len(header)) + header
    head += b"\0" * (_aligned(len(head)) - len(head))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(head)
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # a cache others may read, as an ordinary file would be (mkstemp makes 0600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _aligned(n: int) -> int:
    return -(-n // _ALIGN) * _ALIGN


def _place_arrays(places: Sequence[Place]) -> dict[str, array]:
    ids: dict[str, int] = {}
    texts: list[bytes] = []

    def string_id(text: str | None) -> int:
        if text is None:
            return -1
        if text not in ids:
            ids[text] = len(texts)
            texts.append(text.encode())
        return ids[text]

    out: dict[str, array] = {}
    for name in _FIELDS:
        values = [getattr(p, name) for p in places]
        if name in _STRINGS:
            out[f"place.{name}"] = array("i", [string_id(v) for v in values])
        elif name in _FLOATS:
            out[f"place.{name}"] = array("d", [math.nan if v is None else v for v in values])
        elif name in _OPTIONAL_INTS:
            if any(v is not None and v < 0 for v in values):
                raise ValueError(f"gazetteer: a negative {name} cannot be stored")
            out[f"place.{name}"] = array("q", [-1 if v is None else v for v in values])
        elif name == "precision":
            out[f"place.{name}"] = array("B", [_PRECISIONS.index(v) for v in values])
        else:
            out[f"place.{name}"] = array("q", values)
    out["strings.offsets"] = _offsets(texts)
    out["strings.blob"] = array("B", b"".join(texts))
    return out


def _key_arrays(prefix: str, index: Mapping[str, list[int]]) -> dict[str, array]:
    names = sorted(name.encode() for name in index)
    lists = [index[name.decode()] for name in names]
    return {
        **_name_arrays(f"{prefix}.names", names),
        f"{prefix}.starts": _offsets(lists),
        f"{prefix}.postings": array("i", [i for found in lists for i in found]),
    }


def _name_arrays(prefix: str, names: list[bytes]) -> dict[str, array]:
    return {f"{prefix}.offsets": _offsets(names), f"{prefix}.blob": array("B", b"".join(names))}


def _offsets(items: Sequence[Sequence]) -> array:
    """Where each item starts in their concatenation, and where the last one ends."""
    out = array("q", [0])
    for item in items:
        out.append(out[-1] + len(item))
    return out
