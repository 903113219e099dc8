import numpy as np

import padim_reference as padim


def test_splitmix64_matches_the_published_sequence_for_seed_zero():
    rng = padim.SplitMix64(0)
    assert [rng.next() for _ in range(3)] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


def test_channel_selection_is_100_distinct_sorted_channels_and_seeded():
    a = padim.select_channels(1234)
    assert len(a) == 100 and len(set(a)) == 100 and a == sorted(a)
    assert 0 <= a[0] and a[-1] < 176
    assert a == padim.select_channels(1234)
    assert a != padim.select_channels(1235)


def test_auroc_known_cases():
    assert padim.auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == 0.75
    assert padim.auroc([1, 2, 3], [0, 1, 1]) == 1.0
    assert padim.auroc([3, 2, 1], [0, 1, 1]) == 0.0
    assert padim.auroc([5, 5, 5, 5], [0, 1, 0, 1]) == 0.5  # ties averaged
    assert np.isnan(padim.auroc([1, 2], [1, 1]))


def test_bilinear_matches_torch_align_corners_false():
    m = padim.bilinear_matrix(2, 4)
    assert np.allclose(m @ np.array([0.0, 1.0]), [0.0, 0.25, 0.75, 1.0])
    assert np.allclose(padim.bilinear_matrix(56, 224).sum(axis=1), 1.0)


def test_embed_upsamples_deeper_taps_nearest_and_keeps_channel_order():
    n = 1
    taps = {"stride4": np.zeros((n, 56, 56, 24), np.float32), "stride8": np.zeros((n, 28, 28, 40), np.float32),
            "stride16": np.zeros((n, 14, 14, 112), np.float32)}
    taps["stride8"][0, 3, 5, 0] = 1.0    # channel 24 overall
    taps["stride16"][0, 1, 2, 0] = 2.0   # channel 64 overall
    x = padim.embed(taps, [24, 64]).reshape(56, 56, 2)
    assert x[6:8, 10:12, 0].sum() == 4 and x[:, :, 0].sum() == 4
    assert (x[4:8, 8:12, 1] == 2).all() and x[:, :, 1].sum() == 32


def test_streaming_fit_equals_numpy_covariance_and_scores_mean_as_zero():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 5, 3)).astype(np.float32)
    fit = padim.GaussianFit(5, 3)
    fit.add(x[:13])
    fit.add(x[13:])
    mean, inv = fit.finish(reg=0.01)
    for p in range(5):
        cov = np.cov(x[:, p].astype(np.float64), rowvar=False) + 0.01 * np.eye(3)
        assert np.allclose(inv[p], np.linalg.inv(cov))
    d = padim.mahalanobis(mean[None].astype(np.float32), mean, inv)
    assert np.allclose(d, 0, atol=1e-3)
    far = padim.mahalanobis(mean[None] + 10, mean, inv)
    assert (far > 5).all()


def test_score_map_is_224_and_its_max_tracks_a_hot_patch():
    dist = np.zeros((1, 56 * 56))
    dist[0, 20 * 56 + 30] = 10.0
    m = padim.score_maps(dist)[0]
    assert m.shape == (224, 224)
    y, x = np.unravel_index(m.argmax(), m.shape)
    assert abs(y - (20 * 4 + 1.5)) <= 2 and abs(x - (30 * 4 + 1.5)) <= 2


def test_invert_spd_matches_numpy_inverse():
    rng = np.random.default_rng(4)
    a = rng.normal(size=(7, 12, 12))
    a = a @ a.transpose(0, 2, 1) + 0.01 * np.eye(12)
    assert np.allclose(padim.invert_spd(a), np.linalg.inv(a), rtol=1e-8, atol=1e-8)
