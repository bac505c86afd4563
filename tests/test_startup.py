"""A plain `jmap build` starts lean: what it imports, and a cheap but faithful toolchain fingerprint."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import jmap.resources
from jmap.project.cache import toolchain_fingerprint

ROOT = Path(__file__).resolve().parent.parent

#: Never imported by a plain build of a valid map: the command line (typer, click), the terminal
#: UI (rich), the schema library (the fast path has a compiled validator), Jinja (the SVG template
#: is compiled ahead), ruamel (miniyaml reads plain maps) and dataclasses with inspect (records
#: are NamedTuples): each costs a whole build several milliseconds (docs/performance.md).
NEVER = ("typer", "click", "rich", "jsonschema", "jinja2", "ruamel", "_ruamel_yaml", "dataclasses", "inspect")
#: The line breakers (ICU, hyphenation dictionaries, the phrase segmenter): for text the quick
#: rules of jmap.layout.text do not cover, which no English example has.
LINE_BREAKERS = ("icu4py", "pyphen", "budoux")


def imports(stderr: str) -> dict[str, str]:
    """Module -> the jmap module whose import pulled it in ("" for none), from `-X importtime` lines."""
    rows = []
    for line in stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            name = line.split("|")[2]
            rows.append((len(name) - len(name.lstrip()), name.strip()))
    found: dict[str, str] = {}
    parents: list[tuple[int, str]] = []
    for depth, name in reversed(rows):  # a module is printed after the modules it imports
        while parents and parents[-1][0] >= depth:
            parents.pop()
        found[name] = next((p for _, p in reversed(parents) if p.startswith("jmap")), "")
        parents.append((depth, name))
    return found


def build_imports(example: str, tmp_path: Path) -> dict[str, str]:
    """What `jmap build examples/<example>.yaml -f svg` imports (see `imports`)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    env.pop("CI", None)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "jmap", "build", str(ROOT / "examples" / f"{example}.yaml"),
         "-o", str(tmp_path / "out"), "-f", "svg"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / f"{example}.svg").is_file()
    modules = imports(done.stderr)
    assert "jmap.project.builder" in modules  # the build ran here, under -X importtime
    return modules


#: Runs a plain build with Python's compile() counted. NamedTuple and TypedDict compile a ForwardRef
#: for every string annotation, and the first compile() of a process sets up the AST types (~1 ms).
_COUNT_COMPILES = """
import builtins, sys
calls = []
original = builtins.compile
def counted(*args, **kwargs):
    if args[1:2] == ("<string>",):  # code compiled at run time, not a module without its .pyc
        calls.append(repr(args[0])[:80])
    return original(*args, **kwargs)
builtins.compile = counted
sys.argv = ["jmap", "build", sys.argv[1], "-o", sys.argv[2], "-f", "svg"]
from jmap.cli.entry import main
try:
    main()
finally:
    print(calls, file=sys.stderr)
"""


def test_a_plain_build_compiles_no_python_source(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", _COUNT_COMPILES, str(ROOT / "examples" / "online-shop.yaml"), str(tmp_path / "out")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert (tmp_path / "out" / "online-shop.svg").is_file(), done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_a_plain_build_imports_no_command_line_or_schema_library(tmp_path: Path) -> None:
    modules = build_imports("online-shop", tmp_path)
    assert "jmap.images" in modules  # Maya has an avatar
    loaded = sorted(m for m in modules if m.split(".")[0] in NEVER)
    assert loaded == []
    # No config file here, and the built-in theme manifests come compiled: no TOML to read.
    assert "tomllib" not in modules


@pytest.mark.parametrize("argv", [["examples/online-shop.yaml", "--strict"], ["examples", "-q"],
                                  ["examples/commuter.yaml", "--format", "json"]], ids=" ".join)
def test_a_plain_validate_imports_no_command_line_library(argv: list[str], tmp_path: Path) -> None:
    """`jmap validate FILES` has the quick start of `jmap build` (jmap.cli.entry, declarations in jmap.cli.options)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    env.pop("CI", None)
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "jmap", "validate", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    modules = imports(done.stderr)
    assert "jmap.cli.command" in modules and "jmap.validation.validate" in modules  # it checked, here
    assert sorted(m for m in modules if m.split(".")[0] in NEVER) == []


@pytest.mark.parametrize("name", ["online-shop", "bank-loan", "commuter", "hospital-outpatient", "saas-onboarding"])
def test_an_english_map_loads_no_line_breaker(name: str, tmp_path: Path) -> None:
    modules = build_imports(name, tmp_path)
    assert sorted(m for m in modules if m.split(".")[0] in LINE_BREAKERS) == []


def test_a_map_without_avatars_loads_no_image_checks(tmp_path: Path) -> None:
    assert "jmap.images" not in build_imports("commuter", tmp_path)


#: Builds a map, then prints the NamedTuple fields of jmap's loaded modules that are ForwardRefs.
FORWARD_REFS = """
import sys, typing
from jmap.cli.entry import main
sys.argv = ["jmap", "build", sys.argv[1], "-o", sys.argv[2], "-f", "svg"]
try:
    main()
except SystemExit as exit:
    assert not exit.code, exit.code
for module in [m for name, m in sorted(sys.modules.items()) if name.startswith("jmap")]:
    for cls in [c for c in vars(module).values() if isinstance(c, type) and issubclass(c, tuple)]:
        for field, annotation in getattr(cls, "__annotations__", {}).items():
            if isinstance(annotation, typing.ForwardRef):
                print(f"{module.__name__}.{cls.__name__}.{field}")
"""


def test_a_plain_build_compiles_no_annotations(tmp_path: Path) -> None:
    """A string annotation on a NamedTuple field is compiled at import; the process's first compile() costs ~1 ms."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", FORWARD_REFS, str(ROOT / "examples" / "commuter.yaml"),
                           str(tmp_path / "out")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "commuter.svg").is_file()
    assert done.stdout.split() == []


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    """Stand-in template, theme, font and schema folders, read by a fresh fingerprint each time."""
    folders = {name: tmp_path / name for name in ("templates", "themes", "fonts", "schemas")}
    files = {
        "templates": ("map.svg.j2", "<svg>{{ title }}</svg>\n"),
        "themes": ("default/theme.toml", 'name = "default"\nink = "#111111"\n'),
        "fonts": ("Inter-Regular.otf", "not really a font"),
        "schemas": ("journey.schema.json", "{}\n"),
    }
    for name, (relative, text) in files.items():
        path = folders[name] / relative
        path.parent.mkdir(parents=True)
        path.write_text(text)
    monkeypatch.setattr(jmap.resources, "data_dir", lambda name: folders[name])
    toolchain_fingerprint.cache_clear()
    yield folders
    toolchain_fingerprint.cache_clear()


def fresh_fingerprint() -> str:
    toolchain_fingerprint.cache_clear()
    return toolchain_fingerprint()


def later(path: Path) -> None:
    """Give a file a modification time one second on (an editor saving it later)."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def test_the_fingerprint_is_stable_while_nothing_changes(data: dict[str, Path]) -> None:
    assert fresh_fingerprint() == fresh_fingerprint()


def test_editing_a_template_changes_the_fingerprint(data: dict[str, Path]) -> None:
    before = fresh_fingerprint()
    template = data["templates"] / "map.svg.j2"
    template.write_text("<svg>{{ title | upper }}</svg>\n")
    edited = fresh_fingerprint()
    assert edited != before
    template.write_text("<svg>{{ title | lower }}</svg>\n")  # the same size: the time tells
    later(template)
    assert fresh_fingerprint() not in (before, edited)


def test_editing_a_theme_changes_the_fingerprint(data: dict[str, Path]) -> None:
    before = fresh_fingerprint()
    theme = data["themes"] / "default" / "theme.toml"
    theme.write_text(theme.read_text().replace("#111111", "#222222"))  # same size
    later(theme)
    assert fresh_fingerprint() != before


def test_a_new_theme_or_font_changes_the_fingerprint(data: dict[str, Path]) -> None:
    before = fresh_fingerprint()
    (data["themes"] / "sepia").mkdir()
    (data["themes"] / "sepia" / "theme.toml").write_text('name = "sepia"\n')
    with_theme = fresh_fingerprint()
    assert with_theme != before
    (data["fonts"] / "Inter-Bold.otf").write_text("another font")
    assert fresh_fingerprint() != with_theme


def test_byte_code_and_hidden_files_do_not_change_the_fingerprint(data: dict[str, Path]) -> None:
    before = fresh_fingerprint()
    (data["templates"] / ".map.svg.j2.swp").write_text("editor state")
    (data["templates"] / "__pycache__").mkdir()
    (data["templates"] / "__pycache__" / "x.cpython-311.pyc").write_text("byte code")
    (data["templates"] / ".map.svg.j2.abc123.tmp").write_text("a write in progress")
    assert fresh_fingerprint() == before
