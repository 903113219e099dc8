#ifndef LINESIDE_CPADIMKERNELS_H
#define LINESIDE_CPADIMKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// PaDiM patch distances for `groups` groups of 8 patches, the one hand-vectorised kernel.
///
/// Layout (8 patches interleaved per SIMD lane, the fastest layout measured):
///   factor: [groups][d*(d+1)/2][8] float16 bits: W = L^-1 (S = L L^T), lower triangle packed by rows
///   mean:   [groups][d][8]          float16 bits
///   x:      [groups][d][8]          float32 features
///   out:    [groups*8]              float32 sqrt(|W (x - mean)|^2)
/// The squared distance is a sum of squares, so float16 rounding of W can never make it negative.
/// On x86_64 the F16C/FMA/AVX2 variant is chosen at run time when the
/// CPU has them (a baseline build otherwise turns every conversion into a library call); on
/// aarch64 conversions and FMAs are single instructions in every build.
void lineside_padim_distances(const uint16_t *factor, const uint16_t *mean, const float *x,
                              size_t groups, size_t d, float *out);

/// The same with the baseline (no F16C/FMA) variant forced, for benchmarks: the ratio between the
/// two is the measured reason for the run-time dispatch. Identical to the default off x86_64.
void lineside_padim_distances_baseline(const uint16_t *factor, const uint16_t *mean, const float *x,
                                       size_t groups, size_t d, float *out);

/// The same distances with W as int8 and one float16 scale per row and patch, the difference
/// x - mean rounded to int16 with one step per patch, and the products summed in int32:
///   factor: [groups][pairs][8][2] int8, W_ij = scales_i * factor_ij: row i's j = 0...i in
///           pairs (j, j + 1) per lane, the last pair of an odd row padded with 0;
///           pairs = lineside_padim_i8_pairs(d) per group
///   scales: [groups][d][8]          float16 bits
/// Half the bytes of the float16 factor (the scoring is memory-bound on a frame's cold caches).
void lineside_padim_distances_i8(const int8_t *factor, const uint16_t *scales, const uint16_t *mean, const float *x,
                                 size_t groups, size_t d, float *out);

/// An int8 NHWC feature map as the backbone leaves it (value = (q - zero_point) * scale).
typedef struct {
    const int8_t *values;
    int32_t height, width, channels;
    float scale;
    int32_t zero_point;
} lineside_tap;

/// Taps `lineside_padim_distances_i8_taps` reads (the Lite0 cut has three).
#define LINESIDE_MAX_TAPS 4

/// `lineside_padim_distances_i8` with each group's features read straight from the taps instead of
/// a gathered [groups][d][8] block, equal to the bit: channel c of the concatenated taps is
/// taps[source_tap[c]] channel source_channel[c]; patch (i, j) of the grid_height x grid_width grid
/// reads a tap at (i * height / grid_height, j * width / grid_width) (nearest upsampling). `factor`,
/// `scales`, `mean` and `out` start at group `first_group`, whose patches are worked out from it.
/// tap_count <= LINESIDE_MAX_TAPS.
void lineside_padim_distances_i8_taps(const int8_t *factor, const uint16_t *scales, const uint16_t *mean,
                                      const lineside_tap *taps, size_t tap_count, const uint8_t *source_tap,
                                      const int32_t *source_channel, size_t grid_height, size_t grid_width,
                                      size_t first_group, size_t groups, size_t d, float *out);

/// Pairs of the int8 factor's layout for one group at `d` dimensions: sum over rows i < d of
/// ceil((i + 1) / 2).
size_t lineside_padim_i8_pairs(size_t d);

/// Which variant `lineside_padim_distances` uses: "x86-64-f16c-fma", "x86-64-baseline" or "generic".
const char *lineside_padim_kernel_variant(void);

/// Reads `bytes` bytes at `data` once with the widest loads the CPU has and returns a sum of them
/// (meaningless, it only keeps the reads). Benchmarks time it to get the machine's read bandwidth:
/// the floor of a memory-bound kernel such as the distances above.
uint64_t lineside_memory_read(const void *data, size_t bytes);

/// float32 <-> float16 bit patterns (round to nearest even), vectorised where the CPU allows.
void lineside_f32_to_f16(const float *in, uint16_t *out, size_t count);
void lineside_f16_to_f32(const uint16_t *in, float *out, size_t count);

#endif
