"""`jmap serve`: the HTML outputs on http://127.0.0.1, reloading in the browser after each build.

Only files under the output folder are served (no path outside it, no hidden
files, loopback only). Served HTML pages get a tiny script, added on the way
out and never to the files on disk, that polls `/__jmap_reload` for the build
counter and reloads the page when it changes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable

    from jmap.diagnostics import JmapError
    from jmap.project.builder import BuildReport, Reporter, Settings

RELOAD_PATH = "/__jmap_reload"
HOST = "127.0.0.1"

#: Polls the build counter and reloads the page when it moves.
RELOAD_SCRIPT = (
    "(function(){var seen=null;function poll(){"
    f'fetch("{RELOAD_PATH}",{{cache:"no-store"}})'
    ".then(function(r){return r.json();})"
    ".then(function(d){if(seen===null){seen=d.build;}else if(d.build!==seen){location.reload();}})"
    ".catch(function(){}).then(function(){setTimeout(poll,500);});}poll();})();"
)
RELOAD_TAG = f"<script>{RELOAD_SCRIPT}</script>"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".woff2": "font/woff2",
}


class BuildCounter:
    """How many builds have finished; the reload endpoint reports it."""

    def __init__(self) -> None:
        self._value = 0
        self._lock = threading.Lock()

    @property
    def value(self) -> int:
        with self._lock:
            return self._value

    def bump(self) -> int:
        with self._lock:
            self._value += 1
            return self._value


def inject_reload(page: bytes) -> bytes:
    """The page with the reload script before its last </body> (or at its end).

    jmap's pages carry a Content-Security-Policy that allows only their own script
    (by hash) and no network; the served copy's policy also allows exactly the
    reload script (by its hash) and requests to this server ('self'), nothing more.
    """
    lower = page.lower()
    at = lower.rfind(b"</body>")
    tag = RELOAD_TAG.encode()
    page = page + tag if at < 0 else page[:at] + tag + page[at:]
    return _CSP_META.sub(_allow_reload, page)


_CSP_META = re.compile(rb"<meta\b[^>]*http-equiv\s*=\s*[\"']?content-security-policy[\"']?[^>]*>", re.IGNORECASE)
_CONTENT = re.compile(rb"(\bcontent\s*=\s*)(\"[^\"]*\"|'[^']*')", re.IGNORECASE)


def _allow_reload(meta: re.Match[bytes]) -> bytes:
    def rewrite(content: re.Match[bytes]) -> bytes:
        policy = html.unescape(content.group(2)[1:-1].decode("utf-8", errors="replace"))
        return content.group(1) + b'"' + html.escape(allow_reload(policy), quote=True).encode() + b'"'

    return _CONTENT.sub(rewrite, meta.group(0), count=1)


def allow_reload(policy: str) -> str:
    """A CSP that also lets the reload script run and poll this server."""
    script_hash = "'sha256-" + base64.b64encode(hashlib.sha256(RELOAD_SCRIPT.encode()).digest()).decode() + "'"
    directives: list[list[str]] = [d.split() for d in policy.split(";") if d.strip()]
    names = [d[0].lower() for d in directives]
    restricted = "default-src" in names
    for name, source in (("script-src", script_hash), ("connect-src", "'self'")):
        if name in names:
            directive = directives[names.index(name)]
            directive[1:] = [s for s in directive[1:] if s != "'none'"] + [source]
        elif restricted:
            directives.append([name, source])
    return "; ".join(" ".join(d) for d in directives)


class _Handler(BaseHTTPRequestHandler):
    server: ReloadServer
    server_version = "jmap-serve"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        if self.server.log is not None:
            self.server.log(format % args)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._respond(head=False)

    def _host_is_local(self) -> bool:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        return host in ("127.0.0.1", "localhost", "::1")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _respond(self, head: bool) -> None:
        if not self._host_is_local():
            # A web page on another site could point its own host name at 127.0.0.1 (DNS
            # rebinding) and read the maps: answer only requests addressed to this machine.
            self._send(HTTPStatus.FORBIDDEN, b"jmap serve answers only localhost\n", "text/plain", head)
            return
        path = unquote(urlsplit(self.path).path)
        if path == RELOAD_PATH:
            body = json.dumps({"build": self.server.counter.value}).encode()
            return self._send(HTTPStatus.OK, body, "application/json", head)
        target = self.server.resolve(path)
        if target is None:
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", head)
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", quote(path + "/"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            index = target / "index.html"
            if index.is_file():
                target = index
            else:
                return self._send(HTTPStatus.OK, inject_reload(self.server.listing(target)), _TYPES[".html"], head)
        try:
            body = target.read_bytes()
        except OSError:
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", head)
        content_type = _TYPES.get(target.suffix.lower(), "application/octet-stream")
        if target.suffix.lower() == ".html":
            body = inject_reload(body)
        return self._send(HTTPStatus.OK, body, content_type, head)


class ReloadServer(ThreadingHTTPServer):
    """Serves one folder on the loopback interface, with the reload endpoint."""

    daemon_threads = True

    def __init__(self, folder: Path, port: int = 0, counter: BuildCounter | None = None,
                 log: Callable[[str], None] | None = None) -> None:
        self.folder = Path(os.path.realpath(folder))
        self.counter = counter or BuildCounter()
        self.log = log  # a callable taking one line, or None for silence
        super().__init__((HOST, port), _Handler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"

    def resolve(self, path: str) -> Path | None:
        """The file or folder a URL path names, if it lies inside the served folder and is not hidden."""
        parts = [p for p in path.split("/") if p]
        if "\0" in path or "\\" in path or any(p == ".." or p.startswith(".") for p in parts):
            return None
        target = Path(os.path.realpath(self.folder.joinpath(*parts)))
        if target != self.folder and not target.is_relative_to(self.folder):
            return None  # a symlink out of the folder
        return target if target.exists() else None

    def listing(self, folder: Path) -> bytes:
        """An index of the outputs below a folder, HTML pages first."""
        rows = []
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or Path(name).suffix.lower() not in _TYPES:
                    continue
                relative = Path(root, name).relative_to(folder).as_posix()
                rows.append((not name.endswith(".html"), relative))
        items = "\n".join(f'<li><a href="{html.escape(quote(rel))}">{html.escape(rel)}</a></li>'
                          for _, rel in sorted(rows))
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>jmap serve</title>'
            "<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem}</style></head><body>"
            f"<h1>Journey maps</h1><ul>{items or '<li>No outputs yet.</li>'}</ul></body></html>"
        ).encode()


def start_server(folder: Path, port: int = 0, counter: BuildCounter | None = None,
                 log: Callable[[str], None] | None = None) -> tuple[ReloadServer, threading.Thread]:
    """Start serving `folder` in a background thread; stop with `server.shutdown()`."""
    folder.mkdir(parents=True, exist_ok=True)
    server = ReloadServer(folder, port, counter, log)
    thread = threading.Thread(target=server.serve_forever, name="jmap-serve", daemon=True)
    thread.start()
    return server, thread


def serve_settings(settings: Settings) -> Settings:
    """The build behind `jmap serve`: HTML among the formats, and one output folder to serve."""
    from jmap.project.builder import pattern_root

    options = settings.options
    formats = options.formats if "html" in options.formats else (*options.formats, "html")
    out_dir = options.out_dir
    if out_dir is None:
        out_dir = pattern_root(settings.paths[0]) / "build" if settings.paths else Path("build")
        # The default folder, unlike one given with -o, must stay in the project: it is written and served.
        from jmap.fsutil import inside
        from jmap.loading.load import find_root

        if not inside(out_dir, find_root(out_dir.parent)):
            from jmap.diagnostics import UsageError, clip
            from jmap.loading.load import display_path

            raise UsageError(f"{clip(display_path(out_dir), 80)} leads outside the project, to "
                             f"{clip(display_path(Path(os.path.realpath(out_dir))), 80)}; remove the link, "
                             "or choose the output folder with -o")
    return settings._replace(options=options._replace(formats=formats, out_dir=out_dir))


def serve(
    settings: Settings,
    *,
    port: int = 0,
    reporter: Reporter | None = None,
    on_ready: Callable[[ReloadServer], None] | None = None,
    on_build: Callable[[BuildReport], None] | None = None,
    on_error: Callable[[JmapError], None] | None = None,
    reload: Callable[[], Settings] | None = None,
    stop: threading.Event | None = None,
    log: Callable[[str], None] | None = None,
    debounce_ms: int | None = None,
) -> None:
    """Serve the HTML outputs with live reload, rebuilding on every change until `stop` (or Ctrl-C)."""
    from jmap.project.watch import DEBOUNCE_MS, watch

    settings = serve_settings(settings)
    assert settings.options.out_dir is not None
    counter = BuildCounter()
    server, thread = start_server(settings.options.out_dir, port, counter, log)

    def built(report: BuildReport) -> None:
        if report.built or report.failed or report.pruned or counter.value == 0:
            counter.bump()
        if on_build:
            on_build(report)

    try:
        if on_ready:
            on_ready(server)
        watch(settings, reporter=reporter, on_build=built, on_error=on_error,
              reload=(lambda: serve_settings(reload())) if reload else None, stop=stop,
              debounce_ms=DEBOUNCE_MS if debounce_ms is None else debounce_ms)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
