// One source of truth for the PaDiM distance maths, compiled twice on x86_64 (baseline and
// F16C+FMA+AVX2, picked at run time) and once elsewhere. See CPadimKernels.h for the layout.
#include "CPadimKernels.h"

#include <math.h>
#include <string.h>

typedef float f32x8 __attribute__((ext_vector_type(8)));
typedef _Float16 f16x8 __attribute__((ext_vector_type(8)));

static inline __attribute__((always_inline)) f32x8 load_f16x8(const uint16_t *p) {
    f16x8 h;
    memcpy(&h, p, sizeof h);
    return __builtin_convertvector(h, f32x8);
}

static inline __attribute__((always_inline)) f32x8 load_f32x8(const float *p) {
    f32x8 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void distances_body(
    const uint16_t *factor, const uint16_t *mean, const float *x, size_t groups, size_t d,
    float *out) {
    const size_t tri = d * (d + 1) / 2;
    f32x8 diff[d];  // on the stack: correctly aligned for 32-byte vectors, d <= a few hundred
    for (size_t g = 0; g < groups; g++) {
        const float *xg = x + g * d * 8;
        const uint16_t *mg = mean + g * d * 8;
        for (size_t i = 0; i < d; i++) {
            f32x8 v = load_f32x8(xg + i * 8) - load_f16x8(mg + i * 8);
            diff[i] = v;
        }
        const uint16_t *w = factor + g * tri * 8;
        f32x8 total = 0;
        for (size_t i = 0; i < d; i++) {
            // Four independent sums: one chain of dependent FMAs per row would wait out the FMA
            // latency on every step (measured: the kernel ran at 3.5x the memory read floor).
            f32x8 a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            size_t j = 0;
            for (; j + 4 <= i + 1; j += 4) {
                a0 += load_f16x8(w) * diff[j];
                a1 += load_f16x8(w + 8) * diff[j + 1];
                a2 += load_f16x8(w + 16) * diff[j + 2];
                a3 += load_f16x8(w + 24) * diff[j + 3];
                w += 32;
            }
            for (; j <= i; j++) {
                a0 += load_f16x8(w) * diff[j];
                w += 8;
            }
            f32x8 acc = (a0 + a1) + (a2 + a3);
            total += acc * acc;
        }
        for (int l = 0; l < 8; l++) out[g * 8 + l] = sqrtf(total[l]);
    }
}

typedef int8_t i8x16 __attribute__((ext_vector_type(16)));
typedef int16_t i16x8 __attribute__((ext_vector_type(8)));
typedef int16_t i16x16 __attribute__((ext_vector_type(16)));
typedef int32_t i32x8 __attribute__((ext_vector_type(8)));
typedef int32_t i32x16 __attribute__((ext_vector_type(16)));

// How far ahead of the weights in use the int8 kernel asks for the next ones (a group's are
// 40 KB at d = 100). The hardware prefetcher alone left the distances at 1.8 x the time of
// reading their bytes; 4 KB ahead took the 2-thread median from 1.4-2.3 to 1.0-1.2 ms
// (lineside bench, 3 alternating runs of 1, 4, 8 and 16 KB against none).
#ifndef PREFETCH_BYTES
#define PREFETCH_BYTES 4096
#endif

size_t lineside_padim_i8_pairs(size_t d) {
    size_t pairs = 0;
    for (size_t i = 0; i < d; i++) pairs += (i + 2) / 2;
    return pairs;
}

// Sum of the two products of each lane's pair: 16 int8 weights (8 lanes x 2) times 16 int16
// differences, exact in int32. LLVM makes this one vpmovsxbw + vpmaddwd on AVX2 and
// smull/smlal pairs on NEON.
static inline __attribute__((always_inline)) i32x8 pair_products(const int8_t *w, const int16_t *q) {
    i8x16 wv;
    i16x16 qv;
    memcpy(&wv, w, sizeof wv);
    memcpy(&qv, q, sizeof qv);
    i32x16 p = __builtin_convertvector(wv, i32x16) * __builtin_convertvector(qv, i32x16);
    return __builtin_shufflevector(p, p, 0, 2, 4, 6, 8, 10, 12, 14) + __builtin_shufflevector(p, p, 1, 3, 5, 7, 9, 11, 13, 15);
}

// One row of differences in steps, rounded half away from zero: |v| <= 32767, so v +- 0.5
// truncates into int16.
static inline __attribute__((always_inline)) i16x8 quantize_steps(f32x8 diff, f32x8 inverse) {
    const f32x8 v = diff * inverse;
    return __builtin_convertvector(__builtin_convertvector(v + __builtin_elementwise_copysign((f32x8)0.5f, v), i32x8), i16x8);
}

// One group's distances from its differences diff[i] = x_i - mean_i (8 lanes each), W as int8
// with one float16 scale per row and patch: the difference rounded to int16 with one step per
// patch (step = max |x - mean| / 32767, a relative error below 2e-5 of the largest difference),
// then (W (x - mean))_i = scale_i * step * sum_j q_ij d_j, the sum exact in integers. Half the
// bytes of the float16 factor, and half the instructions of converting every weight to float.
static inline __attribute__((always_inline)) void distances_i8_group(
    const int8_t *w, const uint16_t *sg, const f32x8 *diff, f32x8 largest, int16_t *q, size_t d, float *out) {
    // FLT_MIN keeps a lane whose differences are all 0 finite (0 / FLT_MIN = 0).
    const f32x8 step = largest * (1.0f / 32767) + 1.17549435e-38f, inverse = 1.0f / step;
    // Two rows of steps interleaved per lane with vector shuffles (one store each): storing the
    // 16 values one by one took a fifth of the kernel's time (0.98 -> 0.78 ms a frame at 1 thread
    // in a scratch benchmark of this function alone, the result bit-identical).
    for (size_t j = 0; j < d; j += 2) {
        const i16x8 even = quantize_steps(diff[j], inverse);
        const i16x8 odd = j + 1 < d ? quantize_steps(diff[j + 1], inverse) : (i16x8)0;
        const i16x16 pair = __builtin_shufflevector(even, odd, 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
        memcpy(q + (j / 2) * 16, &pair, sizeof pair);
    }
    f32x8 total = 0;
    for (size_t i = 0; i < d; i++) {
        const size_t n = (i + 2) / 2;
        i32x8 a0 = 0, a1 = 0;
        size_t k = 0;
        for (; k + 2 <= n; k += 2) {
            __builtin_prefetch(w + PREFETCH_BYTES);
            a0 += pair_products(w, q + k * 16);
            a1 += pair_products(w + 16, q + k * 16 + 16);
            w += 32;
        }
        if (k < n) {
            a0 += pair_products(w, q + k * 16);
            w += 16;
        }
        f32x8 acc = __builtin_convertvector(a0 + a1, f32x8) * (load_f16x8(sg + i * 8) * step);
        total += acc * acc;
    }
    for (int l = 0; l < 8; l++) out[l] = sqrtf(total[l]);
}

static inline __attribute__((always_inline)) void distances_i8_body(
    const int8_t *factor, const uint16_t *scales, const uint16_t *mean, const float *x, size_t groups, size_t d,
    float *out) {
    const size_t pairs = lineside_padim_i8_pairs(d), half = (d + 1) / 2;
    f32x8 diff[d];
    int16_t q[half * 16];  // [pair][lane][2]
    for (size_t g = 0; g < groups; g++) {
        const float *xg = x + g * d * 8;
        const uint16_t *mg = mean + g * d * 8;
        f32x8 largest = 0;
        for (size_t i = 0; i < d; i++) {
            diff[i] = load_f32x8(xg + i * 8) - load_f16x8(mg + i * 8);
            largest = __builtin_elementwise_max(largest, __builtin_elementwise_abs(diff[i]));
        }
        distances_i8_group(factor + g * pairs * 16, scales + g * d * 8, diff, largest, q, d, out + g * 8);
    }
}

// (q - zero point) * scale rounded to float before the mean is subtracted, as the gatherer stores
// it: never contracted into an FMA with the subtraction. (The target is built with
// -ffp-contract=on, FMAs within one expression only: with =fast the backend fuses across
// statements and this pragma has no effect; scoringFromTheTapsEqualsGatherThenScore then fails.)
static inline __attribute__((always_inline)) f32x8 dequantize(f32x8 q, float zero_point, float scale) {
#pragma clang fp contract(off)
    return (q - zero_point) * scale;
}

// The same distances with each group's features read straight from the backbone's int8 taps
// (what PatchFeatureGatherer writes, computed the same way: (q - zero point) * scale, the coarser
// maps nearest-upsampled), so the gather's strided byte loads overlap the factor's memory reads
// instead of running as a stage of their own.
static inline __attribute__((always_inline)) void distances_i8_taps_body(
    const int8_t *factor, const uint16_t *scales, const uint16_t *mean, const lineside_tap *taps, size_t tap_count,
    const uint8_t *source_tap, const int32_t *source_channel, size_t grid_height, size_t grid_width,
    size_t first_group, size_t groups, size_t d, float *out) {
    const size_t pairs = lineside_padim_i8_pairs(d), half = (d + 1) / 2;
    f32x8 diff[d];
    int16_t q[half * 16];
    int32_t offset[LINESIDE_MAX_TAPS][8];
    for (size_t g = 0; g < groups; g++) {
        for (size_t t = 0; t < tap_count; t++) {
            const lineside_tap *tap = &taps[t];
            for (int l = 0; l < 8; l++) {
                const size_t p = (first_group + g) * 8 + l, i = p / grid_width, j = p % grid_width;
                offset[t][l] = (int32_t)(((i * tap->height / grid_height) * tap->width + j * tap->width / grid_width) * tap->channels);
            }
        }
        const uint16_t *mg = mean + g * d * 8;
        const int8_t *wg = factor + g * pairs * 16;
        f32x8 largest = 0;
        for (size_t c = 0; c < d; c++) {
            // Keep the weights' reads going while the features are gathered (no prefetch would
            // be issued otherwise until the products start): the weights 4 KB on, a line a channel.
            // Alternating builds, 4 runs of lineside bench: distances / floor 1.12-1.19 against
            // 1.11-1.24 without.
            __builtin_prefetch(wg + PREFETCH_BYTES + c * 64);
            const lineside_tap *tap = &taps[source_tap[c]];
            const int8_t *values = tap->values + source_channel[c];
            const int32_t *o = offset[source_tap[c]];
            f32x8 v;
            for (int l = 0; l < 8; l++) v[l] = (float)values[o[l]];
            diff[c] = dequantize(v, (float)tap->zero_point, tap->scale) - load_f16x8(mg + c * 8);
            largest = __builtin_elementwise_max(largest, __builtin_elementwise_abs(diff[c]));
        }
        distances_i8_group(factor + g * pairs * 16, scales + g * d * 8, diff, largest, q, d, out + g * 8);
    }
}

static inline __attribute__((always_inline)) void f32_to_f16_body(const float *in, uint16_t *out, size_t count) {
    for (size_t i = 0; i < count; i++) {
        _Float16 h = (_Float16)in[i];
        memcpy(&out[i], &h, sizeof h);
    }
}

static inline __attribute__((always_inline)) void f16_to_f32_body(const uint16_t *in, float *out, size_t count) {
    for (size_t i = 0; i < count; i++) {
        _Float16 h;
        memcpy(&h, &in[i], sizeof h);
        out[i] = (float)h;
    }
}

// Reads every byte once, 32 bytes per step in four independent sums (the read-bandwidth floor a
// memory-bound kernel is measured against). The result only keeps the reads from being removed.
static inline __attribute__((always_inline)) uint64_t read_body(const void *data, size_t bytes) {
    typedef uint64_t u64x4 __attribute__((ext_vector_type(4)));
    const unsigned char *p = data;
    u64x4 a = 0, b = 0, c = 0, e = 0;
    size_t i = 0;
    for (; i + 128 <= bytes; i += 128) {
        u64x4 v0, v1, v2, v3;
        memcpy(&v0, p + i, 32); memcpy(&v1, p + i + 32, 32); memcpy(&v2, p + i + 64, 32); memcpy(&v3, p + i + 96, 32);
        a += v0; b += v1; c += v2; e += v3;
    }
    u64x4 t = a + b + c + e;
    uint64_t sum = t[0] + t[1] + t[2] + t[3];
    for (; i < bytes; i++) sum += p[i];
    return sum;
}

#if defined(__x86_64__)
#define FAST __attribute__((target("avx2,fma,f16c")))

FAST static void distances_fast(const uint16_t *f, const uint16_t *m, const float *x, size_t g, size_t d, float *o) {
    distances_body(f, m, x, g, d, o);
}
static void distances_baseline(const uint16_t *f, const uint16_t *m, const float *x, size_t g, size_t d, float *o) {
    distances_body(f, m, x, g, d, o);
}
FAST static void distances_i8_fast(const int8_t *f, const uint16_t *s, const uint16_t *m, const float *x, size_t g, size_t d,
                                   float *o) {
    distances_i8_body(f, s, m, x, g, d, o);
}
static void distances_i8_baseline(const int8_t *f, const uint16_t *s, const uint16_t *m, const float *x, size_t g, size_t d,
                                  float *o) {
    distances_i8_body(f, s, m, x, g, d, o);
}
#define TAPS_ARGS const int8_t *f, const uint16_t *s, const uint16_t *m, const lineside_tap *taps, size_t tn, \
    const uint8_t *st, const int32_t *sc, size_t gh, size_t gw, size_t g0, size_t g, size_t d, float *o
FAST static void distances_i8_taps_fast(TAPS_ARGS) { distances_i8_taps_body(f, s, m, taps, tn, st, sc, gh, gw, g0, g, d, o); }
static void distances_i8_taps_baseline(TAPS_ARGS) { distances_i8_taps_body(f, s, m, taps, tn, st, sc, gh, gw, g0, g, d, o); }
FAST static void to_f16_fast(const float *in, uint16_t *out, size_t n) { f32_to_f16_body(in, out, n); }
static void to_f16_baseline(const float *in, uint16_t *out, size_t n) { f32_to_f16_body(in, out, n); }
FAST static void to_f32_fast(const uint16_t *in, float *out, size_t n) { f16_to_f32_body(in, out, n); }
static void to_f32_baseline(const uint16_t *in, float *out, size_t n) { f16_to_f32_body(in, out, n); }

FAST static uint64_t read_fast(const void *p, size_t n) { return read_body(p, n); }

static int has_fast(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    }
    return cached;
}

void lineside_padim_distances(const uint16_t *factor, const uint16_t *mean, const float *x, size_t groups, size_t d,
                              float *out) {
    if (has_fast()) distances_fast(factor, mean, x, groups, d, out);
    else distances_baseline(factor, mean, x, groups, d, out);
}
void lineside_padim_distances_baseline(const uint16_t *factor, const uint16_t *mean, const float *x, size_t groups,
                                       size_t d, float *out) {
    distances_baseline(factor, mean, x, groups, d, out);
}
void lineside_padim_distances_i8(const int8_t *factor, const uint16_t *scales, const uint16_t *mean, const float *x,
                                 size_t groups, size_t d, float *out) {
    if (has_fast()) distances_i8_fast(factor, scales, mean, x, groups, d, out);
    else distances_i8_baseline(factor, scales, mean, x, groups, d, out);
}
void lineside_padim_distances_i8_taps(TAPS_ARGS) {
    if (has_fast()) distances_i8_taps_fast(f, s, m, taps, tn, st, sc, gh, gw, g0, g, d, o);
    else distances_i8_taps_baseline(f, s, m, taps, tn, st, sc, gh, gw, g0, g, d, o);
}
const char *lineside_padim_kernel_variant(void) { return has_fast() ? "x86-64-f16c-fma" : "x86-64-baseline"; }
uint64_t lineside_memory_read(const void *data, size_t bytes) { return has_fast() ? read_fast(data, bytes) : read_body(data, bytes); }
void lineside_f32_to_f16(const float *in, uint16_t *out, size_t count) {
    if (has_fast()) to_f16_fast(in, out, count); else to_f16_baseline(in, out, count);
}
void lineside_f16_to_f32(const uint16_t *in, float *out, size_t count) {
    if (has_fast()) to_f32_fast(in, out, count); else to_f32_baseline(in, out, count);
}
#else
void lineside_padim_distances(const uint16_t *factor, const uint16_t *mean, const float *x, size_t groups, size_t d,
                              float *out) {
    distances_body(factor, mean, x, groups, d, out);
}
void lineside_padim_distances_baseline(const uint16_t *factor, const uint16_t *mean, const float *x, size_t groups,
                                       size_t d, float *out) {
    distances_body(factor, mean, x, groups, d, out);
}
void lineside_padim_distances_i8(const int8_t *factor, const uint16_t *scales, const uint16_t *mean, const float *x,
                                 size_t groups, size_t d, float *out) {
    distances_i8_body(factor, scales, mean, x, groups, d, out);
}
void lineside_padim_distances_i8_taps(const int8_t *factor, const uint16_t *scales, const uint16_t *mean,
                                      const lineside_tap *taps, size_t tap_count, const uint8_t *source_tap,
                                      const int32_t *source_channel, size_t grid_height, size_t grid_width,
                                      size_t first_group, size_t groups, size_t d, float *out) {
    distances_i8_taps_body(factor, scales, mean, taps, tap_count, source_tap, source_channel, grid_height, grid_width,
                           first_group, groups, d, out);
}
const char *lineside_padim_kernel_variant(void) { return "generic"; }
uint64_t lineside_memory_read(const void *data, size_t bytes) { return read_body(data, bytes); }
void lineside_f32_to_f16(const float *in, uint16_t *out, size_t count) { f32_to_f16_body(in, out, count); }
void lineside_f16_to_f32(const uint16_t *in, float *out, size_t count) { f16_to_f32_body(in, out, count); }
#endif
