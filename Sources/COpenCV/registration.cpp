// The C API of COpenCV.h over OpenCV 4.6. Every entry point runs its body inside guarded(), which
// turns any exception into an error code and a message: none may unwind into Swift.
#include "COpenCV.h"
#include "ecc_euclidean.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>

namespace {

thread_local char last_error[256] = "";

void set_error(const char *what) {
    std::snprintf(last_error, sizeof last_error, "%s", what);
    // One line: replace newlines OpenCV puts in its messages.
    for (char *c = last_error; *c; ++c) if (*c == '\n' || *c == '\r') *c = ' ';
}

template <typename Body> int guarded(Body body) {
    last_error[0] = 0;
    try {
        return body();
    } catch (const cv::Exception &e) {
        set_error(e.what());
    } catch (const std::exception &e) {
        set_error(e.what());
    } catch (...) {
        set_error("unknown exception in OpenCV");
    }
    return LS_CV_OPENCV_ERROR;
}

int bad(const char *what) {
    set_error(what);
    return LS_CV_BAD_ARGUMENT;
}

bool finite6(const double m[6]) {
    for (int i = 0; i < 6; ++i) if (!std::isfinite(m[i])) return false;
    return true;
}

}  // namespace

extern "C" const char *ls_cv_last_error(void) { return last_error; }

extern "C" void ls_cv_set_threads(int threads) {
    try { cv::setNumThreads(threads); } catch (...) {}
}

extern "C" int ls_cv_thumbnail(const uint8_t *pixels, int width, int height, int stride, int channels, int size, float *out) {
    if (!pixels || !out) return bad("thumbnail: null pointer");
    if (width < 1 || height < 1 || width > 65536 || height > 65536) return bad("thumbnail: image size out of range");
    if (channels != 1 && channels != 3) return bad("thumbnail: channels must be 1 or 3");
    if (size < 8 || size > 512) return bad("thumbnail: size out of range");
    if (stride < width * channels) return bad("thumbnail: stride shorter than a row");
    return guarded([&] {
        cv::Mat src(height, width, channels == 1 ? CV_8UC1 : CV_8UC3, const_cast<uint8_t *>(pixels), (size_t)stride);
        cv::Mat small;
        cv::resize(src, small, cv::Size(size, size), 0, 0, cv::INTER_AREA);
        cv::Mat grey;
        if (channels == 3) cv::cvtColor(small, grey, cv::COLOR_RGB2GRAY); else grey = small;
        cv::Mat dst(size, size, CV_32FC1, out);
        grey.convertTo(dst, CV_32F, 1.0 / 255.0);
        return LS_CV_OK;
    });
}

extern "C" int ls_cv_resize_u8(const uint8_t *pixels, int width, int height, int stride, int channels,
                               uint8_t *dst, int dst_width, int dst_height) {
    if (!pixels || !dst) return bad("resize: null pointer");
    if (width < 1 || height < 1 || width > 65536 || height > 65536 || dst_width < 1 || dst_height < 1 ||
        dst_width > 65536 || dst_height > 65536) return bad("resize: image size out of range");
    if (channels != 1 && channels != 3) return bad("resize: channels must be 1 or 3");
    if (stride < width * channels) return bad("resize: stride shorter than a row");
    return guarded([&] {
        int type = channels == 1 ? CV_8UC1 : CV_8UC3;
        cv::Mat src(height, width, type, const_cast<uint8_t *>(pixels), (size_t)stride), out(dst_height, dst_width, type, dst);
        cv::resize(src, out, out.size(), 0, 0, cv::INTER_AREA);
        return LS_CV_OK;
    });
}

namespace {

double correlation(const cv::Mat &a, const cv::Mat &b, int margin) {
    cv::Rect inner(margin, margin, a.cols - 2 * margin, a.rows - 2 * margin);
    cv::Mat x = a(inner), y = b(inner);
    cv::Scalar mx, sx, my, sy;
    cv::meanStdDev(x, mx, sx);
    cv::meanStdDev(y, my, sy);
    if (sx[0] <= 1e-9 || sy[0] <= 1e-9) return 0;
    cv::Mat xc, yc;
    cv::subtract(x, mx, xc);
    cv::subtract(y, my, yc);
    return xc.dot(yc) / (double(inner.area()) * sx[0] * sy[0]);
}

}  // namespace

extern "C" int ls_cv_correlation(const float *a, const float *b, int size, int margin, double *out) {
    if (!a || !b || !out) return bad("correlation: null pointer");
    if (size < 8 || size > 512 || margin < 0 || 2 * margin >= size) return bad("correlation: size out of range");
    return guarded([&] {
        cv::Mat x(size, size, CV_32FC1, const_cast<float *>(a)), y(size, size, CV_32FC1, const_cast<float *>(b));
        *out = correlation(x, y, margin);
        return LS_CV_OK;
    });
}

extern "C" int ls_cv_align(const float *reference, const float *moving, int size, int iterations, double epsilon, int blur,
                           int refiner, ls_cv_alignment *out) {
    if (!reference || !moving || !out) return bad("align: null pointer");
    if (size < 8 || size > 512) return bad("align: size out of range");
    if (iterations < 0 || iterations > 1000 || !(epsilon > 0) || !std::isfinite(epsilon)) return bad("align: bad stop criteria");
    if (blur < 1 || blur > 31 || blur % 2 == 0) return bad("align: blur must be odd, 1...31");
    if (refiner != LS_CV_ECC_FUSED && refiner != LS_CV_ECC_OPENCV) return bad("align: unknown refiner");
    return guarded([&] {
        cv::Mat ref(size, size, CV_32FC1, const_cast<float *>(reference));
        cv::Mat mov(size, size, CV_32FC1, const_cast<float *>(moving));
        // Translation: moving = reference shifted by `shift`, so moving(p + shift) = reference(p).
        // The window depends only on the size: made once per thread and size.
        thread_local cv::Mat window;
        if (window.rows != size || window.cols != size) cv::createHanningWindow(window, ref.size(), CV_32F);
        double response = 0;
        // phaseCorrelate multiplies its inputs by the window in place (when their size is already
        // a DFT size): give it copies.
        cv::Mat refCopy = ref.clone(), movCopy = mov.clone();
        cv::Point2d shift = cv::phaseCorrelate(refCopy, movCopy, window, &response);
        if (!std::isfinite(shift.x) || !std::isfinite(shift.y)) shift = cv::Point2d(0, 0);
        cv::Mat warp = (cv::Mat_<float>(2, 3) << 1, 0, (float)shift.x, 0, 1, (float)shift.y);
        out->peak = std::isfinite(response) ? response : 0;
        out->refined = 0;
        double rho = 0;
        if (iterations > 0) {
            cv::Mat refined = warp.clone();
            try {
                if (refiner == LS_CV_ECC_FUSED) {
                    rho = lineside::findEuclideanECC(ref, mov, refined, iterations, epsilon, blur);
                } else {
                    rho = cv::findTransformECC(ref, mov, refined, cv::MOTION_EUCLIDEAN,
                                               cv::TermCriteria(cv::TermCriteria::COUNT | cv::TermCriteria::EPS, iterations, epsilon),
                                               cv::noArray(), blur);
                }
                bool sane = std::isfinite(rho);
                for (int i = 0; i < 6 && sane; ++i) sane = std::isfinite(refined.at<float>(i / 3, i % 3));
                if (sane) { warp = refined; out->refined = 1; }
            } catch (const cv::Exception &) {
                // StsNoConv and friends: the translation stands.
            }
        }
        for (int i = 0; i < 6; ++i) out->matrix[i] = warp.at<float>(i / 3, i % 3);
        // Quality: the same measure whichever step won, on blurred thumbnails, the moving one aligned.
        cv::Mat aligned, a, b;
        cv::warpAffine(mov, aligned, warp, ref.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
        cv::GaussianBlur(ref, a, cv::Size(blur, blur), 0);
        cv::GaussianBlur(aligned, b, cv::Size(blur, blur), 0);
        out->quality = correlation(a, b, size / 16);
        return LS_CV_OK;
    });
}

extern "C" int ls_cv_warp_u8(const uint8_t *src, int width, int height, int channels, const double matrix[6], uint8_t *dst,
                             int x, int y, int rect_width, int rect_height) {
    if (!src || !dst || !matrix) return bad("warp: null pointer");
    if (width < 1 || height < 1 || width > 65536 || height > 65536) return bad("warp: image size out of range");
    if (channels != 1 && channels != 3) return bad("warp: channels must be 1 or 3");
    if (x < 0 || y < 0 || rect_width < 1 || rect_height < 1 || rect_width > width - x || rect_height > height - y)
        return bad("warp: rectangle outside the image");
    if (!finite6(matrix)) return bad("warp: matrix is not finite");
    return guarded([&] {
        int type = channels == 1 ? CV_8UC1 : CV_8UC3;
        cv::Mat s(height, width, type, const_cast<uint8_t *>(src)), whole(height, width, type, dst);
        cv::Mat d = whole(cv::Rect(x, y, rect_width, rect_height));  // a view: warpAffine writes in place
        // The rectangle's pixel p is the image's p + (x, y): sample at m (p + (x, y)).
        const double *k = matrix;
        cv::Mat m = (cv::Mat_<double>(2, 3) << k[0], k[1], k[0] * x + k[1] * y + k[2], k[3], k[4], k[3] * x + k[4] * y + k[5]);
        cv::warpAffine(s, d, m, d.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
        if (d.data != whole.data + (size_t)y * whole.step + (size_t)x * whole.elemSize()) return bad("warp: OpenCV reallocated the output");
        return (int)LS_CV_OK;
    });
}

extern "C" int ls_cv_warp_f32(const float *src, int width, int height, const double matrix[6], int inverse,
                              float *dst, int dst_width, int dst_height) {
    if (!src || !dst || !matrix) return bad("warp: null pointer");
    if (width < 1 || height < 1 || width > 65536 || height > 65536 || dst_width < 1 || dst_height < 1 ||
        dst_width > 65536 || dst_height > 65536) return bad("warp: image size out of range");
    if (!finite6(matrix)) return bad("warp: matrix is not finite");
    return guarded([&] {
        cv::Mat s(height, width, CV_32FC1, const_cast<float *>(src)), d(dst_height, dst_width, CV_32FC1, dst);
        cv::Mat m(2, 3, CV_64FC1, const_cast<double *>(matrix));
        // warpAffine without WARP_INVERSE_MAP samples at m^-1 * p.
        int flags = cv::INTER_LINEAR | (inverse ? 0 : cv::WARP_INVERSE_MAP);
        cv::warpAffine(s, d, m, d.size(), flags, cv::BORDER_REPLICATE);
        return LS_CV_OK;
    });
}
