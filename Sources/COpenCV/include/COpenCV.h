#ifndef LINESIDE_COPENCV_H
#define LINESIDE_COPENCV_H
/* One small C API over Debian's OpenCV 4.6 (core, imgproc, video) for position correction:
 * thumbnails, Euclidean registration (phase correlation, then ECC refinement) and affine warps.
 * No C++ exception crosses this API: every function catches cv::Exception (and anything else),
 * returns an LS_CV_* code and leaves a one-line message for ls_cv_last_error (per thread).
 *
 * Warps are 2x3 matrices m = {a, b, tx, c, d, ty} that map REFERENCE coordinates to MOVING
 * coordinates: moving(m * p) ~ reference(p). Aligning a moving image to the reference samples it at
 * m * p (cv::warpAffine with WARP_INVERSE_MAP). Coordinates are pixel centres at integers. */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    LS_CV_OK = 0,
    LS_CV_BAD_ARGUMENT = 1,    /* a size, pointer or count out of range: nothing was done */
    LS_CV_OPENCV_ERROR = 2,    /* cv::Exception (or another exception) inside OpenCV */
};

/** The message of the last failure on this thread ("" when none). */
const char *ls_cv_last_error(void);

/** cv::setNumThreads: 0 or 1 keeps OpenCV's own loops on the calling thread. */
void ls_cv_set_threads(int threads);

/** Downscales an 8-bit grey (channels 1) or RGB (3) image, rows `stride` bytes apart, to a
 *  size x size grey float image in [0, 1] (cv::resize INTER_AREA, then the BT.601 grey mix).
 *  `out` holds size * size floats. Sizes 1...65536, size 8...512. */
int ls_cv_thumbnail(const uint8_t *pixels, int width, int height, int stride, int channels, int size, float *out);

/** Resizes an 8-bit grey or RGB image (rows `stride` bytes apart) to dst_width x dst_height with
 *  the same channels, rows packed (cv::resize INTER_AREA: a box filter when shrinking). */
int ls_cv_resize_u8(const uint8_t *pixels, int width, int height, int stride, int channels,
                    uint8_t *dst, int dst_width, int dst_height);

/** The result of ls_cv_align. */
typedef struct {
    double matrix[6];       /* reference -> moving, in thumbnail pixels */
    double quality;         /* correlation of the aligned moving thumbnail with the reference, -1...1 */
    double peak;            /* phase correlation response of the translation step, 0...1 */
    int refined;            /* 1 when ECC converged and its result was kept, 0: translation only */
} ls_cv_alignment;

/** Which implementation of the Euclidean ECC refinement ls_cv_align runs. */
enum {
    LS_CV_ECC_FUSED = 0,   /* ecc_euclidean.cpp: the same algorithm, two passes an iteration */
    LS_CV_ECC_OPENCV = 1,  /* cv::findTransformECC itself (to compare) */
};

/** Registers `moving` to `reference` (both size x size floats): cv::phaseCorrelate (Hanning
 *  window) for the shift, then ECC (MOTION_EUCLIDEAN, Gaussian filter `blur`, at most
 *  `iterations`, stop at `epsilon`; `refiner` LS_CV_ECC_*) from it. When ECC does not converge,
 *  the translation stands and its quality is measured the same way. */
int ls_cv_align(const float *reference, const float *moving, int size, int iterations, double epsilon, int blur,
                int refiner, ls_cv_alignment *out);

/** Zero-mean normalised correlation of two size x size float images, ignoring a border of
 *  `margin` pixels; *out receives it (0 when either is flat). */
int ls_cv_correlation(const float *a, const float *b, int size, int margin, double *out);

/** Warps an 8-bit image (channels 1 or 3, rows packed) by m (reference -> moving): dst(p) =
 *  src(m * p), bilinear, borders replicated. dst has the same geometry as src; only its rectangle
 *  at (x, y) of rect_width x rect_height is written (the whole image: 0, 0, width, height). */
int ls_cv_warp_u8(const uint8_t *src, int width, int height, int channels, const double matrix[6], uint8_t *dst,
                  int x, int y, int rect_width, int rect_height);

/** The same for a one-channel float image, with dst of its own size; `inverse` 1 samples at
 *  m^-1 * p instead (moving -> reference: draws a map made in reference coordinates back onto
 *  the moving image). */
int ls_cv_warp_f32(const float *src, int width, int height, const double matrix[6], int inverse,
                   float *dst, int dst_width, int dst_height);

#ifdef __cplusplus
}
#endif
#endif
