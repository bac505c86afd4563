"""The HTML map in a real browser: Debian's Chromium, headless, driven by Playwright.

One browser serves the whole module (start-up is the slow part). No browser is ever
downloaded: Playwright is pointed at /usr/bin/chromium (or $JMAP_CHROMIUM). When
Chromium cannot be started these tests FAIL with the reason: CI installs it
(.ci/run), so a missing browser is a broken setup, not a reason to skip.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from jmap.project.builder import BuildOptions, build

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "examples" / "online-shop.yaml"
HOSTILE = ROOT / "tests" / "cases" / "xss" / "hostile.yaml"
SAAS = ROOT / "examples" / "saas-onboarding.yaml"  # has a storyboard
CHROMIUM = os.environ.get("JMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
]
#: Collects CSP violations before any of the page's own script runs.
WATCH_CSP = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        pytest.fail("the browser tests need Playwright's Python package: pip install -e '.[test]'")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: install Debian's 'chromium' package "
                    "(.ci/run does) or point JMAP_CHROMIUM at a Chromium binary; never download one")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as error:  # any launch failure is reported as such
        playwright.stop()
        pytest.fail(f"Chromium at {CHROMIUM} could not be started: {error}")
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The online-shop example as HTML, the hostile map as HTML and SVG, built as `jmap build` does."""
    out = tmp_path_factory.mktemp("built")
    report = build([str(SHOP), str(HOSTILE), str(SAAS)], BuildOptions(out_dir=out, formats=("svg", "html")))
    assert not report.failed, [d.message for r in report.failed for d in r.diagnostics]
    files = {path.name: path for result in report.results for path in result.outputs}
    return {
        "shop": files["online-shop.html"],
        "hostile": files["hostile.html"],
        "hostile-svg": files["hostile.svg"],
        "saas": files["saas-onboarding.html"],
    }


@dataclass
class Visit:
    """A page opened from disk, with everything it tried to do."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def island(self) -> dict[str, Any]:
        return json.loads(self.page.locator("#jmap-data").text_content())  # type: ignore[no-any-return]

    def card(self, text: str) -> Any:
        """The SVG element of the card whose tooltip text is `text`."""
        key = next(k for k, v in self.island()["cards"].items() if v["text"] == text)
        return self.page.locator(f'svg [data-id="{key}"], svg [id="{key}"]').first

    def offline(self) -> None:
        """Nothing but the file itself and data: URLs was requested; no error, no CSP violation."""
        foreign = [url for url in self.requests if url.split("#")[0] != self.url and not url.startswith("data:")]
        assert foreign == [], f"the page requested {foreign}"
        assert self.problems == [], self.problems
        assert self.page.evaluate("window.__csp") == []


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_page(path: Path, width: int = 1440, height: int = 900, scheme: str = "light", fragment: str = "") -> Visit:
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
        context.set_default_timeout(5000)
        contexts.append(context)
        page = context.new_page()
        page.add_init_script(WATCH_CSP)
        seen = Visit(page, path.as_uri())
        page.on("request", lambda request: seen.requests.append(request.url))
        page.on("console", lambda message: seen.problems.append(f"console {message.type}: {message.text}")
                if message.type in ("error", "warning") else None)
        page.on("pageerror", lambda error: seen.problems.append(f"page error: {error}"))

        def on_dialog(dialog: Any) -> None:
            seen.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(seen.url + (f"#{fragment}" if fragment else ""), wait_until="load")
        return seen

    yield open_page
    for context in contexts:
        context.close()


def box(locator: Any) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, "the element is not shown"
    return found  # type: ignore[no-any-return]


# --- the page -------------------------------------------------------------------------------


def test_loads_from_disk_with_no_request_and_no_error(visit: Any, built: dict[str, Path]) -> None:
    seen = visit(built["shop"])
    seen.page.wait_for_function("document.fonts.status === 'loaded'")
    assert seen.page.evaluate("document.fonts.check('600 16px Inter') && document.fonts.check('13px Inter')")
    assert seen.page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').length") >= 2
    seen.offline()
    assert seen.requests == [seen.url]


def test_hover_shows_the_full_text_evidence_and_severity(visit: Any, built: dict[str, Path]) -> None:
    seen = visit(built["shop"])
    tip = seen.page.locator("#jmap-tip")
    assert tip.is_hidden()
    seen.card("Landing page takes 6 s on mobile data").hover()
    assert tip.is_visible()
    text = tip.inner_text()
    assert "Landing page takes 6 s on mobile data" in text
    assert "The hero video alone is 4.8 MB and blocks the first render." in text  # the note
    assert "High" in text and "Severity" in text
    assert "Web analytics, Q3 2026" in text and "Analytics" in text and "2026-09" in text
    assert "71% of ad visitors leave the landing page within 10 s" in text
    seen.card("Guest checkout, with an optional account afterwards").hover()
    assert "Owner" in tip.inner_text() and "product" in tip.inner_text()
    # The tooltip stays on screen, beside the card it explains.
    tip_box, viewport = box(tip), seen.page.viewport_size
    assert tip_box["x"] >= 0 and tip_box["x"] + tip_box["width"] <= viewport["width"]
    assert tip_box["y"] >= 0 and tip_box["y"] + tip_box["height"] <= viewport["height"]
    seen.page.mouse.move(5, 5)
    assert tip.is_hidden()
    seen.offline()


def test_tab_reaches_cards_and_focus_shows_the_tooltip(visit: Any, built: dict[str, Path]) -> None:
    seen = visit(built["shop"])
    page = seen.page
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('jmap-card')"):
            break
    else:
        pytest.fail("Tab never reached a card of the map")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "Sees a sponsored post while scrolling"  # the journey's first card
    tip = page.locator("#jmap-tip")
    assert tip.is_visible() and focused in tip.inner_text()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # a visible ring
    assert page.evaluate("document.activeElement.getAttribute('aria-describedby')") == "jmap-tip"
    page.keyboard.press("Tab")
    assert "Taps through to the shop" in tip.inner_text()
    page.keyboard.press("Escape")
    assert tip.is_hidden()


def test_a_lane_toggle_hides_its_row(visit: Any, built: dict[str, Path]) -> None:
    seen = visit(built["shop"])
    page = seen.page
    rows = page.locator('svg [data-lane="pain_points"]')
    assert rows.count() > 3 and rows.first.is_visible()
    page.get_by_text("Lanes", exact=True).click()
    checkbox = page.get_by_role("checkbox", name="Pain points")
    checkbox.uncheck()
    assert all(rows.nth(i).is_hidden() for i in range(rows.count()))
    assert page.locator('svg [data-lane="opportunities"]').first.is_visible()
    checkbox.check()
    assert rows.first.is_visible()
    # The emotion lane takes its bands, scale and curves with it.
    page.get_by_role("checkbox", name="Emotion", exact=True).uncheck()
    for selector in ("svg .curve", "svg .emotion-band", 'svg .lane-label[data-lane="emotion"]'):
        assert page.locator(selector).first.is_hidden(), selector
    seen.offline()


def test_storyboard_pictures_show_their_tooltip_and_hide_with_their_lane(visit: Any, built: dict[str, Path]) -> None:
    seen = visit(built["saas"])
    page = seen.page
    pictures = page.locator('svg [data-lane="storyboard"] image')
    assert pictures.count() == 3 and pictures.first.is_visible()
    assert pictures.first.evaluate("i => i.getBBox().width > 100")  # drawn at the card's width
    seen.card("The test login fails with a bare code").hover()
    tip = page.locator("#jmap-tip").inner_text()
    assert "The test login fails with a bare code" in tip and "Alt text" in tip and "ERR_SAML_AUDIENCE" in tip
    page.mouse.move(5, 5)
    page.get_by_text("Lanes", exact=True).click()
    page.get_by_role("checkbox", name="Storyboard").uncheck()
    assert all(pictures.nth(i).is_hidden() for i in range(pictures.count()))
    assert page.locator('svg [data-lane="actions"]').first.is_visible()
    seen.offline()  # the pictures are data: URIs, nothing is fetched


def test_a_persona_toggle_hides_its_curve(visit: Any, built: dict[str, Path]) -> None:
    seen = visit(built["shop"])
    page = seen.page
    jon, maya = page.locator('svg .curve[data-persona="jon"]'), page.locator('svg .curve[data-persona="maya"]')
    assert jon.is_visible() and maya.is_visible()
    page.get_by_role("checkbox", name="Jon Berger").uncheck()
    assert jon.is_hidden() and maya.is_visible()
    assert page.locator('svg .persona[data-persona="jon"]').is_visible()  # the persona card stays
    page.get_by_role("checkbox", name="Jon Berger").check()
    assert jon.is_visible()


def test_zoom_buttons_wheel_fit_and_drag(visit: Any, built: dict[str, Path]) -> None:
    seen = visit(built["shop"], width=1280, height=720)
    page = seen.page
    svg = page.locator("#jmap-viewport > svg")
    view = page.locator("#jmap-viewport")
    natural = float(svg.get_attribute("width") or 0)
    page.get_by_role("button", name="Actual size").click()
    assert box(svg)["width"] == pytest.approx(natural, abs=1)
    page.get_by_role("button", name="Zoom in").click()
    assert box(svg)["width"] == pytest.approx(natural * 1.25, abs=1)
    assert page.locator("#jmap-zoom-level").inner_text() == "125%"
    page.get_by_role("button", name="Zoom out").click()
    page.get_by_role("button", name="Zoom out").click()
    assert box(svg)["width"] == pytest.approx(natural * 0.8, abs=1)
    page.get_by_role("button", name="Fit width").click()
    assert box(svg)["width"] == pytest.approx(view.evaluate("v => v.clientWidth"), abs=1)
    before = box(svg)["width"]
    frame = box(view)
    page.mouse.move(frame["x"] + 300, frame["y"] + 200)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -300)
    page.keyboard.up("Control")
    page.wait_for_function(f"document.querySelector('#jmap-viewport > svg').getBoundingClientRect().width > {before}")
    # Drag to pan.
    left = view.evaluate("v => v.scrollLeft")
    page.mouse.move(frame["x"] + 600, frame["y"] + 300)
    page.mouse.down()
    page.mouse.move(frame["x"] + 400, frame["y"] + 250, steps=5)
    page.mouse.up()
    assert view.evaluate("v => v.scrollLeft") == pytest.approx(left + 200, abs=2)


def test_stage_links_scroll_to_the_stage(visit: Any, built: dict[str, Path]) -> None:
    seen = visit(built["shop"], width=1280, height=720)
    page = seen.page
    page.get_by_role("button", name="Actual size").click()
    view = page.locator("#jmap-viewport")
    stage = page.locator("#stage-loyalty")
    assert box(stage)["x"] > box(view)["x"] + box(view)["width"]  # off to the right at 100%
    page.get_by_text("Stages", exact=True).click()
    page.get_by_role("link", name=re.compile("Loyalty")).click()
    assert page.evaluate("location.hash") == "#stage-loyalty"
    frame, target = box(view), box(stage)
    assert frame["x"] <= target["x"] and target["x"] + target["width"] <= frame["x"] + frame["width"]
    assert page.locator("details.menu[open]").count() == 0  # the menu closed after the jump
    # Opening the page at a stage's address scrolls there too.
    again = visit(built["shop"], width=1280, height=720, fragment="stage-delivery")
    frame, target = box(again.page.locator("#jmap-viewport")), box(again.page.locator("#stage-delivery"))
    assert frame["x"] <= target["x"] <= frame["x"] + frame["width"]


def test_print_shows_the_whole_map_on_landscape_pages(visit: Any, built: dict[str, Path]) -> None:
    seen = visit(built["shop"], width=1280, height=720)
    page = seen.page
    page.get_by_role("button", name="Zoom in").click()
    page.emulate_media(media="print")
    assert page.locator("nav.controls").is_hidden()
    assert page.locator(".skip").first.is_hidden()
    svg, view, body = page.locator("#jmap-viewport > svg"), page.locator("#jmap-viewport"), page.locator("main")
    svg_box = box(svg)
    assert svg_box["width"] == pytest.approx(box(body)["width"], abs=2)  # scaled to the page width
    natural_w, natural_h = float(svg.get_attribute("width") or 1), float(svg.get_attribute("height") or 1)
    assert svg_box["height"] / svg_box["width"] == pytest.approx(natural_h / natural_w, rel=0.01)
    assert view.evaluate("v => v.scrollWidth <= v.clientWidth + 1 && v.scrollHeight <= v.clientHeight + 1")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    sizes = [(float(w), float(h)) for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)]
    assert sizes and all(w > h for w, h in sizes), sizes  # landscape pages
    page.emulate_media(media="screen")
    assert page.locator("nav.controls").is_visible()


def test_screenshot_is_not_blank(visit: Any, built: dict[str, Path]) -> None:
    from PIL import Image

    seen = visit(built["shop"])
    seen.card("Size chart does not match the brand's cut").hover()
    image = Image.open(io.BytesIO(seen.page.screenshot())).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 200
    background = max(colours)[1]
    busy = sum(count for count, colour in colours if colour != background)
    assert busy > 0.2 * image.width * image.height


def test_dark_preference_darkens_the_default_theme(visit: Any, built: dict[str, Path]) -> None:
    seen = visit(built["shop"], scheme="dark")
    page = seen.page
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(15, 23, 42)"
    assert page.evaluate("getComputedStyle(document.querySelector('svg > rect.background')).fill") == "rgb(15, 23, 42)"
    card = seen.card("Sees a sponsored post while scrolling").locator(".box")
    assert card.evaluate("e => getComputedStyle(e).fill") == "rgb(30, 41, 59)"
    seen.offline()


# --- hostile maps ---------------------------------------------------------------------------------


def test_hostile_html_runs_no_payload(visit: Any, built: dict[str, Path]) -> None:
    seen = visit(built["hostile"])
    page = seen.page
    assert page.title().startswith("<script>window.__xss=1</script> {{7*7}}")
    assert page.locator("h1").inner_text().startswith("<script>window.__xss=1</script> {{7*7}}")
    # Open every tooltip, toggle everything, hover every link: the payloads reach the DOM as text.
    keys = list(seen.island()["cards"])
    assert len(keys) > 10
    tip_texts = page.evaluate(
        """(keys) => keys.map((key) => {
             const card = document.querySelector(`svg [data-id="${key}"], svg [id="${key}"]`)
               || [...document.querySelectorAll('svg .point')].find((p) => p.getAttribute('aria-label') !== null
                    && key === 'point:' + p.dataset.persona + ':' + (p.dataset.step || p.dataset.stage));
             if (!card) return null;
             card.focus();
             return document.getElementById('jmap-tip').textContent;
           })""",
        keys,
    )
    assert None not in tip_texts
    assert any("<script>window.__xss=1</script>" in text for text in tip_texts)
    assert any('"><img src=x onerror="window.__xss=1">' in text for text in tip_texts)
    for checkbox in page.locator("input[type=checkbox]").all():
        checkbox.evaluate("c => c.click()")
    for link in page.locator("a:not(.skip):visible").all():
        link.hover()
    page.locator(".sources a").first.focus()
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("typeof window.parent.__xss") == "undefined"
    assert seen.dialogs == []
    assert page.locator("img, iframe, script:not([id=jmap-data]):not(:last-of-type)").count() == 0
    seen.offline()


def test_hostile_svg_runs_no_payload(visit: Any, built: dict[str, Path]) -> None:
    seen = visit(built["hostile-svg"])
    page = seen.page
    assert page.evaluate("document.documentElement.localName") == "svg"
    assert page.evaluate("document.querySelectorAll('script, foreignObject, image, iframe').length") == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert seen.dialogs == []
    foreign = [url for url in seen.requests if url != seen.url and not url.startswith("data:")]
    assert foreign == []
    assert seen.problems == []


def test_hostile_research_links_are_inert(visit: Any, built: dict[str, Path]) -> None:
    seen = visit(built["hostile"])
    hrefs = seen.page.locator("a[href]").evaluate_all("links => links.map((a) => a.href)")
    for href in hrefs:
        assert re.match(r"(https?:|mailto:|file:.*#)", href), href
    evil = seen.page.locator(".sources a").first
    assert evil.get_attribute("href") == "https://example.com/'onmouseover='window.__xss=1'/?a=1&b=%3Cscript%3E"
    assert evil.get_attribute("onmouseover") is None
