"""`jmap watch`: rebuild the affected maps whenever a map, an included file, an image or a theme changes.

The watcher (watchfiles: native file events) starts before the first build, so an
edit made while that build runs is not lost. Each batch of changes runs an
incremental build: the cache decides which maps are affected (a map whose own
bytes, includes or avatars changed; all maps when a theme or template changed).
A broken map is reported and watching goes on.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from jmap.diagnostics import JmapError
from jmap.project.builder import BuildReport, Reporter, Settings, pattern_root
from jmap.project.cache import CACHE_FILE, toolchain_fingerprint
from jmap.project.config import CONFIG_FILE, PYPROJECT

MAP_SUFFIXES = (".yaml", ".yml")
#: Milliseconds to wait for more changes before building (an editor's save is often several events).
DEBOUNCE_MS = 150


def theme_folders() -> list[Path]:
    """jmap's own templates and themes: a change there re-renders every map."""
    from jmap.resources import data_dir

    folders = []
    for name in ("templates", "themes"):
        try:
            folders.append(data_dir(name))
        except FileNotFoundError:
            continue
    return folders


def _clear_renderer_caches() -> None:
    """Forget compiled templates and parsed themes, so the next build reads them again."""
    toolchain_fingerprint.cache_clear()
    env = sys.modules.get("jmap.render.env")
    if env is not None and hasattr(getattr(env, "get_env", None), "cache_clear"):
        env.get_env.cache_clear()
    themes = sys.modules.get("jmap.model.themes")
    if themes is not None and hasattr(themes, "clear_cache"):
        themes.clear_cache()


class _Changes:
    """Decides which file events matter: maps, files maps read, themes, the config; not outputs."""

    def __init__(self, settings: Settings) -> None:
        self.update(settings, [])

    def update(self, settings: Settings, deps: list[Path]) -> None:
        options = settings.options
        self.outputs = os.path.abspath(options.out_dir) + os.sep if options.out_dir is not None else None
        self.deps = {os.path.abspath(d) for d in deps}
        self.themes = [os.path.abspath(f) + os.sep for f in theme_folders()]
        self.config = os.path.abspath(settings.config.source) if settings.config.source else None

    def relevant(self, path: str) -> bool:
        absolute = os.path.abspath(path)
        name = os.path.basename(absolute)
        if name == CACHE_FILE or name.endswith(".tmp") or (name.startswith(".") and name.endswith(".tmp")):
            return False
        if self.outputs is not None and absolute.startswith(self.outputs):
            return False
        return (absolute in self.deps or absolute.endswith(MAP_SUFFIXES) or absolute == self.config
                or name in (CONFIG_FILE, PYPROJECT) or any(absolute.startswith(t) for t in self.themes))

    def theme_changed(self, paths: list[str]) -> bool:
        return any(os.path.abspath(p).startswith(t) for p in paths for t in self.themes)

    def config_changed(self, paths: list[str]) -> bool:
        return any(os.path.basename(p) in (CONFIG_FILE, PYPROJECT) for p in paths)


def watch_folders(settings: Settings, deps: list[Path]) -> list[Path]:
    """The folders to watch: the inputs, the folders of files maps read elsewhere, jmap's themes."""
    folders: list[str] = []
    for pattern in settings.paths:
        root = pattern_root(pattern)
        folders.append(os.path.abspath(root if root.is_dir() else root.parent))
    folders += [os.path.dirname(os.path.abspath(d)) for d in deps]
    if settings.config.source is not None:
        folders.append(os.path.dirname(os.path.abspath(settings.config.source)))
    folders += [os.path.abspath(f) for f in theme_folders()]
    unique: list[str] = []
    for folder in sorted(set(folders), key=len):
        if os.path.isdir(folder) and not any(folder.startswith(u.rstrip(os.sep) + os.sep) for u in unique):
            unique.append(folder)
    return [Path(f) for f in unique]


def watch(
    settings: Settings,
    *,
    reporter: Reporter | None = None,
    on_build: Callable[[BuildReport], None] | None = None,
    on_error: Callable[[JmapError], None] | None = None,
    reload: Callable[[], Settings] | None = None,
    stop: threading.Event | None = None,
    debounce_ms: int = DEBOUNCE_MS,
    poll: bool | None = None,
) -> None:
    """Build, then rebuild on every relevant change until `stop` is set (or Ctrl-C).

    `on_build` hears every build's report (the first one included); `reload` gives
    fresh settings when the config file changes (a broken config is reported through
    `on_error` and the previous settings stay).
    """
    import watchfiles

    stop = stop or threading.Event()
    changes = _Changes(settings)
    deps: list[Path] = []

    def run() -> None:
        nonlocal deps
        try:
            report = settings.build(reporter=reporter)
        except JmapError as error:
            if on_error:
                on_error(error)
            return
        deps = sorted({d for r in report.results for d in r.deps})
        changes.update(settings, deps)
        if on_build:
            on_build(report)

    def watcher(folders: list[Path]) -> object:
        return watchfiles.watch(
            *folders, watch_filter=lambda _change, path: changes.relevant(path), debounce=debounce_ms,
            stop_event=stop, rust_timeout=200, yield_on_timeout=True, force_polling=poll, raise_interrupt=True,
        )

    folders = watch_folders(settings, deps)
    events = iter(watcher(folders))  # type: ignore[call-overload]
    next(events, None)  # the watcher is running once it first times out: now no edit can be missed
    run()
    while not stop.is_set():
        if watch_folders(settings, deps) != folders:  # an include or avatar in a folder not yet watched
            folders = watch_folders(settings, deps)
            events = iter(watcher(folders))  # type: ignore[call-overload]
            next(events, None)
            run()
            continue
        batch = next(events, None)
        if batch is None:
            break
        paths = [path for _change, path in batch]
        if not paths:
            continue
        if changes.theme_changed(paths):
            _clear_renderer_caches()
        if reload is not None and changes.config_changed(paths):
            try:
                settings = reload()
            except JmapError as error:
                if on_error:
                    on_error(error)
                continue
        run()

