import numpy as np

import quant


def test_activation_range_always_contains_zero_and_relu6_starts_at_zero():
    s, zp = quant.activation_params(0.5, 10.0, relu6=False)
    assert zp == -128 and abs(s * 255 - 10.0) < 0.05
    s, zp = quant.activation_params(-3.0, 5.0, relu6=False)
    assert abs(quant.dequantize(np.array([zp], np.int8), s, zp)[0]) == 0.0
    assert -128 < zp < 127
    s, zp = quant.activation_params(-1.0, 7.5, relu6=True)
    assert zp == -128 and abs(s - 6.0 / 255) < 1e-7


def test_output_clamp_of_relu6_is_quantized_zero_to_six():
    s, zp = 6.0 / 255, -128
    assert quant.output_clamp(True, s, zp) == (-128, 127)
    assert quant.output_clamp(True, 12.0 / 255, -128) == (-128, 0)
    assert quant.output_clamp(False, s, zp) == (-128, 127)


def test_weights_are_symmetric_per_output_channel_round_half_even():
    w = np.zeros((2, 1, 1, 3), np.float32)
    w[0, 0, 0] = [1.0, -0.5, 0.25]
    w[1, 0, 0] = [-4.0, 2.0, 4.0 * 0.5 / 127]  # exactly half a step -> rounds to even 0
    q, s = quant.quantize_weights(w, 0)
    assert q.dtype == np.int8 and list(s) == [np.float32(1 / 127), np.float32(4 / 127)]
    assert list(q[0, 0, 0]) == [127, -64, 32] and list(q[1, 0, 0]) == [-127, 64, 0]


def test_dead_channel_gets_a_floored_scale_and_a_representable_bias():
    w = np.ones((2, 1, 1, 4), np.float32)
    w[1] = 1e-9
    q, s = quant.quantize_weights(w, 0)
    assert s[1] == np.float32(1.0 / 1024 / 127)
    assert (q[1] == 0).all()
    b = quant.quantize_bias(np.array([0.5, -7.0], np.float32), 1 / 128, s)
    assert b.dtype == np.int32 and b[1] == round(-7.0 / (1 / 128 * float(s[1])))


def test_round_outward_only_widens():
    for v in (0.123456, 5.98, -3.3333, 1e-3):
        up, down = quant.round_outward(v, True), quant.round_outward(v, False)
        assert down <= v <= up and abs(up - down) <= abs(v) * 2 ** -6
