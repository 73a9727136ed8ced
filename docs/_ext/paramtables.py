"""Sphinx extension: the parameter tables of the model and rule pages, from the code.

A page marks a table with ``<!-- parameters: NAME -->`` ... ``<!-- end parameters -->``
(NAME a registered neuron model or plasticity rule). When Sphinx reads a page, the text
between the markers is replaced by :func:`neurosim.paramdocs.render`, i.e. by
:meth:`neurosim.params.ParameterSet.table` of the model or rule, so the published
tables are always those of the code, whatever the page's copy says.
"""

from __future__ import annotations

from neurosim import paramdocs


def _render(app, docname: str, source: list[str]) -> None:
    if "<!-- parameters:" in source[0]:
        source[0] = paramdocs.render(source[0])


def setup(app):
    app.connect("source-read", _render)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
