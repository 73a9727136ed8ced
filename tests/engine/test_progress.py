"""The progress bar starts after the loop is compiled, so its rate excludes compilation."""

import tqdm.auto

import neurosim as ns


def test_loop_is_compiled_before_the_bar_starts(monkeypatch):
    calls = []

    class Bar:
        def __init__(self, **kwargs):
            calls.append("bar")

        def update(self, n):
            pass

        def set_description(self, text):
            pass

        def close(self):
            pass

    monkeypatch.setattr(tqdm.auto, "tqdm", Bar)
    net = ns.Network(seed=1)
    net.add_population("cell", 3, "lif")
    net.run(0.1)  # builds the engine
    kernel = net._engine.kernel

    def counting(*args):
        calls.append("kernel")
        return kernel(*args)

    monkeypatch.setattr(net._engine, "kernel", counting)
    net.run(1.0, progress=True)
    assert calls[:2] == ["kernel", "bar"]
