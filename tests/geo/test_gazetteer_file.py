"""The memory-mapped gazetteer index: the same answers as the index built in memory, and a file
that is stale, damaged or being written by someone else is never used."""

import hashlib
import os
import threading
from dataclasses import fields

import pytest

from truce.geo import gazetteer as G
from truce.geo import gazetteer_file as F

SOURCES = "0" * 64


@pytest.fixture(scope="module")
def built():
    return G.build_index()


@pytest.fixture(scope="module")
def index_path(built, tmp_path_factory):
    path = tmp_path_factory.mktemp("gaz-index") / "gazetteer.index"
    F.write_index(path, SOURCES, built.places, built._keys, built._exact, built.derived_keys)
    return path


@pytest.fixture(scope="module")
def loaded(index_path):
    opened = F.open_index(index_path, SOURCES)
    assert opened is not None
    return G.Gazetteer(*opened)


def test_every_place_comes_back_with_the_same_values_and_types(built, loaded):
    assert len(loaded.places) == len(built.places) > 30_000
    for ours, theirs in zip(loaded.places, built.places, strict=True):
        for f in fields(G.Place):
            a, b = getattr(ours, f.name), getattr(theirs, f.name)
            assert a == b and type(a) is type(b), (theirs, f.name)
    assert loaded.places == built.places
    assert loaded.places[5] is loaded.places[5]  # ranking tells places apart by identity


def test_a_place_read_alone_equals_the_same_place_read_with_all_others(built, index_path):
    fresh = F.open_index(index_path, SOURCES)[0]
    one_by_one = [fresh[i] for i in range(len(fresh))]  # before any iteration reads them all
    assert one_by_one == built.places
    assert [type(p.lat) for p in one_by_one] == [type(p.lat) for p in built.places]
    assert all(a is b for a, b in zip(fresh, one_by_one, strict=True))  # iterating keeps them


def test_every_name_and_alias_finds_the_same_places(built, loaded):
    assert len(loaded._keys) == len(built._keys) and len(loaded._exact) == len(built._exact)
    for key, indexes in built._keys.items():
        assert loaded._keys.get(key) == indexes, key
        assert loaded.has_key(key) and loaded.candidates(key) == built.candidates(key)
    for name, indexes in built._exact.items():
        assert loaded._exact.get(name) == indexes, name
    assert set(loaded.derived_keys) == set(built.derived_keys)
    assert all(loaded.only_derived(k) == built.only_derived(k) for k in built._keys)
    assert not loaded.has_key("qqxqq") and loaded._keys.get("qqxqq", []) == []
    assert loaded._by_admin1 == built._by_admin1 and loaded._by_country == built._by_country


def test_every_place_name_resolves_and_ranks_the_same(built, loaded):
    names = sorted({p.name for p in built.places} | {p.name_uk for p in built.places if p.name_uk})
    built_at = {id(p): i for i, p in enumerate(built.places)}
    loaded_at = {id(p): i for i, p in enumerate(loaded.places)}
    for name in names:
        theirs = [built_at[id(p)] for p in built.lookup(name)]
        assert [loaded_at[id(p)] for p in loaded.lookup(name)] == theirs, name
    assert loaded.raion("Kupianskyi", "UA-63") == built.raion("Kupianskyi", "UA-63")
    assert loaded.nearest(48.0, 37.8, "UA") == built.nearest(48.0, 37.8, "UA")


def test_additions_after_opening_are_seen_by_later_lookups(index_path):
    gaz = G.Gazetteer(*F.open_index(index_path, SOURCES))
    kharkiv = gaz.lookup("Kharkiv")[0]
    assert gaz.add_alias("Kharkovgrad", gaz.places.index(kharkiv))
    assert gaz.lookup("Kharkovgrad") == [kharkiv]
    place = G.Place(name="Testove", country="UA", precision=G.LocationPrecision.settlement)
    i = gaz.add_place(place, ["Testovo"])
    assert gaz.places[i] is place and gaz.candidates("Testovo") == [place]
    assert len(gaz._keys) == len(F.open_index(index_path, SOURCES)[1]) + 3  # three new keys


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b[:-100] + bytes([b[-100] ^ 1]) + b[-99:], id="one-bit-flipped"),
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: b"JUNK" + b[4:], id="not-an-index"),
        pytest.param(lambda b: b.replace(b'"format": 3', b'"format": 9', 1), id="other-format"),
    ],
)
def test_a_damaged_file_is_not_used(index_path, tmp_path, damage):
    bad = tmp_path / "bad.index"
    bad.write_bytes(damage(index_path.read_bytes()))
    assert F.open_index(bad, SOURCES) is None
    assert F.open_index(tmp_path / "missing.index", SOURCES) is None


def test_a_file_built_from_other_sources_is_not_used(index_path):
    assert F.open_index(index_path, "1" * 64) is None


def test_get_gazetteer_rebuilds_a_damaged_cache(built, monkeypatch, tmp_path):
    monkeypatch.setenv("TRUCE_CACHE_DIR", str(tmp_path))
    builds = []
    monkeypatch.setattr(G, "build_index", lambda: builds.append(1) or built)
    G.get_gazetteer.cache_clear()
    try:
        first = G.get_gazetteer()
        (path,) = tmp_path.glob("gazetteer-v*.index")
        data = bytearray(path.read_bytes())
        data[-10] ^= 0xFF
        path.write_bytes(bytes(data))
        G.get_gazetteer.cache_clear()
        second = G.get_gazetteer()  # the damaged file is rebuilt, not read
        G.get_gazetteer.cache_clear()
        third = G.get_gazetteer()  # and the rebuilt one is used
    finally:
        G.get_gazetteer.cache_clear()
    assert len(builds) == 2
    assert isinstance(third.places, F.PackedPlaces) and third.places == first.places == second.places
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind


def test_concurrent_writers_leave_one_whole_file(built, tmp_path):
    path = tmp_path / "gazetteer.index"
    index = (built.places, built._keys, built._exact, built.derived_keys)
    seen: list[object] = []

    def write() -> None:
        F.write_index(path, SOURCES, *index)
        seen.append(F.open_index(path, SOURCES))  # readers never see a half-written file

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 4 and all(opened is not None for opened in seen)
    assert [p.name for p in tmp_path.iterdir()] == ["gazetteer.index"]


def test_the_sources_key_follows_every_source_byte(monkeypatch, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("x,y\n1,2\n")
    b.write_text("z\n")
    monkeypatch.setattr(G, "_sources", lambda: [a, b])
    before = G._sources_hash()
    a.write_text("x,y\n1,3\n")  # same size, one byte changed
    assert G._sources_hash() != before
    monkeypatch.setattr(G, "_INDEX_VERSION", G._INDEX_VERSION + "x")
    a.write_text("x,y\n1,2\n")
    assert G._sources_hash() != before  # the build's version is part of the key


def test_an_installed_file_is_keyed_by_its_recorded_digest_size_and_time(tmp_path):
    packages = tmp_path / "site-packages"
    data = packages / "geodata" / "data" / "cities.json"
    data.parent.mkdir(parents=True)
    data.write_text("[1, 2, 3]")
    record = packages / "geodata-1.0.dist-info" / "RECORD"
    record.parent.mkdir()
    record.write_text("geodata/__init__.py,sha256=AAA,0\ngeodata/data/cities.json,sha256=RECORDED,9\n")
    assert G._installed_sha256(data) == "RECORDED"
    first = G._file_sha256(data)
    data.write_text("[1, 2, 4]")  # edited after installation: same size, later time
    os.utime(data, ns=(1, 1))
    assert G._file_sha256(data) != first
    record.write_text("geodata/__init__.py,sha256=AAA,0\n")  # not recorded: its own bytes are hashed
    assert G._installed_sha256(data) is None
    assert G._file_sha256(data) == hashlib.sha256(b"[1, 2, 4]").digest()
