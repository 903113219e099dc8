// Prints the preprocessing's resample (Sources/CResample) of seeded 8-bit images, for
// Tests/kernels/agreement.sh to compare between x86_64 and aarch64: a 480x360 RGB region to the
// 224 crop of the 256 resize (the model input, flipped), the whole 256 view of it, and a grey one
// upscaled from 150x97 to 3 channels. One line per output row: "resample CASE ROW HASH".
#include "CResample.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 0x243F6A8885A308D3ull;
static uint8_t next_byte(void) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (uint8_t)((z ^ (z >> 31)) >> 56);
}

// The triangle filter of Sources/Imaging/ResampleFilter.swift (the spec in tools/preprocess.py).
typedef struct { ptrdiff_t *starts, *counts, taps; float *weights; } filter;
static filter make_filter(int in, int out) {
    filter f;
    double scale = (double)in / out, support = scale > 1 ? scale : 1;
    f.taps = (ptrdiff_t)ceil(2 * support) + 2;
    f.starts = calloc(out, sizeof *f.starts); f.counts = calloc(out, sizeof *f.counts);
    f.weights = calloc((size_t)out * f.taps, sizeof *f.weights);
    double raw[64];
    for (int x = 0; x < out; x++) {
        double centre = (x + 0.5) * scale;
        int first = (int)floor(centre - support); if (first < 0) first = 0;
        int end = (int)ceil(centre + support); if (end > in) end = in;
        int n = 0;
        for (int t = first; t < end; t++) { double w = 1 - fabs((t + 0.5 - centre) / support); raw[n++] = w > 0 ? w : 0; }
        int lo = 0, hi = n;
        while (lo < hi - 1 && raw[lo] == 0) lo++;
        while (hi > lo + 1 && raw[hi - 1] == 0) hi--;
        double total = 0;
        for (int k = lo; k < hi; k++) total += raw[k];
        f.starts[x] = first + lo; f.counts[x] = hi - lo;
        for (int k = lo; k < hi; k++) f.weights[x * f.taps + (k - lo)] = (float)(raw[k] / total);
    }
    return f;
}

static void run(const char *name, int width, int height, int channels, int size, int offset, int out_channels, uint8_t flip) {
    size_t count = (size_t)width * height * channels;
    uint8_t *src = malloc(count), *row = malloc((size_t)size * out_channels);
    for (size_t i = 0; i < count; i++) src[i] = next_byte();
    filter h = make_filter(width, 256), v = make_filter(height, 256);
    ptrdiff_t lo = h.starts[offset], hi = 0;
    for (int x = offset; x < offset + size; x++) {
        if (h.starts[x] < lo) lo = h.starts[x];
        if (h.starts[x] + h.counts[x] > hi) hi = h.starts[x] + h.counts[x];
    }
    float *scratch = malloc(ls_resample_scratch_floats(hi - lo, channels, h.taps) * sizeof(float));
    for (int oy = 0; oy < size; oy++) {
        int y = oy + offset;
        ls_resample_row(src, (size_t)width * channels, channels, v.weights + y * v.taps, v.starts[y], v.counts[y], lo, hi,
                        h.weights + offset * h.taps, h.starts + offset, h.counts + offset, h.taps, size, out_channels, flip,
                        scratch, row);
        uint64_t hash = 1469598103934665603ull;
        for (int i = 0; i < size * out_channels; i++) hash = (hash ^ row[i]) * 1099511628211ull;
        printf("resample %s %d %016llx\n", name, oy, (unsigned long long)hash);
    }
}

int main(void) {
    run("input", 480, 360, 3, 224, 16, 3, 0x80);
    run("view", 480, 360, 3, 256, 0, 3, 0);
    run("grey", 150, 97, 1, 224, 16, 3, 0x80);
    printf("variant %s\n", ls_resample_variant());
    return 0;
}
