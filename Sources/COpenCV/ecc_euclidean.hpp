// A Euclidean ECC refinement for small square float images, the algorithm of
// cv::findTransformECC (Evangelidis & Psarakis 2008) with each iteration fused into two passes
// over the pixels. OpenCV's version spends most of its time on the temporaries of about thirty
// whole-image operations per iteration (0.16 ms an iteration on a 64x64 thumbnail against a few
// hundredths of a millisecond of arithmetic). OpenCV still does the pre-filter and the
// gradients; the tests hold this to cv::findTransformECC's result.
#pragma once

#include <opencv2/core.hpp>

namespace lineside {

/// Refines `warp` (2x3 CV_32F, reference -> moving, Euclidean) so that moving(warp * p) matches
/// reference(p) in the ECC sense. `reference` and `moving` are size x size CV_32FC1. Returns the
/// last correlation coefficient; throws cv::Exception (StsNoConv) where cv::findTransformECC does.
double findEuclideanECC(const cv::Mat &reference, const cv::Mat &moving, cv::Mat &warp, int iterations, double epsilon,
                        int blur);

}  // namespace lineside
