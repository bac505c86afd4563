"""The one Jinja environment every jmap template is rendered with.

Autoescape is on for every template, whatever its name: `select_autoescape()`
would leave `.svg` and `.j2` templates unescaped, and user text reaches them.
Undefined names are errors, so a template typo fails loudly instead of
printing nothing. Compiled templates are kept in Jinja's per-user bytecode
cache, because compiling costs more than rendering in a short CLI process.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import jinja2

from jmap.render.filters import TEMPLATE_OPTIONS, num, xml_safe
from jmap.resources import data_dir


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Jinja's per-user cache folder (created 0700, ownership checked by Jinja).

    Jinja keys cached code by template source only, yet code compiled under other
    environment options (finalize, filters) would be stale: the file names carry a
    digest of this module and of the jmap and Jinja versions.
    """
    from jmap import __version__

    try:
        digest = hashlib.sha256(Path(__file__).read_bytes())
        digest.update(f"{__version__} {jinja2.__version__}".encode())
        return jinja2.FileSystemBytecodeCache(pattern=f"__jmap_{digest.hexdigest()[:16]}_%s.cache")
    except (OSError, RuntimeError):
        return None


@cache
def get_env() -> jinja2.Environment:
    """The shared environment (built once per process)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(data_dir("templates")),
        # autoescape is True for every template, including .svg/.j2: do not use select_autoescape
        autoescape=TEMPLATE_OPTIONS["autoescape"],
        trim_blocks=TEMPLATE_OPTIONS["trim_blocks"],
        lstrip_blocks=TEMPLATE_OPTIONS["lstrip_blocks"],
        keep_trailing_newline=TEMPLATE_OPTIONS["keep_trailing_newline"],
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_bytecode_cache(),
        auto_reload=False,
        finalize=xml_safe,
    )
    env.filters["num"] = num
    return env
