"""The generated loop's text: sections run in their fixed order, whatever the order in
which builders fill them."""

from neurosim.engine import codegen


def test_sections_render_in_step_order():
    src = codegen.Source()
    src.add("record", "r = 1")
    src.add("update", "u = 1")
    src.add("guard", "if g:", "    return n")
    src.add("record", "r = 2")
    body = [line.strip() for line in src.render().splitlines() if line.startswith(" " * 8)]
    assert body == ["if g:", "return n", "u = 1", "r = 1", "r = 2"]


def test_arguments_keep_their_registration_order():
    src = codegen.Source()
    assert src.arg("b", 2) == "b" and src.arg("a", 1) == "a"
    assert "def run_steps(n0, n1, status, b, a):" in src.render()
    assert src.values == [2, 1]
