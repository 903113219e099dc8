// See CResample.h. Every output value is the same sum in the same order in every variant and
// for any split of the rows over threads (no fused multiply-add: this file is built with
// -ffp-contract=off), so one thread and many give the same bytes.
#include "CResample.h"

#include <string.h>

typedef float f32x8 __attribute__((ext_vector_type(8)));
typedef float f32x4 __attribute__((ext_vector_type(4)));
typedef uint8_t u8x8 __attribute__((ext_vector_type(8)));
typedef int32_t i32x4 __attribute__((ext_vector_type(4)));
typedef int32_t i32x8 __attribute__((ext_vector_type(8)));
typedef uint8_t u8x16 __attribute__((ext_vector_type(16)));

#define INLINE static inline __attribute__((always_inline))

INLINE f32x8 load_u8x8(const uint8_t *p) {
    u8x8 v;
    memcpy(&v, p, sizeof v);
    return __builtin_convertvector(v, f32x8);
}
INLINE f32x4 load_f32x4(const float *p) {
    f32x4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

size_t ls_resample_scratch_floats(ptrdiff_t columns, int channels, ptrdiff_t hmax_taps) {
    // The row, then zeros for the horizontal pass's zero-weight taps past a pixel's own (up to
    // hmax_taps pixels) and the fourth lane of an RGB load.
    return (size_t)(columns + hmax_taps + 2) * (size_t)channels + 8;
}

/// Vertical pass: scratch[i] = sum_k w[k] * row(vstart + k)[lo + i], i < values.
INLINE void vertical(const uint8_t *src, size_t stride, const float *w, ptrdiff_t vstart, ptrdiff_t vcount, ptrdiff_t lo,
                     ptrdiff_t values, float *mid) {
    const uint8_t *base = src + (size_t)vstart * stride + (size_t)lo;
    ptrdiff_t i = 0;
    for (; i + 8 <= values; i += 8) {
        f32x8 sum = 0;
        for (ptrdiff_t k = 0; k < vcount; k++) sum += (f32x8)w[k] * load_u8x8(base + (size_t)k * stride + (size_t)i);
        memcpy(mid + i, &sum, sizeof sum);
    }
    for (; i < values; i++) {
        float sum = 0;
        for (ptrdiff_t k = 0; k < vcount; k++) sum += w[k] * (float)base[(size_t)k * stride + (size_t)i];
        mid[i] = sum;
    }
}

INLINE uint8_t to_u8(float x, uint8_t flip) {
    float v = x + 0.5f;
    v = v < 0 ? 0 : (v > 255 ? 255 : v);
    return (uint8_t)((int32_t)v) ^ flip;
}

INLINE i32x4 round_rgb(f32x4 sum) {
    f32x4 v = sum + 0.5f;
    v = __builtin_elementwise_min(__builtin_elementwise_max(v, (f32x4)0), (f32x4)255);
    return __builtin_convertvector(v, i32x4);
}

INLINE void store_rgb(f32x4 sum, uint8_t flip, uint8_t *o) {
    i32x4 q = round_rgb(sum);
    o[0] = (uint8_t)q[0] ^ flip;
    o[1] = (uint8_t)q[1] ^ flip;
    o[2] = (uint8_t)q[2] ^ flip;
}

/// Four RGB pixels (the fourth lane of each sum unused) as 12 bytes in one store: the same
/// values as four `store_rgb`s, without 12 scalar extracts and stores.
INLINE void store_rgb4(f32x4 s0, f32x4 s1, f32x4 s2, f32x4 s3, uint8_t flip, uint8_t *o) {
    const i32x4 q0 = round_rgb(s0), q1 = round_rgb(s1), q2 = round_rgb(s2), q3 = round_rgb(s3);
    const i32x8 lo = __builtin_shufflevector(q0, q1, 0, 1, 2, 4, 5, 6, 3, 7);
    const i32x8 hi = __builtin_shufflevector(q2, q3, 0, 1, 2, 4, 5, 6, 3, 7);
    const u8x16 bytes = __builtin_convertvector(__builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 6, 7, 14, 15), u8x16) ^ flip;
    memcpy(o, &bytes, 12);
}

/// Horizontal pass of an RGB row, four output pixels at a time (four independent sums; a pixel
/// with fewer taps than the four's most adds exact zeros).
INLINE void horizontal_rgb(const float *mid, const float *hw, const ptrdiff_t *starts, const ptrdiff_t *counts,
                           ptrdiff_t maxtaps, ptrdiff_t lo, ptrdiff_t n, uint8_t flip, uint8_t *out) {
    ptrdiff_t o = 0;
    for (; o + 4 <= n; o += 4) {
        const float *p0 = mid + (starts[o] - lo) * 3, *p1 = mid + (starts[o + 1] - lo) * 3;
        const float *p2 = mid + (starts[o + 2] - lo) * 3, *p3 = mid + (starts[o + 3] - lo) * 3;
        const float *w0 = hw + o * maxtaps, *w1 = w0 + maxtaps, *w2 = w1 + maxtaps, *w3 = w2 + maxtaps;
        ptrdiff_t taps = counts[o];
        for (int j = 1; j < 4; j++) if (counts[o + j] > taps) taps = counts[o + j];
        f32x4 s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (ptrdiff_t k = 0; k < taps; k++) {
            s0 += (f32x4)w0[k] * load_f32x4(p0 + 3 * k);
            s1 += (f32x4)w1[k] * load_f32x4(p1 + 3 * k);
            s2 += (f32x4)w2[k] * load_f32x4(p2 + 3 * k);
            s3 += (f32x4)w3[k] * load_f32x4(p3 + 3 * k);
        }
        store_rgb4(s0, s1, s2, s3, flip, out + 3 * o);
    }
    for (; o < n; o++) {
        const float *p = mid + (starts[o] - lo) * 3, *w = hw + o * maxtaps;
        f32x4 s = 0;
        for (ptrdiff_t k = 0; k < counts[o]; k++) s += (f32x4)w[k] * load_f32x4(p + 3 * k);
        store_rgb(s, flip, out + 3 * o);
    }
}

/// Horizontal pass of a grey row, written as `out_channels` bytes a pixel.
INLINE void horizontal_grey(const float *mid, const float *hw, const ptrdiff_t *starts, const ptrdiff_t *counts,
                            ptrdiff_t maxtaps, ptrdiff_t lo, ptrdiff_t n, int out_channels, uint8_t flip, uint8_t *out) {
    for (ptrdiff_t o = 0; o < n; o++) {
        const float *p = mid + (starts[o] - lo), *w = hw + o * maxtaps;
        float s = 0;
        for (ptrdiff_t k = 0; k < counts[o]; k++) s += w[k] * p[k];
        uint8_t q = to_u8(s, flip);
        for (int c = 0; c < out_channels; c++) out[o * out_channels + c] = q;
    }
}

INLINE void row_body(const uint8_t *src, size_t src_stride, int channels, const float *vweights, ptrdiff_t vstart,
                     ptrdiff_t vcount, ptrdiff_t col_lo, ptrdiff_t col_hi, const float *hweights, const ptrdiff_t *hstarts,
                     const ptrdiff_t *hcounts, ptrdiff_t hmax_taps, ptrdiff_t out_count, int out_channels, uint8_t flip,
                     float *scratch, uint8_t *out) {
    ptrdiff_t values = (col_hi - col_lo) * channels;
    vertical(src, src_stride, vweights, vstart, vcount, col_lo * channels, values, scratch);
    memset(scratch + values, 0, (ls_resample_scratch_floats(col_hi - col_lo, channels, hmax_taps) - (size_t)values) * sizeof(float));
    if (channels == 3)
        horizontal_rgb(scratch, hweights, hstarts, hcounts, hmax_taps, col_lo, out_count, flip, out);
    else
        horizontal_grey(scratch, hweights, hstarts, hcounts, hmax_taps, col_lo, out_count, out_channels, flip, out);
}

#define ROW_ARGS                                                                                                        \
    const uint8_t *src, size_t src_stride, int channels, const float *vweights, ptrdiff_t vstart, ptrdiff_t vcount,     \
        ptrdiff_t col_lo, ptrdiff_t col_hi, const float *hweights, const ptrdiff_t *hstarts, const ptrdiff_t *hcounts, \
        ptrdiff_t hmax_taps, ptrdiff_t out_count, int out_channels, uint8_t flip, float *scratch, uint8_t *out
#define ROW_CALL                                                                                                  \
    src, src_stride, channels, vweights, vstart, vcount, col_lo, col_hi, hweights, hstarts, hcounts, hmax_taps, \
        out_count, out_channels, flip, scratch, out

#if defined(__x86_64__)
__attribute__((target("avx2"))) static void row_avx2(ROW_ARGS) { row_body(ROW_CALL); }
static void row_baseline(ROW_ARGS) { row_body(ROW_CALL); }

static int has_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2");
    }
    return cached;
}

void ls_resample_row(ROW_ARGS) {
    if (has_avx2()) row_avx2(ROW_CALL); else row_baseline(ROW_CALL);
}
const char *ls_resample_variant(void) { return has_avx2() ? "x86-64-avx2" : "x86-64-baseline"; }
#else
void ls_resample_row(ROW_ARGS) { row_body(ROW_CALL); }
const char *ls_resample_variant(void) { return "generic"; }
#endif
