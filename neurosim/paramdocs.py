"""Parameter tables of the model and rule pages, generated from the code.

In ``docs/models/*.md`` and ``docs/rules/*.md`` a table of a model's or rule's
parameters (from :meth:`neurosim.params.ParameterSet.table`) stands between the
marker lines ``<!-- parameters: NAME -->`` and ``<!-- end parameters -->``, NAME being
the registered name. ``python -m neurosim.paramdocs`` rewrites every such table;
``python -m neurosim.paramdocs --check`` lists the pages whose tables differ from the
code and exits with status 1 if there are any.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from neurosim.neurons import MODELS
from neurosim.synapses import RULES

#: Folders of the model and rule pages, relative to the docs folder.
PAGE_FOLDERS = ("models", "rules")
_BLOCK = re.compile(
    r"(<!-- parameters: (?P<name>\w+) -->\n)(?P<table>.*?)(<!-- end parameters -->)", re.S
)


def docs_dir() -> Path:
    """The ``docs/`` folder of the source tree."""
    return Path(__file__).resolve().parent.parent / "docs"


def parameter_table(name: str) -> str:
    """The Markdown table (name, default, unit, meaning) of a registered model or rule."""
    cls = MODELS.get(name) or RULES.get(name)
    if cls is None:
        raise ValueError(f"no model or rule {name!r}; known: {sorted({**MODELS, **RULES})}")
    lines = ["| parameter | default | unit | meaning |", "|---|---|---|---|"]
    for param, default, unit, doc in cls.Params.table():
        lines.append(f"| `{param}` | {default} | {unit} | {doc} |")
    return "\n".join(lines) + "\n"


def render(text: str) -> str:
    """A page's text with every marked table regenerated."""
    return _BLOCK.sub(lambda m: m.group(1) + parameter_table(m.group("name")) + m.group(4), text)


def pages(root: Path | None = None) -> list[Path]:
    """Every model and rule page."""
    root = root or docs_dir()
    return sorted(p for folder in PAGE_FOLDERS for p in (root / folder).glob("*.md"))


def documented(root: Path | None = None) -> dict[str, Path]:
    """Registered name -> page holding its marked table."""
    return {m.group("name"): p for p in pages(root) for m in _BLOCK.finditer(p.read_text())}


def stale_pages(root: Path | None = None) -> list[Path]:
    """Pages whose tables differ from the code."""
    return [p for p in pages(root) if render(p.read_text()) != p.read_text()]


def main(argv: list[str] | None = None) -> int:
    """Rewrite the tables (or, with ``--check``, list the stale pages)."""
    parser = argparse.ArgumentParser(prog="python -m neurosim.paramdocs", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only list stale pages")
    parser.add_argument("--docs", type=Path, default=None, help="docs folder")
    args = parser.parse_args(argv)
    stale = stale_pages(args.docs)
    for page in stale:
        if not args.check:
            page.write_text(render(page.read_text()))
        print(page)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
