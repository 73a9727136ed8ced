"""Sphinx configuration of neurosim's documentation site.

Build (from the repository root, after ``pip install -e ".[dev,docs]"``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The Markdown pages are read by MyST (``$$`` maths, tables, cross-references), the
API reference by autodoc and numpydoc from the docstrings, the parameter tables of the
model and rule pages are regenerated from the code at build time (``_ext/paramtables``),
and every gallery script in ``docs/examples`` runs during the build and draws its
figures (sphinx-gallery). Set ``NEUROSIM_DOCS_OFFLINE=1`` to skip the intersphinx
inventories (they are also left out, one by one, when their site cannot be reached).
"""

from __future__ import annotations

import os
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))
sys.path.insert(0, str(DOCS / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import neurosim  # noqa: E402

project = "neurosim"
author = "the neurosim developers"
copyright = "the neurosim developers"
release = neurosim.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinxcontrib.bibtex",
    "sphinx_gallery.gen_gallery",
    "paramtables",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "examples", "auto_examples/*.ipynb", "auto_examples/*.py", "**/*.zip"]

# numpydoc links an attribute named in a class's "Attributes" section to its own entry by
# a short name, which a property of the same name elsewhere makes ambiguous
suppress_warnings = ["ref.python"]

# --- MyST: the Markdown pages with their $$ maths ---------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

# --- API reference ------------------------------------------------------------------
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc sections carry types and units
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# --- bibliography -------------------------------------------------------------------
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "alpha"
bibtex_reference_style = "author_year"

# --- gallery: every script runs during the build and draws its figures ------------
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    # every build runs every script again, so that no figure outlives a change of the code
    "run_stale_examples": True,
    "matplotlib_animations": False,
    "reset_modules": ("matplotlib",),
    "show_memory": False,
    "min_reported_time": 0,
}

# --- intersphinx: only the inventories that can be reached --------------------------
_INVENTORIES = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "brian2": "https://brian2.readthedocs.io/en/stable/",
    "sklearn": "https://scikit-learn.org/stable/",
    "dask": "https://docs.dask.org/en/stable/",
    "distributed": "https://distributed.dask.org/en/stable/",
    "pandas": "https://pandas.pydata.org/docs/",
    "matplotlib": "https://matplotlib.org/stable/",
}


def _reachable(url: str, timeout: float = 3.0) -> bool:
    """Whether the inventory ``url + 'objects.inv'`` answers (no network: False)."""
    try:
        with urllib.request.urlopen(url + "objects.inv", timeout=timeout) as reply:
            return reply.status == 200
    except Exception:
        return False


def _intersphinx_mapping() -> dict[str, tuple[str, None]]:
    """The inventories that answer, asked all at once (a few seconds at most)."""
    if os.environ.get("NEUROSIM_DOCS_OFFLINE"):
        return {}
    with ThreadPoolExecutor(len(_INVENTORIES)) as pool:
        answers = dict(zip(_INVENTORIES, pool.map(_reachable, _INVENTORIES.values()), strict=True))
    return {name: (url, None) for name, url in _INVENTORIES.items() if answers[name]}


intersphinx_mapping = _intersphinx_mapping()
intersphinx_timeout = 5

# --- HTML ---------------------------------------------------------------------------
html_theme = "furo"
html_title = f"neurosim {release}"
html_static_path: list[str] = []
