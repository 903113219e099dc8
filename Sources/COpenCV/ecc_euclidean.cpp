// See ecc_euclidean.hpp. Each iteration, as in cv::findTransformECC with MOTION_EUCLIDEAN:
// warp the moving image and its gradients back onto the reference grid (bilinear, zero outside;
// a pixel counts when its nearest source pixel lies inside), zero-mean both over the counted
// pixels, build the Jacobian of the warp's three parameters (angle, tx, ty), and take the
// illumination-invariant Gauss-Newton step. Here the warp, the statistics and every projection
// are two loops over the pixels with no temporaries; the error image's projection is
// lambda * (template's) - (image's), so it needs no loop of its own.
#include "ecc_euclidean.hpp"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstring>
#include <vector>

namespace lineside {

namespace {

typedef float f32x4 __attribute__((vector_size(16)));
typedef float f32x8 __attribute__((vector_size(32)));

inline f32x4 load4(const float *p) { f32x4 v; std::memcpy(&v, p, sizeof v); return v; }
inline f32x8 load8(const float *p) { f32x8 v; std::memcpy(&v, p, sizeof v); return v; }

/// The moving image and its two gradients (the central difference (p[+1] - p[-1]) / 2 of
/// cv::filter2D with the kernel {-0.5, 0, 0.5} and its default border, reflect-101, which makes
/// it 0 on the first and last row and column), interleaved per pixel and framed by one pixel of
/// zeros, so a bilinear sample near the edge reads the zero border as warpAffine's
/// BORDER_CONSTANT does.
/// `cells` is the caller's buffer (kept per thread: a fresh 70 KB each call costs page faults).
struct Packed {
    std::vector<float> &cells;  // (n + 2)^2 pixels x {value, gx, gy, unused}

    Packed(const cv::Mat &image, std::vector<float> &buffer) : cells(buffer) {
        const int n = image.cols;
        cells.assign(size_t(n + 2) * (n + 2) * 4, 0.f);
        for (int y = 0; y < n; ++y) {
            const float *v = image.ptr<float>(y);
            const float *up = image.ptr<float>(y > 0 ? y - 1 : 1), *down = image.ptr<float>(y < n - 1 ? y + 1 : n - 2);
            float *out = &cells[(size_t(y + 1) * (n + 2) + 1) * 4];
            for (int x = 0; x < n; ++x) {
                const float left = v[x > 0 ? x - 1 : 1], right = v[x < n - 1 ? x + 1 : n - 2];
                out[4 * x] = v[x];
                out[4 * x + 1] = 0.5f * right - 0.5f * left;
                out[4 * x + 2] = 0.5f * down[x] - 0.5f * up[x];
            }
        }
    }
};

/// The 3x3 symmetric positive system's inverse applied to b (Cramer's rule, in double).
bool solve3(const double h[6], const double b[3], double out[3]) {
    // h: {00, 01, 02, 11, 12, 22}
    const double a00 = h[0], a01 = h[1], a02 = h[2], a11 = h[3], a12 = h[4], a22 = h[5];
    const double c00 = a11 * a22 - a12 * a12, c01 = a02 * a12 - a01 * a22, c02 = a01 * a12 - a02 * a11;
    const double det = a00 * c00 + a01 * c01 + a02 * c02;
    if (!(std::fabs(det) > 0) || !std::isfinite(det)) return false;
    const double c11 = a00 * a22 - a02 * a02, c12 = a01 * a02 - a00 * a12, c22 = a00 * a11 - a01 * a01;
    out[0] = (c00 * b[0] + c01 * b[1] + c02 * b[2]) / det;
    out[1] = (c01 * b[0] + c11 * b[1] + c12 * b[2]) / det;
    out[2] = (c02 * b[0] + c12 * b[1] + c22 * b[2]) / det;
    return true;
}

[[noreturn]] void noConvergence(const char *why) { CV_Error(cv::Error::StsNoConv, why); }

}  // namespace

double findEuclideanECC(const cv::Mat &reference, const cv::Mat &moving, cv::Mat &warp, int iterations, double epsilon,
                        int blur) {
    CV_Assert(reference.type() == CV_32FC1 && moving.type() == CV_32FC1 && reference.size() == moving.size() &&
              reference.rows == reference.cols && warp.type() == CV_32FC1 && warp.rows == 2 && warp.cols == 3);
    const int n = reference.cols;
    CV_Assert(n >= 3);
    cv::Mat templ, image;
    cv::GaussianBlur(reference, templ, cv::Size(blur, blur), 0, 0);
    cv::GaussianBlur(moving, image, cv::Size(blur, blur), 0, 0);
    thread_local std::vector<float> cells, planes;
    const Packed packed(image, cells);
    const size_t pixels = size_t(n) * n, stride = size_t(n + 2) * 4;
    // The warped image and gradients as planes, and whether each pixel counts (1 or 0).
    planes.resize(pixels * 4);
    float *warpedImage = planes.data(), *warpedGx = warpedImage + pixels, *warpedGy = warpedGx + pixels, *counted = warpedGy + pixels;

    float *m = warp.ptr<float>(0);  // {m00 m01 m02 m10 m11 m12}: rows are contiguous in a 2x3 Mat
    CV_Assert(warp.isContinuous());
    const float edge = float(n) - 0.5f;
    double rho = -1, lastRho = -epsilon;
    for (int iteration = 1; iteration <= iterations; ++iteration) {
        // Pass 1: warp back (one 4-lane bilinear sum of {value, gx, gy} a pixel), and the sums
        // for the means.
        double count = 0, sumImage = 0, sumTempl = 0;
        for (int y = 0; y < n; ++y) {
            const float *t = templ.ptr<float>(y);
            float rowCount = 0, rowImage = 0, rowTempl = 0;
            for (int x = 0; x < n; ++x) {
                const float qx = m[0] * x + m[1] * y + m[2], qy = m[3] * x + m[4] * y + m[5];
                const size_t i = size_t(y) * n + x;
                // Counted when the nearest source pixel, floor(q + 0.5), lies inside.
                if (!(qx >= -0.5f && qx < edge && qy >= -0.5f && qy < edge)) {
                    warpedImage[i] = warpedGx[i] = warpedGy[i] = counted[i] = 0;
                    continue;
                }
                // floor(q) by truncation of q + 1 > 0 (no floorf call on baseline x86-64), as the
                // padded grid's index; a q just below an integer may round up, leaving a weight a
                // hair below 0, which the bilinear sum takes in its stride.
                const int cx = int(qx + 1.0f), cy = int(qy + 1.0f);
                const float fx = qx - float(cx - 1), fy = qy - float(cy - 1);
                const float *c = &packed.cells[size_t(cy) * stride + size_t(cx) * 4];
                const f32x4 v = (1 - fy) * ((1 - fx) * load4(c) + fx * load4(c + 4)) +
                                fy * ((1 - fx) * load4(c + stride) + fx * load4(c + stride + 4));
                warpedImage[i] = v[0];
                warpedGx[i] = v[1];
                warpedGy[i] = v[2];
                counted[i] = 1;
                rowCount += 1;
                rowImage += v[0];
                rowTempl += t[x];
            }
            count += rowCount;
            sumImage += rowImage;
            sumTempl += rowTempl;
        }
        if (count < 3) noConvergence("ECC: the warped image no longer overlaps the reference");
        const float meanImage = float(sumImage / count), meanTempl = float(sumTempl / count);

        // Pass 2: the Jacobian (angle, tx, ty) of each counted pixel, its Gram matrix (the
        // Hessian) and the projections of both zero-mean images onto it; eight pixels a step,
        // each row's sums in float, the rows' in double.
        const float h0 = m[0], h1 = m[3];  // cos, sin
        double hessian[6] = {0, 0, 0, 0, 0, 0}, imageProjection[3] = {0, 0, 0}, templProjection[3] = {0, 0, 0};
        double correlation = 0, imageNorm2 = 0, templNorm2 = 0;
        f32x8 lane = {0, 1, 2, 3, 4, 5, 6, 7};
        for (int y = 0; y < n; ++y) {
            const float *t = templ.ptr<float>(y);
            const size_t row = size_t(y) * n;
            f32x8 s[15] = {};
            int x = 0;
            auto add = [&](f32x8 iw, f32x8 gxw, f32x8 gyw, f32x8 on, f32x8 tv, f32x8 xs) {
                const f32x8 iz = (iw - meanImage) * on, tz = (tv - meanTempl) * on;
                const f32x8 hatX = -(xs * h1) - float(y) * h0, hatY = xs * h0 - float(y) * h1;
                const f32x8 j0 = gxw * hatX + gyw * hatY, j1 = gxw, j2 = gyw;  // 0 where not counted
                s[0] += j0 * j0; s[1] += j0 * j1; s[2] += j0 * j2; s[3] += j1 * j1; s[4] += j1 * j2; s[5] += j2 * j2;
                s[6] += j0 * iz; s[7] += j1 * iz; s[8] += j2 * iz;
                s[9] += j0 * tz; s[10] += j1 * tz; s[11] += j2 * tz;
                s[12] += tz * iz; s[13] += iz * iz; s[14] += tz * tz;
            };
            for (; x + 8 <= n; x += 8)
                add(load8(warpedImage + row + x), load8(warpedGx + row + x), load8(warpedGy + row + x), load8(counted + row + x),
                    load8(t + x), lane + float(x));
            for (; x < n; ++x) {
                f32x8 one = {}, iw = {}, gxw = {}, gyw = {}, tv = {}, xs = {};
                one[0] = counted[row + x]; iw[0] = warpedImage[row + x]; gxw[0] = warpedGx[row + x]; gyw[0] = warpedGy[row + x];
                tv[0] = t[x]; xs[0] = float(x);
                add(iw, gxw, gyw, one, tv, xs);
            }
            double *targets[15] = {&hessian[0], &hessian[1], &hessian[2], &hessian[3], &hessian[4], &hessian[5],
                                   &imageProjection[0], &imageProjection[1], &imageProjection[2],
                                   &templProjection[0], &templProjection[1], &templProjection[2],
                                   &correlation, &imageNorm2, &templNorm2};
            for (int k = 0; k < 15; ++k) {
                float total = 0;
                for (int l = 0; l < 8; ++l) total += s[k][l];
                *targets[k] += total;
            }
        }
        lastRho = rho;
        rho = correlation / std::sqrt(imageNorm2 * templNorm2);
        if (std::isnan(rho)) noConvergence("ECC: NaN encountered");
        double hImage[3];
        if (!solve3(hessian, imageProjection, hImage)) noConvergence("ECC: singular Hessian");
        const double lambdaN = imageNorm2 - (imageProjection[0] * hImage[0] + imageProjection[1] * hImage[1] + imageProjection[2] * hImage[2]);
        const double lambdaD = correlation - (templProjection[0] * hImage[0] + templProjection[1] * hImage[1] + templProjection[2] * hImage[2]);
        if (lambdaD <= 0) noConvergence("ECC: the correlation would be minimised (images uncorrelated or apart)");
        const double lambda = lambdaN / lambdaD;
        const double errorProjection[3] = {lambda * templProjection[0] - imageProjection[0],
                                           lambda * templProjection[1] - imageProjection[1],
                                           lambda * templProjection[2] - imageProjection[2]};
        double delta[3];
        if (!solve3(hessian, errorProjection, delta)) noConvergence("ECC: singular Hessian");
        // The update of cv::findTransformECC: the angle from the current sine, then the shift.
        const double theta = delta[0] + std::asin(double(m[3]));
        m[2] = float(m[2] + delta[1]);
        m[5] = float(m[5] + delta[2]);
        m[0] = m[4] = float(std::cos(theta));
        m[3] = float(std::sin(theta));
        m[1] = -m[3];
        if (std::fabs(rho - lastRho) < epsilon) break;
    }
    return rho;
}

}  // namespace lineside
