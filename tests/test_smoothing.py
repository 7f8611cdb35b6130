import numpy as np

from formcheck.pipeline.smoothing import OneEuroFilter, SmoothingParams, smooth_offline, smooth_streaming


def steady_with_jitter(n=300, fps=30.0, seed=1):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fps
    x = 500 + rng.normal(0, 3.0, size=(n, 1, 2))
    return t, x


def test_one_euro_cuts_jitter_on_a_steady_hold():
    t, x = steady_with_jitter()
    y = smooth_streaming(t, x, SmoothingParams(), scale=1468.6)
    assert np.std(np.diff(y[30:, 0, 0])) < 0.35 * np.std(np.diff(x[30:, 0, 0]))


def test_offline_smoothing_cuts_jitter_and_has_no_lag():
    t = np.arange(300) / 30.0
    clean = 500 + 80 * np.sin(2 * np.pi * 0.25 * t)  # a 4 s rep
    rng = np.random.default_rng(2)
    x = (clean + rng.normal(0, 3, size=t.shape))[:, None, None].repeat(2, axis=2)
    y = smooth_offline(t, x)[:, 0, 0]
    inner = slice(10, -10)  # edges are renormalised, the interior is what matters
    assert np.std((y - clean)[inner]) < 0.5 * np.std((x[:, 0, 0] - clean)[inner])
    # zero lag: the smoothed signal lines up best with the true one at a shift of 0 frames
    errors = {lag: np.mean((np.roll(y, lag) - clean)[inner] ** 2) for lag in range(-5, 6)}
    assert min(errors, key=errors.get) == 0


def test_streaming_filter_follows_a_fast_move_quickly():
    t = np.arange(60) / 30.0
    x = np.where(t < 1.0, 300.0, 500.0)[:, None, None].repeat(2, axis=2)
    y = smooth_streaming(t, x, SmoothingParams(), scale=1468.6)[:, 0, 0]
    # 0.2 s after a 200 px step the filter has covered most of it
    assert y[np.searchsorted(t, 1.2)] > 450


def test_hampel_removes_a_one_frame_spike():
    t = np.arange(100) / 30.0
    x = np.full((100, 1, 2), 400.0)
    x[50] = 700.0  # the knee jumps to the other leg for one frame
    y = smooth_offline(t, x)
    assert abs(y[50, 0, 0] - 400.0) < 5


def test_nan_frames_stay_nan_and_split_the_track():
    t = np.arange(100) / 30.0
    x = np.full((100, 1, 2), 400.0)
    x[40:45] = np.nan
    x[45:] = 600.0
    y = smooth_offline(t, x)
    assert np.isnan(y[40:45]).all()
    assert abs(y[39, 0, 0] - 400) < 1 and abs(y[45, 0, 0] - 600) < 1  # no smearing across the gap


def test_filter_restarts_after_a_missing_landmark():
    f = OneEuroFilter(SmoothingParams(), scale=1000.0)
    f(0.0, np.array([100.0, 100.0]))
    out = f(0.033, np.array([np.nan, 100.0]))
    assert np.isnan(out[0])
    out = f(0.066, np.array([900.0, 100.0]))
    assert out[0] == 900.0  # restarts from the new value, not dragged from 100
