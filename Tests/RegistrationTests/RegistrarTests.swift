import Glibc
import DemoScene
import Imaging
import Testing
@testable import Registration

/// A reference made the way a fit makes it, from centred (keyed) generated parts.
func demoReference(parts: Int = 8, size: Int = 256) throws -> RegistrationReference {
    let renderer = PartRenderer(size: size)
    let thumbnails = try (0..<parts).map { try Registrar.thumbnail(renderer.render(index: $0, pose: .centred)) }
    return try RegistrationReference.build(thumbnails: thumbnails).reference
}

@Suite struct RegistrarTests {
    @Test func findsTheShiftAndTheAngleOfAMovedPart() throws {
        let registrar = Registrar(reference: try demoReference())
        let renderer = PartRenderer(size: 256)
        for pose in [PartRenderer.Pose(dx: 12, dy: -8, degrees: 6), PartRenderer.Pose(dx: -15, dy: 10, degrees: -9),
                     PartRenderer.Pose(dx: 3, dy: 4, degrees: 0)] {
            let view = try registrar.register(renderer.render(index: 40, pose: pose))
            let offset = view.regionOffset
            #expect(view.located, "\(pose): \(view.notLocated ?? "")")
            #expect(view.corrected)
            // The stream's own jitter is up to 2 px each way on top of the pose.
            #expect(abs(offset.dx - Double(pose.dx)) < 3, "\(pose): dx \(offset.dx)")
            #expect(abs(offset.dy - Double(pose.dy)) < 3, "\(pose): dy \(offset.dy)")
            #expect(abs(view.alignment.angleDegrees - Double(pose.degrees)) < 1, "\(pose): angle \(view.alignment.angleDegrees)")
            #expect(view.alignment.quality > 0.9)
        }
    }

    /// The fused ECC (the default) and cv::findTransformECC find the same warp from the same
    /// thumbnails, for turns both ways, shifts and a part that only moved.
    @Test func theFusedECCFindsWhatOpenCVsFinds() throws {
        let reference = try demoReference()
        var openCV = AlignmentSettings()
        openCV.refiner = .openCV
        let renderer = PartRenderer(size: 256)
        for (index, pose) in [(50, PartRenderer.Pose(dx: 12, dy: -8, degrees: 6)), (51, PartRenderer.Pose(dx: -15, dy: 10, degrees: -11)),
                              (52, PartRenderer.Pose(dx: 6, dy: 4, degrees: 0)), (53, PartRenderer.Pose(dx: 0, dy: 0, degrees: 3))] {
            let thumbnail = try Registrar.thumbnail(renderer.render(index: index, pose: pose))
            let fused = try RegistrationReference.align(thumbnail, to: reference.pixels, settings: AlignmentSettings())
            let theirs = try RegistrationReference.align(thumbnail, to: reference.pixels, settings: openCV)
            #expect(fused.refined && theirs.refined, "\(pose)")
            let a = fused.thumbnailMatrix, b = theirs.thumbnailMatrix
            // Thumbnail pixels (a 64th of the view): 0.02 px is a third of a view pixel.
            #expect(abs(a[2] - b[2]) < 0.02 && abs(a[5] - b[5]) < 0.02, "\(pose): shift \(a) against \(b)")
            let angle = (atan2(a[3], a[0]) - atan2(b[3], b[0])) * 180 / Double.pi
            #expect(abs(angle) < 0.02, "\(pose): angles differ by \(angle) degrees")
            #expect(abs(fused.quality - theirs.quality) < 0.002, "\(pose): quality \(fused.quality) against \(theirs.quality)")
        }
    }

    /// A thumbnail with nothing like the reference in it: the fused ECC gives up (or not) as
    /// OpenCV's does and never returns a matrix that is not finite.
    @Test func theFusedECCOnAFlatOrForeignThumbnailStaysFinite() throws {
        let reference = try demoReference()
        let size = RegistrationGeometry.thumbnail
        let flat = [Float](repeating: 0.5, count: size * size)
        var state: UInt64 = 7
        let noise = (0..<(size * size)).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        for thumbnail in [flat, noise] {
            let fused = try RegistrationReference.align(thumbnail, to: reference.pixels, settings: AlignmentSettings())
            #expect(fused.thumbnailMatrix.allSatisfy { $0.isFinite })
            #expect(fused.quality < 0.5)
        }
    }

    @Test func correctedViewLiesOnTheReference() throws {
        let reference = try demoReference()
        let registrar = Registrar(reference: reference)
        let moved = PartRenderer(size: 256).render(index: 41, pose: PartRenderer.Pose(dx: 14, dy: 9, degrees: -7))
        let view = try registrar.register(moved)
        let before = try correlation(Registrar.thumbnail(moved), reference.pixels)
        #expect(view.corrected)
        let after = try correlation(Registrar.thumbnail(registrar.view), reference.pixels)
        #expect(before < 0.8, "moved part correlates \(before) before correction")
        #expect(after > 0.95, "corrected part correlates \(after)")
    }

    /// A frame warps only the view's centre crop (all the model reads): its model input is the
    /// crop of the whole corrected view, which `view` warps when asked, but for a few pixels at
    /// edges (the shifted warp's fixed-point coordinates can fall in the next 1/32 pixel step);
    /// an uncorrected view's input is its crop exactly.
    @Test func theModelInputIsTheCorrectedViewsCentreCrop() throws {
        let registrar = Registrar(reference: try demoReference())
        let renderer = PartRenderer(size: 300)
        var fromCrop = [Int8](repeating: 0, count: Preprocessor.inputCount), fromView = fromCrop
        var preprocessor = Preprocessor()
        for (index, pose) in [(44, PartRenderer.Pose(dx: 14, dy: -9, degrees: 7)), (45, PartRenderer.Pose(dx: -10, dy: 6, degrees: -9)),
                                  (46, PartRenderer.Pose(dx: 80, dy: 0, degrees: 0))] {
            let registered = try registrar.register(renderer.render(index: index, pose: pose))
            fromCrop.withUnsafeMutableBufferPointer { registrar.writeInput(into: $0) }
            fromView.withUnsafeMutableBufferPointer { preprocessor.prepare(registrar.view, into: $0) }
            let worst = zip(fromCrop, fromView).map { abs(Int($0) - Int($1)) }.max() ?? 0
            let differing = zip(fromCrop, fromView).filter { $0 != $1 }.count
            #expect(registered.corrected == (index != 46))
            if registered.corrected {
                #expect(worst <= 3 && differing < fromCrop.count / 200, "\(pose): worst \(worst), \(differing) differ")
            } else {
                #expect(worst == 0, "\(pose) not corrected: the input is the plain view's crop")
            }
        }
    }

    @Test func aPartBeyondTheToleranceIsNotLocatedAndLeftUncorrected() throws {
        let registrar = Registrar(reference: try demoReference(),
                                  tolerance: RegistrationTolerance(maximumShiftPercent: 5, maximumAngleDegrees: 4, minimumQuality: 0.5))
        let renderer = PartRenderer(size: 256)
        let far = try registrar.register(renderer.render(index: 42, pose: PartRenderer.Pose(dx: 24, dy: 0)))
        #expect(!far.located && !far.corrected)
        #expect(far.notLocated?.hasPrefix("shift") == true, "\(far.notLocated ?? "located")")
        #expect(abs(far.regionOffset.dx - 24) < 3, "the offset found is still reported")
        let turned = try registrar.register(renderer.render(index: 43, pose: PartRenderer.Pose(degrees: 8)))
        #expect(turned.notLocated?.hasPrefix("angle") == true, "\(turned.notLocated ?? "located")")
        // Uncorrected: the view is the frame resized, not warped.
        let plain = try Registrar.thumbnail(renderer.render(index: 43, pose: PartRenderer.Pose(degrees: 8)))
        #expect(try Registrar.thumbnail(registrar.view) == plain)
    }

    @Test func somethingElseInFrontOfTheCameraMatchesPoorly() throws {
        let registrar = Registrar(reference: try demoReference())
        var rng = UInt64(99)
        let noise = (0..<(256 * 256 * 3)).map { _ -> UInt8 in
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: rng >> 56)
        }
        let view = try registrar.register(Image(width: 256, height: 256, layout: .rgb, pixels: noise))
        #expect(view.alignment.quality < 0.5)
        #expect(view.notLocated?.hasPrefix("match quality") == true, "\(view.notLocated ?? "located")")
    }

    @Test func regionOffsetIsInTheRegionsOwnPixels() throws {
        // The same part drawn at 512: the offset found is twice the one at 256.
        let registrar = Registrar(reference: try demoReference(size: 512))
        let view = try registrar.register(PartRenderer(size: 512).render(index: 44, pose: PartRenderer.Pose(dx: 30, dy: -20, degrees: 3)))
        #expect(abs(view.regionOffset.dx - 30) < 5 && abs(view.regionOffset.dy + 20) < 5, "\(view.regionOffset)")
        #expect(registrar.view.width == RegistrationGeometry.view && registrar.view.height == RegistrationGeometry.view)
    }

    @Test func greyFramesAndRegionsRegisterLikeColour() throws {
        let registrar = Registrar(reference: try demoReference())
        let colour = PartRenderer(size: 256).render(index: 45, pose: PartRenderer.Pose(dx: 10, dy: 5, degrees: 4))
        var grey = [UInt8](repeating: 0, count: 300 * 280)
        for y in 0..<256 { for x in 0..<256 { grey[(y + 10) * 300 + x + 20] = colour.pixels[(y * 256 + x) * 3 + 1] } }
        let view = try registrar.register(Image(width: 300, height: 280, layout: .grey, pixels: grey),
                                          region: PixelRect(x: 20, y: 10, width: 256, height: 256))
        #expect(registrar.view.layout == .grey)
        #expect(view.located && abs(view.regionOffset.dx - 10) < 3 && abs(view.regionOffset.dy - 5) < 3, "\(view.regionOffset)")
    }

    @Test func aRegionOutsideTheFrameIsAnErrorNotACrash() throws {
        let registrar = Registrar(reference: try demoReference())
        let image = PartRenderer(size: 64).render(index: 0)
        #expect(throws: RegistrationError.self) { try registrar.register(image, region: PixelRect(x: 10, y: 10, width: 64, height: 64)) }
    }

    @Test func mapBackDrawsAReferenceSpotWhereThePartWas() throws {
        // A correction that moved the part by (+20, -10) view pixels: a spot the model saw at
        // crop (100, 100) was at (120, 90) in the frame's crop.
        let alignment = Alignment(matrix: [1, 0, 20, 0, 1, -10], quality: 1, refined: true)
        var map = [Float](repeating: 0, count: 224 * 224)
        map[100 * 224 + 100] = 1
        let back = try Registrar.mapBack(map, width: 224, height: 224, origin: 16, alignment: alignment)
        let peak = back.indices.max { back[$0] < back[$1] }!
        #expect(peak % 224 == 120 && peak / 224 == 90, "peak at \(peak % 224), \(peak / 224)")
    }
}

@Suite struct RegistrationReferenceTests {
    @Test func refusesReferencesNoFitCouldMake() {
        let size = RegistrationGeometry.thumbnail
        let ramp = (0..<(size * size)).map { Float($0 % size) / Float(size) }
        #expect(throws: RegistrationError.self) { try RegistrationReference(size: 32, pixels: Array(ramp.prefix(32 * 32))) }
        #expect(throws: RegistrationError.self) { try RegistrationReference(size: size, pixels: Array(ramp.dropLast())) }
        var nan = ramp
        nan[7] = .nan
        #expect(throws: RegistrationError.self) { try RegistrationReference(size: size, pixels: nan) }
        var big = ramp
        big[7] = 2
        #expect(throws: RegistrationError.self) { try RegistrationReference(size: size, pixels: big) }
        #expect(throws: RegistrationError.self) { try RegistrationReference(size: size, pixels: [Float](repeating: 0.5, count: size * size)) }
        #expect(throws: Never.self) { try RegistrationReference(size: size, pixels: ramp) }
    }

    @Test func buildingFromMovedPartsCentresTheReferenceAndRecordsQualities() throws {
        let renderer = PartRenderer(size: 256)
        let poses = [PartRenderer.Pose(dx: 6, dy: -4, degrees: 3), PartRenderer.Pose(dx: -5, dy: 3, degrees: -2),
                     PartRenderer.Pose(dx: -2, dy: 5, degrees: 1), PartRenderer.Pose(dx: 1, dy: -4, degrees: -2)]
        let thumbnails = try poses.enumerated().map { try Registrar.thumbnail(renderer.render(index: $0.offset, pose: $0.element)) }
        let built = try RegistrationReference.build(thumbnails: thumbnails)
        #expect(built.qualities.count == poses.count)
        #expect(built.qualities.allSatisfy { $0 > 0.9 }, "\(built.qualities)")
        // Sharper than the plain mean of the moved parts: the registered parts agree with it better.
        let plainMean = (0..<thumbnails[0].count).map { i in thumbnails.reduce(0) { $0 + $1[i] } / Float(thumbnails.count) }
        let centred = try Registrar.thumbnail(renderer.render(index: 9, pose: .centred))
        #expect(try correlation(centred, built.reference.pixels) > correlation(centred, plainMean))
    }

    /// Parts all turned one way (8 degrees on average) and moved (10 px right): the reference sits
    /// at their average pose, so the parts are found around no offset, not around the first
    /// mean's drift, and the tolerance counts from where the parts sit.
    @Test func theReferenceSitsAtThePartsAveragePose() throws {
        let renderer = PartRenderer(size: 256)
        let poses = [PartRenderer.Pose(dx: 12, dy: 2, degrees: 6), PartRenderer.Pose(dx: 8, dy: -2, degrees: 10),
                     PartRenderer.Pose(dx: 10, dy: 3, degrees: 8), PartRenderer.Pose(dx: 10, dy: -3, degrees: 8)]
        let thumbnails = try poses.enumerated().map { try Registrar.thumbnail(renderer.render(index: $0.offset, pose: $0.element)) }
        let built = try RegistrationReference.build(thumbnails: thumbnails)
        let n = Double(poses.count)
        let meanAngle = built.alignments.reduce(0) { $0 + $1.angleDegrees } / n
        let meanDx = built.alignments.reduce(0) { $0 + $1.viewOffset.dx } / n, meanDy = built.alignments.reduce(0) { $0 + $1.viewOffset.dy } / n
        #expect(abs(meanAngle) < 0.5, "mean angle \(meanAngle)")
        #expect(abs(meanDx) < 1 && abs(meanDy) < 1, "mean offset \(meanDx), \(meanDy)")
        for (alignment, pose) in zip(built.alignments, poses) {
            #expect(abs(alignment.angleDegrees - Double(pose.degrees - 8)) < 1.5, "\(pose): \(alignment.angleDegrees)")
        }
    }

    @Test func noPartsIsAnError() {
        #expect(throws: RegistrationError.self) { try RegistrationReference.build(thumbnails: []) }
    }
}

func correlation(_ a: [Float], _ b: [Float]) throws -> Double {
    let n = Double(a.count)
    let ma = a.reduce(0.0) { $0 + Double($1) } / n, mb = b.reduce(0.0) { $0 + Double($1) } / n
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for i in a.indices {
        let x = Double(a[i]) - ma, y = Double(b[i]) - mb
        sab += x * y; saa += x * x; sbb += y * y
    }
    return sab / (saa * sbb).squareRoot()
}
