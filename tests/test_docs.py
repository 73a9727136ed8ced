"""The documentation: its code runs as written, its API reference is complete, and the
site builds without a warning, with no broken internal link.

- Every ```` ```python ```` block of README.md and of ``docs/**/*.md`` runs: the blocks of
  one page run in order, in one fresh Python process (they share their variables, as in
  a notebook), in a temporary working folder. A block that cannot run as written is
  preceded by the line ``<!-- skip-run: REASON -->`` (use sparingly, with a reason);
  ``docs/sweeps.md`` is checked by tests/test_sweep_docs.py instead.
- Every public module (every module of ``neurosim`` without a leading underscore) has an
  ``automodule`` entry in ``docs/api/*.md``, and every name in a package's ``__all__`` is
  named there; after the build, every public object is in the site's object inventory.
- The build (``python -m sphinx -W``, warnings as errors) runs every gallery script in
  ``docs/examples``; every experiment of ``neurosim.experiments`` has a gallery script.

The tests that run code or build the site are marked ``docs`` and ``slow`` (pages that
run Brian2: ``brian2``): ``python -m pytest -m docs -n 0`` runs them alone.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

import neurosim
from neurosim.experiments import EXPERIMENTS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GENERATED = ("_build", "auto_examples")
#: Pages whose examples another test file runs.
TESTED_ELSEWHERE = {"docs/sweeps.md": "tests/test_sweep_docs.py"}
SKIP = re.compile(r"<!-- skip-run: (?P<reason>\S.*?) -->\s*$")
FENCE = re.compile(r"^```python\s*\n(?P<code>.*?)^```\s*$", re.S | re.M)


def doc_pages() -> list[str]:
    """README.md and every Markdown page of docs/ (generated folders excepted)."""
    pages = ["README.md"]
    for path in sorted(DOCS.rglob("*.md")):
        rel = path.relative_to(ROOT)
        if not any(part in GENERATED for part in rel.parts):
            pages.append(rel.as_posix())
    return pages


def code_blocks(page: str) -> list[tuple[int, str, str | None]]:
    """(line, code, reason to skip or None) of each python block of ``page``."""
    text = (ROOT / page).read_text()
    blocks = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = SKIP.match(before)
        blocks.append((line, match.group("code"), skip.group("reason") if skip else None))
    return blocks


def _page_param(page: str):
    runnable = [code for _, code, skip in code_blocks(page) if skip is None]
    marks = [pytest.mark.docs, pytest.mark.slow]
    if any("brian2" in code for code in runnable):
        marks.append(pytest.mark.brian2)
    return pytest.param(page, marks=marks, id=page)


RUN_PAGES = [
    page
    for page in doc_pages()
    if page not in TESTED_ELSEWHERE and any(skip is None for _, _, skip in code_blocks(page))
]

#: Runs before a page's blocks, for a page whose example reads what a shell command of the
#: page makes (a quick stand-in for that command).
PREPARE = {
    "docs/experiments.md": (
        "from neurosim.sweep import sweep\n"
        "sweep('tests.sweep_targets:rates', grid={'w_i': [40, 67, 90]}, params={'w_e': 6}, seeds=5,\n"
        "      out='results/coba-wi', executor='serial', progress=False)\n"
    ),
}

RUNNER = """
import sys
if __name__ == "__main__":
    import matplotlib
    matplotlib.use("Agg")
    namespace = {"__name__": "__main__"}
    for where, code in BLOCKS:
        print(f"--- {where}", flush=True)
        exec(compile(code, where, "exec"), namespace)
"""


def test_pages_with_examples_are_found():
    assert "README.md" in RUN_PAGES
    assert "docs/tutorials/01-first-network.md" in RUN_PAGES
    assert len(RUN_PAGES) >= 8


def test_skip_markers_are_rare_and_give_a_reason():
    skipped = [(p, line) for p in doc_pages() for line, _, skip in code_blocks(p) if skip]
    total = sum(len(code_blocks(p)) for p in doc_pages())
    assert len(skipped) <= max(2, total // 10), skipped
    for page in doc_pages():
        for line in (ROOT / page).read_text().splitlines():
            if "skip-run" in line:
                assert SKIP.match(line), f"{page}: malformed skip marker {line!r}"


@pytest.mark.parametrize("page", [_page_param(p) for p in RUN_PAGES])
def test_code_blocks_run_as_written(page, tmp_path):
    blocks = [(f"{page}:{line}", code) for line, code, skip in code_blocks(page) if skip is None]
    if page in PREPARE:
        blocks.insert(0, (f"{page}:prepare", PREPARE[page]))
    script = tmp_path / "page_examples.py"
    script.write_text(f"BLOCKS = {blocks!r}\n{RUNNER}")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env["MPLBACKEND"] = "Agg"
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=1500,
    )  # fmt: skip
    assert done.returncode == 0, f"{page}:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"


# --- the API reference ------------------------------------------------------------------


def public_modules() -> list[str]:
    """Every module of neurosim without a leading underscore in its dotted name."""
    names = ["neurosim"]
    for info in pkgutil.walk_packages(neurosim.__path__, "neurosim."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


def api_text() -> str:
    return "\n".join(p.read_text() for p in sorted((DOCS / "api").glob("*.md")))


def public_objects(module_name: str) -> dict[str, object]:
    """The public objects of a module: its ``__all__``, or else the classes and
    functions defined in it whose names have no leading underscore."""
    module = importlib.import_module(module_name)
    if hasattr(module, "__all__"):
        return {name: getattr(module, name) for name in module.__all__}
    return {
        name: obj
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and obj.__module__ == module_name
    }


def test_every_public_module_is_in_the_api_reference():
    documented = set(re.findall(r"^\.\. automodule:: ([\w.]+)", api_text(), re.M))
    missing = sorted(set(public_modules()) - documented)
    assert not missing, f"modules without an automodule entry in docs/api: {missing}"
    unknown = sorted(documented - set(public_modules()))
    assert not unknown, f"docs/api names modules that do not exist: {unknown}"


def test_every_exported_name_is_named_in_the_api_reference():
    text = api_text()
    missing = []
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                pattern = rf"^\.\. automodule:: {re.escape(obj.__name__)}$"
            else:  # a directive of its own, or an entry of an autosummary table
                pattern = rf"^(\.\. auto\w+:: |   [\w.]*?){re.escape(name)}$"
            if not re.search(pattern, text, re.M):
                missing.append(f"{module_name}.{name}")
    assert not missing, f"exported but not in docs/api: {missing}"


def test_every_experiment_has_a_gallery_script():
    scripts = "\n".join(p.read_text() for p in (DOCS / "examples").glob("plot_*.py"))
    for name, ref in EXPERIMENTS.items():
        module, func = ref.split(":")
        call = f"{module.rsplit('.', 1)[-1]}.{func}("
        assert call in scripts, f"experiment {name!r}: no gallery script calls {call}...)"


# --- the site ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the site once (warnings are errors); the HTML folder."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NEUROSIM_DOCS_OFFLINE": "1", "MPLBACKEND": "Agg"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(out / "doctrees"), str(DOCS), str(out / "html")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=2400,
    )  # fmt: skip
    assert done.returncode == 0, f"docs build failed:\n{done.stdout[-3000:]}\n{done.stderr[-8000:]}"
    return out / "html"


def inventory(html: Path) -> set[str]:
    """Names of the Python objects in the site's ``objects.inv``."""
    raw = (html / "objects.inv").read_bytes()
    body = zlib.decompress(raw.split(b"\n", 4)[4]).decode()
    return {line.split(" ", 1)[0] for line in body.splitlines() if " py:" in line}


@pytest.mark.docs
@pytest.mark.slow
def test_every_public_object_is_in_the_built_api_reference(site):
    names = inventory(site)
    missing = []
    for module_name in public_modules():
        if module_name not in names:
            missing.append(module_name)
        for name, obj in public_objects(module_name).items():
            canonical = (
                f"{obj.__module__}.{obj.__qualname__}" if hasattr(obj, "__qualname__") else None
            )
            if f"{module_name}.{name}" not in names and canonical not in names:
                missing.append(f"{module_name}.{name}")
    assert not missing, f"not in the API reference: {missing}"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for key in ("href", "src"):
            if attrs.get(key):
                self.links.append(attrs[key])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(errors="replace"))
    return parser


@pytest.mark.docs
@pytest.mark.slow
def test_internal_links_of_the_site_resolve(site):
    pages = {p: _parse(p) for p in site.rglob("*.html")}
    broken = []
    for page, parsed in pages.items():
        for link in parsed.links:
            if re.match(r"^[a-z]+:", link) or link.startswith("//"):
                continue  # external
            target, _, anchor = link.partition("#")
            target = target.split("?", 1)[0]  # ?v=... of the static files
            path = (page.parent / target).resolve() if target else page
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{page.relative_to(site)} -> {link}")
            elif anchor and path.suffix == ".html":
                ids = pages[path].ids if path in pages else _parse(path).ids
                if anchor not in ids:
                    broken.append(f"{page.relative_to(site)} -> {link} (no such anchor)")
    assert not broken, "\n".join(broken[:50])


@pytest.mark.docs
@pytest.mark.slow
def test_gallery_figures_are_drawn_by_the_build(site):
    scripts = sorted(p.stem for p in (DOCS / "examples").glob("plot_*.py"))
    assert len(scripts) >= 8
    for stem in scripts:
        assert (site / "auto_examples" / f"{stem}.html").exists(), stem
        assert list((site / "_images").glob(f"sphx_glr_{stem}_*.png")), f"{stem}: no figure"


def test_parameter_tables_are_rendered_from_the_code_at_build_time():
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        paramtables = importlib.import_module("paramtables")
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    from neurosim.paramdocs import parameter_table

    stale = "| parameter | default | unit | meaning |\n|---|---|---|---|\n| `tau_d` | 1.0 | ms | old |\n"
    source = [f"# page\n\n<!-- parameters: tsodyks_markram -->\n{stale}<!-- end parameters -->\n"]
    paramtables._render(None, "rules/short_term", source)
    assert parameter_table("tsodyks_markram") in source[0]
    assert "| 1.0 | ms | old |" not in source[0]
    assert "| `tau_d` | 800.0 | ms |" in source[0]
