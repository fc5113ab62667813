from pathlib import Path

import pytest

from truce.errors import UserError
from truce.geo.gazetteer import (
    ResolveContext,
    get_gazetteer,
    import_geonames_dump,
    name_key,
    transliterate,
)
from truce.model import LocationPrecision

DATA = Path(__file__).resolve().parent.parent / "extract" / "data"


@pytest.fixture(autouse=True, scope="module")
def _cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("TRUCE_CACHE_DIR", str(tmp_path_factory.mktemp("gaz-cache")))
    yield
    mp.undo()


@pytest.fixture(scope="module")
def gaz(_cache):
    return get_gazetteer()


@pytest.mark.parametrize(
    "variants",
    [
        ["Huliaipole", "Hulyaypole", "Гуляйполе", "Gulyai-Pole"],
        ["Zaporizhzhia", "Zaporizhzhya", "Zaporizhia", "Запоріжжя"],
        ["Sievierodonetsk", "Severodonetsk", "Sjevjerodoneck"],
        ["Dokuchaievsk", "Dokuchaevsk", "Dokuchayevsk"],
    ],
)
def test_transliteration_variants_share_a_key(variants):
    assert len({name_key(v) for v in variants}) == 1


def test_transliteration_kmu2010():
    assert transliterate("Гуляйполе") == "Huliaipole"
    assert transliterate("Запоріжжя") == "Zaporizhzhia"
    assert transliterate("Харків") == "Kharkiv"


@pytest.mark.parametrize(
    "name,expected,admin1",
    [
        ("Zaporozhye", "Zaporizhzhia", "Zaporizhzhia Oblast"),
        ("Kharkov", "Kharkiv", "Kharkiv Oblast"),
        ("Hulyaypole", "Huliaipole", "Zaporizhzhia Oblast"),
        ("Krasnoarmeysk", "Pokrovsk", "Donetsk Oblast"),
        ("Dymytrov", "Myrnohrad", "Donetsk Oblast"),
        ("Severodonetsk", "Sievierodonetsk", "Luhansk Oblast"),
        ("Artemivsk", "Bakhmut", "Donetsk Oblast"),
        ("Kominternove", "Pikuzy", "Donetsk Oblast"),
        ("Dokuchaevsk", "Dokuchaievsk", "Donetsk Oblast"),
        ("Київ", "Kyiv", "Kyiv City"),
        ("Харкові", "Kharkiv", "Kharkiv Oblast"),  # an inflected Cyrillic form
    ],
)
def test_lookup_finds_former_russian_and_cyrillic_names(gaz, name, expected, admin1):
    best = gaz.lookup(name)[0] if "і" not in name[-1:] else gaz.resolve(name)
    assert best.name == expected
    assert best.admin1 == admin1


def test_repeated_names_disambiguated_by_context(gaz):
    # Pokrovsk: the Donetsk city by default, the Russian one when the text is about Russia.
    assert gaz.resolve("Pokrovsk").admin1 == "Donetsk Oblast"
    assert gaz.resolve("Pokrovsk", ResolveContext(country_hint="RU")).country == "RU"
    # Huliaipole: Zaporizhzhia by default, Dnipropetrovsk when the text names that oblast nearby.
    assert gaz.resolve("Huliaipole").admin1 == "Zaporizhzhia Oblast"
    dn = gaz.resolve("Huliaipole", ResolveContext(oblast_hints={"UA-12": 1.0}))
    assert dn.admin1 == "Dnipropetrovsk Oblast"
    assert gaz.lookup("Huliaipole", oblast_hint="Dnipropetrovsk")[0].admin1 == "Dnipropetrovsk Oblast"


def test_unknown_village_falls_back_to_the_oblast_the_text_gives(gaz):
    # 'Andriivka, Kherson region' exists; a made-up name in an oblast falls back to the oblast,
    # and a real name bound to the wrong oblast never jumps to its namesake elsewhere.
    place = gaz.resolve("Nosuchvillage", ResolveContext(binding_admin1="UA-65"))
    assert place.precision is LocationPrecision.oblast and place.admin1 == "Kherson Oblast"
    place = gaz.resolve("Kreminna", ResolveContext(binding_admin1="UA-65"))
    assert place.precision is LocationPrecision.oblast
    assert (
        gaz.resolve("Kreminna", ResolveContext(binding_admin1="UA-09")).precision
        is LocationPrecision.settlement
    )


def test_oblasts_russian_regions_and_countries(gaz):
    assert gaz.oblast("Zaporozhye").admin1 == "Zaporizhzhia Oblast"
    assert gaz.oblast("UA-14").name == "Donetsk Oblast"
    assert gaz.oblast("Белгородская").admin1 == "Belgorod Oblast"
    samara = gaz.resolve("Samara", ResolveContext(kind="region"))
    assert samara.precision is LocationPrecision.oblast and samara.country == "RU"
    assert gaz.resolve("Novokuybyshevsk").admin1 == "Samara Oblast"
    assert gaz.country("UA").to_location().precision is LocationPrecision.country


def test_import_geonames_dump_adds_aliases_and_places(gaz):
    summary = import_geonames_dump(DATA / "geonames_UA_sample.txt", gaz, persist=False)
    assert summary.lines == 2 and summary.places_added == 1 and summary.aliases_added >= 1
    assert gaz.lookup("Testopokrovsk")[0].name == "Pokrovsk"
    new = gaz.lookup("Новотестівка")[0]
    assert new.name == "Novotestivka" and new.admin1 == "Donetsk Oblast"


def test_import_geonames_dump_rejects_malformed_lines(gaz):
    with pytest.raises(UserError) as err:
        import_geonames_dump(DATA / "geonames_bad.txt", gaz, persist=False)
    assert str(err.value).startswith(f"{DATA / 'geonames_bad.txt'}:1: expected 19 tab-separated columns")


def test_russian_forms_of_ukrainian_names():
    from truce.geo.ru_spelling import russian_forms

    assert "кисловка" in russian_forms("Кислівка")
    assert "малая токмачка" in russian_forms("Мала Токмачка")
    assert "степногорск" in russian_forms("Степногірськ")
    assert "пыльная".replace("ы", "и") in russian_forms("Пильна")
    assert russian_forms("Pokrovsk") == []


def test_a_russian_spelling_finds_the_ukrainian_village():
    from truce.geo.gazetteer import get_gazetteer, name_key

    gaz = get_gazetteer()
    assert [p.name for p in gaz.lookup("Kislovka", oblast_hint="Kharkiv Oblast")][:1] == ["Kyslivka"]
    assert gaz.only_derived(name_key("Kislovka"))
    assert not gaz.only_derived(name_key("Kyslivka"))


def test_a_raion_is_the_mean_of_its_settlements_and_sees_places_added_later(gaz):
    from truce.geo.gazetteer import Place

    raion = gaz.raion("Kupianskyi district", "UA-63")
    members = [p for p in gaz.places if p.raion == "Kupianskyi" and p.admin1_code == "UA-63"]
    assert raion.precision is LocationPrecision.raion and raion.name == "Kupianskyi Raion"
    assert raion.lat == pytest.approx(sum(p.lat for p in members) / len(members))
    assert gaz.raion("Kupianskyi", "UA-14") is None  # not in another oblast
    far = Place(
        name="Testove", country="UA", precision=LocationPrecision.settlement, admin1="Kharkiv Oblast",
        admin1_code="UA-63", raion="Testivskyi", lat=49.0, lon=37.0,
    )
    gaz.add_place(far, [])
    assert gaz.raion("Testivskyi raion", "UA-63").lat == 49.0  # the index is rebuilt after an addition


def test_is_cyrillic_counts_letters_of_each_script():
    from truce.geo.gazetteer import is_cyrillic

    assert is_cyrillic("Обстріл Харкова") and not is_cyrillic("Shelling of Kharkiv")
    assert not is_cyrillic("Kharkiv (Харків) was shelled")  # more Latin letters than Cyrillic
    assert not is_cyrillic("12:30 — 🔥") and is_cyrillic("ЗСУ: 12 дронів")


def test_the_cached_index_loads_the_same_places_it_was_built_with(tmp_path, monkeypatch):
    from truce.geo import gazetteer as G

    monkeypatch.setenv("TRUCE_CACHE_DIR", str(tmp_path))
    G.get_gazetteer.cache_clear()
    try:
        built = G.get_gazetteer()  # built from the sources, then written to the cache
        (cached_file,) = tmp_path.glob("gazetteer-v*.index")
        G.get_gazetteer.cache_clear()
        loaded = G.get_gazetteer()  # read back from the cache file
    finally:
        G.get_gazetteer.cache_clear()
    assert loaded is not built and loaded.places == built.places
    assert all(type(p.precision) is LocationPrecision for p in loaded.places)
    assert loaded.resolve("Hroza", G.ResolveContext(oblast_hints={"UA-63": 1.0})).raion == "Kupianskyi"
    assert cached_file.stat().st_size > 0
