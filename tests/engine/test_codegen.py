"""The generated loop's text: sections run in their fixed order, whatever the order in
which builders fill them; the kernel cache is used only when it is safe; sizes are not
part of the text, so a network of another size reuses the compiled loop."""

import sys

import pytest

import neurosim as ns
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


TRIVIAL = "from numba import njit\n\n\n{}\ndef run_steps(n0, n1, status):\n    return n1 + {}\n"


def test_a_cache_others_may_write_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROSIM_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    folder = codegen.cache_dir()
    folder.chmod(0o777)
    with pytest.warns(UserWarning, match="writable by other users.*in memory"):
        run = codegen.load(TRIVIAL.format(codegen.DECORATOR, 1))
    assert run(0, 5, None) == 6 and list(folder.iterdir()) == []
    folder.chmod(0o700)
    run = codegen.load(TRIVIAL.format(codegen.DECORATOR, 2))
    kernel = next(folder.glob("nskernel_*.py"))
    assert run(0, 5, None) == 7 and [p.suffix for p in folder.glob("*.tmp")] == []
    kernel.chmod(0o666)
    text = kernel.read_text()
    for name in [m for m in sys.modules if m.startswith("nskernel_")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.warns(UserWarning, match="nskernel_.*writable by other users"):
        assert codegen.load(text)(0, 5, None) == 7


def _recorded_network(n_exc: int):
    """Poisson input onto ``n_exc`` LIF neurons (and a quarter as many), every
    population recorded: the loop's structure does not depend on ``n_exc``."""
    net = ns.Network(dt=0.1, seed=3)
    exc = net.add_population("exc", n_exc, "lif")
    inh = net.add_population("inh", max(1, n_exc // 4), "lif")
    drive = net.add_poisson("drive", n_exc, rate=50.0)
    net.connect(drive, exc, ns.FixedProbability(0.2), weight=300.0)
    net.connect(exc, inh, ns.FixedProbability(0.2), weight=200.0, delay=1.5)
    spikes = net.record_spikes(exc)
    net.record_spikes(inh)
    net.record_rate(exc)
    return net, spikes


def test_a_network_of_another_size_reuses_the_compiled_loop():
    first, _ = _recorded_network(40)
    first.run(5.0)
    kernel = first._engine.kernel
    compiled = list(kernel.signatures)
    second, spikes = _recorded_network(157)
    second.run(5.0)
    # the same generated source, hence the same dispatcher, and no new specialisation:
    # the second size ran its first step without compiling
    assert second._engine.source == first._engine.source
    assert second._engine.kernel is kernel
    assert list(kernel.signatures) == compiled
    # and it records the larger population whole
    assert spikes.i.max() >= 40
    assert spikes.i.max() < 157
