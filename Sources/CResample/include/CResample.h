/* The inner loops of the preprocessing's separable triangle resample (Imaging's Preprocessor
 * owns the filter, the geometry and the threads; this does the arithmetic of one output row).
 * Vectorised with clang's vector extensions: AVX2 when the x86-64 CPU has it (checked once at
 * run time), the baseline otherwise, NEON on aarch64. */
#ifndef LINESIDE_CRESAMPLE_H
#define LINESIDE_CRESAMPLE_H

#include <stddef.h>
#include <stdint.h>

/** One output row of the resample of an 8-bit image with `channels` (1 or 3) interleaved.
 *
 *  Vertical pass first: source rows `vstart` ... `vstart + vcount - 1` (row r at
 *  src + r * src_stride), weighted by `vweights`, over the source pixel columns
 *  [col_lo, col_hi), into `scratch` as floats. Then the horizontal pass: `out_count` output
 *  pixels, pixel o reading `hcounts[o]` taps from source column `hstarts[o]` on with the weights
 *  at hweights + o * hmax_taps (the rest of those hmax_taps weights must be 0), each rounded as
 *  floor(x + 0.5) clamped to 0...255, XOR `flip`, written as `out_channels` bytes (3 from a
 *  1-channel source repeats the grey value) to out.
 *
 *  `scratch` holds ls_resample_scratch_floats(col_hi - col_lo, channels, hmax_taps) floats. */
void ls_resample_row(const uint8_t *src, size_t src_stride, int channels, const float *vweights, ptrdiff_t vstart,
                     ptrdiff_t vcount, ptrdiff_t col_lo, ptrdiff_t col_hi, const float *hweights, const ptrdiff_t *hstarts,
                     const ptrdiff_t *hcounts, ptrdiff_t hmax_taps, ptrdiff_t out_count, int out_channels, uint8_t flip,
                     float *scratch, uint8_t *out);

/** Floats of scratch ls_resample_row needs for `columns` source columns. */
size_t ls_resample_scratch_floats(ptrdiff_t columns, int channels, ptrdiff_t hmax_taps);

/** Which variant runs: "x86-64-avx2", "x86-64-baseline" or "generic". */
const char *ls_resample_variant(void);

#endif
