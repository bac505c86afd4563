"""`jmap watch` and `jmap serve`: edit files while they run (in a thread, bounded time) and look at the result."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import queue
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import jmap.project.builder as B
import jmap.project.watch as W
from jmap.model.model import Journey
from jmap.project.builder import BuildOptions, BuildReport, Settings, configure
from jmap.project.config import ProjectConfig
from jmap.project.serve import RELOAD_SCRIPT, ReloadServer, allow_reload, inject_reload, serve
from jmap.project.watch import watch

MAP = "jmap: 1\ntitle: {title}\nstages:\n  - id: start\n    name: Start\n    emotion: 0\n"
LIBRARY = "jmap: 1\npersonas:\n  - id: ana\n    name: {name}\n"
WITH_INCLUDE = ("jmap: 1\ntitle: People\ninclude: [people.lib.yaml]\n"
                "stages:\n  - id: s\n    name: S\n    emotion: {ana: 1}\n")
TIMEOUT = 15

PAGE = ('<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; '
        'script-src &#39;sha256-abc&#39;; connect-src &#39;none&#39;"></head><body><h1>{title}</h1></body></html>')


def fake_render(journey: Journey, fmt: str, options: BuildOptions) -> bytes:
    people = ",".join(p.name for p in journey.personas)
    if fmt == "html":
        return PAGE.format(title=journey.title).encode()
    return f"<{fmt} {journey.title} {people}>".encode()


@pytest.fixture
def site(project: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Two maps (one includes a library file), a fake renderer, and a private 'themes' folder."""
    monkeypatch.setattr(B, "render_format", fake_render)
    themes = project / "themes"
    themes.mkdir()
    monkeypatch.setattr(W, "theme_folders", lambda: [themes])
    maps = project / "journeys"
    maps.mkdir()
    (maps / "a.yaml").write_text(MAP.format(title="Alpha"))
    (maps / "people.yaml").write_text(WITH_INCLUDE)
    (maps / "people.lib.yaml").write_text(LIBRARY.format(name="Ana"))
    return configure(ProjectConfig(root=project), [str(maps)], out_dir=project / "out", jobs=1)


def wait_for(reports: queue.Queue[BuildReport], predicate: Callable[[BuildReport], bool]) -> BuildReport:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            report = reports.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if predicate(report):
            return report
    raise AssertionError("no such build within the time limit")


def built(*names: str) -> Callable[[BuildReport], bool]:
    return lambda report: sorted(r.source.name for r in report.built) == sorted(names)


@pytest.fixture
def running(site: Settings) -> Iterator[tuple[queue.Queue[BuildReport], list[str]]]:
    reports: queue.Queue[BuildReport] = queue.Queue()
    errors: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(site,), kwargs={
        "on_build": reports.put, "stop": stop, "debounce_ms": 30, "on_error": lambda e: errors.append(str(e))})
    thread.start()
    try:
        yield reports, errors
    finally:
        stop.set()
        thread.join(TIMEOUT)
        assert not thread.is_alive()


def test_watch_rebuilds_what_an_edit_affects(site: Settings, project: Path, running: tuple) -> None:
    reports, _errors = running
    wait_for(reports, built("a.yaml", "people.yaml"))
    (project / "journeys" / "a.yaml").write_text(MAP.format(title="Alpha two"))
    wait_for(reports, built("a.yaml"))
    assert (project / "out" / "a.svg").read_bytes() == b"<svg Alpha two >"
    (project / "journeys" / "people.lib.yaml").write_text(LIBRARY.format(name="Bea"))
    wait_for(reports, built("people.yaml"))
    assert (project / "out" / "people.svg").read_bytes() == b"<svg People Bea>"


def test_watch_reports_a_broken_map_and_goes_on(site: Settings, project: Path, running: tuple) -> None:
    reports, _errors = running
    wait_for(reports, built("a.yaml", "people.yaml"))
    (project / "journeys" / "a.yaml").write_text("jmap: 1\ntitle: [broken\n")
    report = wait_for(reports, lambda r: bool(r.failed))
    assert report.failed[0].diagnostics[0].code == "E104"
    (project / "journeys" / "a.yaml").write_text(MAP.format(title="Fixed"))
    wait_for(reports, built("a.yaml"))
    assert (project / "out" / "a.svg").read_bytes() == b"<svg Fixed >"
    (project / "journeys" / "new.yaml").write_text(MAP.format(title="New"))
    wait_for(reports, built("new.yaml"))


def test_a_theme_change_reloads_the_renderer(site: Settings, project: Path, running: tuple,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    reports, _errors = running
    cleared = threading.Event()
    monkeypatch.setattr(W, "_clear_renderer_caches", cleared.set)
    wait_for(reports, built("a.yaml", "people.yaml"))
    (project / "themes" / "theme.toml").write_text('name = "x"\n')
    wait_for(reports, lambda r: True)
    assert cleared.is_set()


def test_outputs_written_by_the_build_do_not_trigger_builds(site: Settings, project: Path, running: tuple) -> None:
    reports, _errors = running
    wait_for(reports, built("a.yaml", "people.yaml"))
    (project / "out" / "extra.yaml").write_text(MAP.format(title="In the output folder"))
    with pytest.raises(queue.Empty):
        reports.get(timeout=0.5)


# --- serve ------------------------------------------------------------------------------


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 - loopback only
        return response.read()  # type: ignore[no-any-return]


def status(server: ReloadServer, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=TIMEOUT)
    connection.request("GET", path)
    code = connection.getresponse().status
    connection.close()
    return code


def test_serve_reloads_the_page_after_a_rebuild(site: Settings, project: Path) -> None:
    (project / "secret.txt").write_text("not for the browser")
    reports: queue.Queue[BuildReport] = queue.Queue()
    servers: queue.Queue[ReloadServer] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(site,), kwargs={
        "on_ready": servers.put, "on_build": reports.put, "stop": stop, "debounce_ms": 30})
    thread.start()
    try:
        server = servers.get(timeout=TIMEOUT)
        assert server.server_address[0] == "127.0.0.1"
        wait_for(reports, built("a.yaml", "people.yaml"))
        page = fetch(server.url + "a.html")
        assert b"<h1>Alpha</h1>" in page and b"/__jmap_reload" in page
        assert b"__jmap_reload" not in (project / "out" / "a.html").read_bytes()  # only the served copy
        before = json.loads(fetch(server.url + "__jmap_reload"))["build"]
        (project / "journeys" / "a.yaml").write_text(MAP.format(title="Alpha two"))
        wait_for(reports, built("a.yaml"))
        after = json.loads(fetch(server.url + "__jmap_reload"))["build"]
        assert after > before
        assert b"<h1>Alpha two</h1>" in fetch(server.url + "a.html")
        assert b"a.html" in fetch(server.url)  # a listing of the outputs
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/.jmap-cache.json",
                     "//etc/passwd", "/a.html%00.svg", "/nothing.html"):
            assert status(server, path) == 404, path
    finally:
        stop.set()
        thread.join(TIMEOUT)
    assert not thread.is_alive()


def test_the_served_policy_allows_exactly_the_reload_script() -> None:
    page = inject_reload(PAGE.format(title="T").encode()).decode()
    script = re.search(r"<script>(.*?)</script>", page)
    assert script is not None and script.group(1) == RELOAD_SCRIPT
    expected = "'sha256-" + base64.b64encode(hashlib.sha256(RELOAD_SCRIPT.encode()).digest()).decode() + "'"
    assert f"script-src &#x27;sha256-abc&#x27; {expected.replace(chr(39), '&#x27;')};" in page
    assert "connect-src &#x27;self&#x27;" in page and "connect-src &#x27;none&#x27;" not in page
    assert page.index("<script>") < page.index("</body>")
    assert allow_reload("default-src 'none'") == f"default-src 'none'; script-src {expected}; connect-src 'self'"
    assert allow_reload("img-src data:") == "img-src data:"  # no script restriction: nothing to add


@pytest.mark.browser
def test_the_page_reloads_in_a_browser(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real HTML renderer, real Chromium: the reload script runs under the page's policy and reloads it."""
    import os

    chromium = os.environ.get("JMAP_CHROMIUM", "/usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(chromium).exists():
        pytest.skip("no Chromium")
    monkeypatch.setattr(W, "theme_folders", lambda: [])
    (project / "a.yaml").write_text(MAP.format(title="Before the edit"))
    settings = configure(ProjectConfig(root=project), [str(project / "a.yaml")], out_dir=project / "out", jobs=1)
    reports: queue.Queue[BuildReport] = queue.Queue()
    servers: queue.Queue[ReloadServer] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(settings,), kwargs={
        "on_ready": servers.put, "on_build": reports.put, "stop": stop, "debounce_ms": 30})
    thread.start()
    try:
        server = servers.get(timeout=TIMEOUT)
        report = wait_for(reports, lambda r: True)
        assert not report.failed, [str(d) for r in report.failed for d in r.diagnostics]
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            violations: list[str] = []
            page.on("console", lambda message: violations.append(message.text)
                    if "Content Security Policy" in message.text else None)
            page.goto(server.url + "a.html")
            assert "Before the edit" in page.content()
            page.wait_for_timeout(700)  # the script has read the counter once
            with page.expect_navigation(timeout=TIMEOUT * 1000):  # the reload
                (project / "a.yaml").write_text(MAP.format(title="After the edit"))
            assert "After the edit" in page.content()
            browser.close()
        assert violations == []
    finally:
        stop.set()
        thread.join(TIMEOUT)
