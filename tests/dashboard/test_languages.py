"""The dashboard in Ukrainian and Russian: every word of the interface from the label files (the
report's, with the dashboard's own beside them), chosen by the link (#lang=uk) or the switch,
remembered by the browser, and no English left on the page. What people wrote (titles, evidence,
place names as reported, a finding's rationale in the agreement's language) is data, marked so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from truce.dashboard.data import labels
from truce.publish.report.i18n import LANGUAGES

from .test_dashboard_browser import _open, _sign_in

LABELS = Path(__file__).parents[2] / "src" / "truce" / "publish" / "report" / "labels" / "dashboard"
# Names that are the same in every language: the product, formats, licences, data sources, and
# the token's prefix (its placeholder shows the form a token has).
NAMES = {"truce", "GeoJSON", "CSV", "ACLED", "GeoPackage", "PDF", "CC", "BY", "SA", "DeepStateMap"}
NAMES |= {"API", "trc", "UTC"}

# The visible text of the page, leaving out what is data (class="data", or marked as written in
# another language with lang=) and the language switch, which names each language in its own.
VISIBLE_WORDS = """() => {
  const words = [];
  const skip = (el) => el.closest(".data, [lang]:not(html), #lang");
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || skip(el) || !node.textContent.trim()) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden" || el.closest("[hidden]")) continue;
    words.push(node.textContent);
  }
  for (const el of document.querySelectorAll("[placeholder], [title], [aria-label]")) {
    if (skip(el)) continue;
    for (const attr of ["placeholder", "title", "aria-label"]) {
      if (el.getAttribute(attr)) words.push(el.getAttribute(attr));
    }
  }
  return words;
}"""


def _english(texts: list[str]) -> list[str]:
    """Latin-letter words that are not names (ids like case-1a2b or 2S3 are not words either)."""
    found = []
    for text in texts:
        for word in re.findall(r"(?<![\w-])[A-Za-z][A-Za-z']+(?![\w-])", text):
            if word not in NAMES:
                found.append(f"{word!r} in {text.strip()[:80]!r}")
    return found


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_every_language_file_has_the_same_keys_and_placeholders():
    files = {lang: yaml.safe_load((LABELS / f"{lang}.yaml").read_text("utf-8")) for lang in LANGUAGES}
    for lang in ("uk", "ru"):
        assert files[lang].keys() == files["en"].keys(), lang
        for key, text in files["en"].items():
            assert _placeholders(text) == _placeholders(files[lang][key]), (lang, key)
    assert labels("uk")["groups"]["types"]["shelling"] != labels("en")["groups"]["types"]["shelling"]


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_the_interface_has_no_english_left(page, served, dash_world, lang, shot):
    _open(page, f"#lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    assert not _english(page.evaluate(VISIBLE_WORDS)), _english(page.evaluate(VISIBLE_WORDS))[:20]
    shot(page, f"lang-{lang}-public")
    page.locator("#findings li").first.click()  # a finding's details
    page.wait_for_selector("#finding-details")
    page.click("button[data-param=fez_width_km][data-value='40']")  # and a what-if
    page.wait_for_selector("#whatif-status[data-key='fez_width_km=40']")
    _sign_in(page, dash_world.tokens["monitor"], "monitor")  # the queue and the cases of staff
    page.locator("#queue .case").first.wait_for()
    page.locator("#cases-body li.case-item").first.click()
    page.wait_for_selector("#case-details")
    left = _english(page.evaluate(VISIBLE_WORDS))
    assert not left, left[:20]
    shot(page, f"lang-{lang}-monitor")
    report = page.get_attribute("#report-link", "href")
    assert f"lang={lang}" in report


def test_the_switch_changes_the_language_keeps_it_in_the_link_and_remembers_it(page, served):
    _open(page)
    assert page.inner_text("#filters h2") == "Filters"
    page.select_option("#lang", "ru")
    page.wait_for_selector("html[lang=ru]")
    page.wait_for_selector("body[data-ready]")
    assert "lang=ru" in page.url
    assert page.inner_text("#filters h2") == "Фильтры"
    page.goto("/dashboard")  # no language in the link: the one chosen last
    page.wait_for_selector("body[data-ready]")
    assert page.get_attribute("html", "lang") == "ru"
    page.goto("about:blank")
    page.goto("/dashboard#lang=uk")  # a link's language wins
    page.wait_for_selector("body[data-ready]")
    assert page.inner_text("#filters h2") == "Фільтри"
