// Runs the PaDiM kernels (Sources/CPadimKernels) on fixed pseudo-random inputs and prints every
// result as text, so the same program built for x86_64 and for aarch64 (run under qemu-aarch64)
// can be compared value by value: Tests/kernels/agreement.sh.
#include "CPadimKernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9E3779B97F4A7C15ull;
static double uniform(void) {  // SplitMix64 -> [0, 1)
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

int main(void) {
    const size_t groups = 49, d = 100, tri = d * (d + 1) / 2;  // 392 patches, the model's d
    float *w = malloc(groups * tri * 8 * sizeof *w), *mean = malloc(groups * d * 8 * sizeof *mean);
    float *x = malloc(groups * d * 8 * sizeof *x), *out = malloc(groups * 8 * sizeof *out);
    float *back = malloc(groups * tri * 8 * sizeof *back);
    uint16_t *scales = malloc(groups * d * 8 * sizeof *scales), *w16 = malloc(groups * tri * 8 * 2), *m16 = malloc(groups * d * 8 * 2);
    int8_t *w8 = malloc(groups * lineside_padim_i8_pairs(d) * 16);
    if (!w || !mean || !x || !out || !scales || !back || !w16 || !m16 || !w8) return 2;
    // A lower-triangular factor with a dominant positive diagonal, per patch (lane).
    for (size_t g = 0; g < groups; g++)
        for (size_t i = 0, t = 0; i < d; i++)
            for (size_t j = 0; j <= i; j++, t++)
                for (size_t l = 0; l < 8; l++)
                    w[(g * tri + t) * 8 + l] = (float)(i == j ? 0.5 + uniform() : (uniform() - 0.5) * 0.2);
    for (size_t k = 0; k < groups * d * 8; k++) { mean[k] = (float)(uniform() * 4); x[k] = (float)(uniform() * 5); }
    lineside_f32_to_f16(w, w16, groups * tri * 8);
    lineside_f32_to_f16(mean, m16, groups * d * 8);
    lineside_f16_to_f32(w16, back, groups * tri * 8);
    // int8 with one scale per row and patch, as PatchScorer quantises at load.
    const size_t pairs = lineside_padim_i8_pairs(d);
    memset(w8, 0, groups * pairs * 16);
    for (size_t g = 0; g < groups; g++)
        for (size_t i = 0, pair_start = 0; i < d; pair_start += (i + 2) / 2, i++)
            for (size_t l = 0; l < 8; l++) {
                size_t first = i * (i + 1) / 2;
                float largest = 0;
                for (size_t j = 0; j <= i; j++) { float v = back[(g * tri + first + j) * 8 + l]; if (v < 0) v = -v; if (v > largest) largest = v; }
                // The float16 scale rounded up, as PatchScorer.rowScale.
                float s = largest > 0 ? largest / 127 : 1;
                lineside_f32_to_f16(&s, &scales[(g * d + i) * 8 + l], 1);
                lineside_f16_to_f32(&scales[(g * d + i) * 8 + l], &s, 1);
                if (s * 127 < largest) { scales[(g * d + i) * 8 + l] += 1; lineside_f16_to_f32(&scales[(g * d + i) * 8 + l], &s, 1); }
                for (size_t j = 0; j <= i; j++) {
                    float q = __builtin_roundevenf(back[(g * tri + first + j) * 8 + l] / s);
                    w8[((g * pairs + pair_start + j / 2) * 8 + l) * 2 + j % 2] = (int8_t)(q > 127 ? 127 : q < -127 ? -127 : q);
                }
            }
    uint64_t f16sum = 0;
    for (size_t k = 0; k < groups * tri * 8; k++) f16sum = f16sum * 31 + w16[k];
    printf("f16bits %016llx\n", (unsigned long long)f16sum);
    lineside_padim_distances(w16, m16, x, groups, d, out);
    for (size_t p = 0; p < groups * 8; p++) printf("f16 %zu %.9g\n", p, out[p]);
    lineside_padim_distances_i8(w8, scales, m16, x, groups, d, out);
    for (size_t p = 0; p < groups * 8; p++) printf("i8 %zu %.9g\n", p, out[p]);
    // The same int8 distances read straight from three int8 taps of a 14x28 grid (392 patches, at
    // strides 1, 2 and 4 of it), in two calls split at group 20, and on the features gathered from
    // those taps as PatchFeatureGatherer does: the two must agree to the bit.
    const int32_t th[3] = {14, 7, 4}, tw[3] = {28, 14, 7}, tc[3] = {24, 40, 112}, tz[3] = {-128, 5, -9};
    const float ts[3] = {0.047f, 0.021f, 0.0139f};
    lineside_tap taps[3];
    int8_t *tv[3];
    for (int t = 0; t < 3; t++) {
        size_t n = (size_t)th[t] * tw[t] * tc[t];
        if (!(tv[t] = malloc(n))) return 2;
        for (size_t k = 0; k < n; k++) tv[t][k] = (int8_t)(int)(uniform() * 256 - 128);
        taps[t] = (lineside_tap){tv[t], th[t], tw[t], tc[t], ts[t], tz[t]};
    }
    uint8_t source_tap[100];
    int32_t source_channel[100];
    for (size_t c = 0; c < d; c++) {
        int global = (int)((c * 7) % 176);
        source_tap[c] = global < 24 ? 0 : global < 64 ? 1 : 2;
        source_channel[c] = global - (global < 24 ? 0 : global < 64 ? 24 : 64);
    }
    for (size_t g = 0; g < groups; g++)
        for (size_t c = 0; c < d; c++)
            for (size_t l = 0; l < 8; l++) {
                size_t p = g * 8 + l, i = p / 28, j = p % 28;
                const lineside_tap *t = &taps[source_tap[c]];
                size_t at = ((i * t->height / 14) * t->width + j * t->width / 28) * t->channels + source_channel[c];
                x[(g * d + c) * 8 + l] = ((float)t->values[at] - (float)t->zero_point) * t->scale;
            }
    float *gathered = malloc(groups * 8 * sizeof *gathered);
    if (!gathered) return 2;
    lineside_padim_distances_i8(w8, scales, m16, x, groups, d, gathered);
    lineside_padim_distances_i8_taps(w8, scales, m16, taps, 3, source_tap, source_channel, 14, 28, 0, 20, d, out);
    lineside_padim_distances_i8_taps(w8 + 20 * pairs * 16, scales + 20 * d * 8, m16 + 20 * d * 8, taps, 3, source_tap,
                                     source_channel, 14, 28, 20, groups - 20, d, out + 20 * 8);
    size_t equal = 0;
    for (size_t p = 0; p < groups * 8; p++) equal += out[p] == gathered[p];
    printf("taps-vs-gathered %zu %zu\n", equal, groups * 8);
    for (size_t p = 0; p < groups * 8; p++) printf("i8taps %zu %.9g\n", p, out[p]);
    printf("read %llu\n", (unsigned long long)lineside_memory_read(w16, groups * tri * 8 * 2 - 5));
    return 0;
}
