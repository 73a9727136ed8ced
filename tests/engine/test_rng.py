import numpy as np

from neurosim.engine.rng import kernel_state, next_uint64, uniform


def test_xoshiro256starstar_reference_outputs():
    # Reference outputs of xoshiro256** from state {1, 2, 3, 4} (Blackman & Vigna's
    # reference C implementation).
    s = np.array([1, 2, 3, 4], dtype=np.uint64)
    out = [int(next_uint64(s)) for _ in range(4)]
    assert out == [11520, 0, 1509978240, 1215971899390074240]


def test_uniform_moments_and_stream_independence():
    s = kernel_state(1, "a")
    x = np.array([uniform(s) for _ in range(200_000)])
    assert abs(x.mean() - 0.5) < 4 * np.sqrt(1 / 12 / x.size)
    assert 0.0 <= x.min() and x.max() < 1.0
    assert not np.array_equal(kernel_state(1, "a"), kernel_state(1, "b"))
    assert np.array_equal(kernel_state(1, "a"), kernel_state(1, "a"))
