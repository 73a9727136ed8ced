"""Plot helpers: weight traces, labels inside the figure, spread bands of non-negative metrics."""

import numpy as np
import pandas as pd

import neurosim as ns
from neurosim.plotting import sweep_curve, traces


def test_traces_of_a_weight_monitor():
    net = ns.Network(dt=0.1, seed=2)
    src = net.add_poisson("src", 20, rate=50.0)
    post = net.add_population("post", 2, "lif_cond")
    proj = net.connect(src, post, weight=0.5, synapse="stdp_pair")
    mon = net.record_weights(proj, synapses=[0, 3, 7], every=1.0)
    net.run(50.0)
    ax = traces(mon)
    assert len(ax.lines) == 3
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), mon.w[:, 1])
    assert ax.get_ylabel() == "weight (nS)"


def test_axis_labels_lie_inside_the_saved_figure(tmp_path):
    df = pd.DataFrame({"w": [1.0, 2.0, 3.0], "rate": [1.0, 2.0, 3.0], "status": "ok"})
    ax = sweep_curve(df, "rate", "w")
    ax.figure.savefig(tmp_path / "f.png")
    renderer = ax.figure.canvas.get_renderer()
    box = ax.xaxis.label.get_window_extent(renderer)
    assert box.y0 >= 0 and ax.yaxis.label.get_window_extent(renderer).x0 >= 0


def test_sd_band_of_a_rate_stays_at_or_above_zero():
    df = pd.DataFrame({"w": [1, 1, 1, 2, 2, 2], "rate": [0.0, 0.0, 9.0, 5, 6, 7]})
    ax = sweep_curve(df, "rate", "w")
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == 0.0  # mean 3 - s.d. 5.2 would be -2.2 Hz
    df["rate"] -= 1.0  # a metric with negative values keeps its full band
    band = sweep_curve(df, "rate", "w").collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() < -1.0
