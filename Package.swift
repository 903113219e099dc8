// swift-tools-version:6.0
// lineside: line-side visual inspection firmware (PaDiM on an int8 EfficientNet-Lite0).
// The firmware modules import no Foundation; C libraries come from Debian bookworm packages.
import PackageDescription

/// x86_64 development builds get F16C/FMA for the one hand-vectorised C kernel by a runtime
/// check inside the kernel itself, so no unsafe target flags are needed here.
let package = Package(
    name: "lineside",
    products: [
        .executable(name: "lineside", targets: ["lineside"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
    ],
    targets: [
        // C libraries from Debian, each behind a small module map or shim.
        .systemLibrary(name: "CXNNPACK", path: "Sources/CXNNPACK"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG"),
        .target(name: "CBackboneWeights", exclude: ["lite0-s16-int8.safetensors"]),
        .target(name: "CPadimKernels"),

        // Pure Swift building blocks.
        .target(name: "SafeTensors", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "Imaging"),
        .target(name: "ImageCodec", dependencies: ["Imaging", "CPNG", "CJPEG"]),
        .target(name: "Padim", dependencies: ["CPadimKernels", "Imaging"]),

        // Hardware and runtime adapters.
        .target(name: "Backbone", dependencies: ["CXNNPACK", "CBackboneWeights", "SafeTensors", "Imaging"]),
        .target(name: "Inspection", dependencies: ["Backbone", "Padim", "SafeTensors", "Imaging", "ImageCodec",
                                                   .product(name: "SystemPackage", package: "swift-system")]),

        .executableTarget(name: "lineside", dependencies: ["Inspection", "Backbone", "Padim", "Imaging", "ImageCodec",
                                                           "SafeTensors",
                                                           .product(name: "SystemPackage", package: "swift-system")]),

        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "ImageCodec"]),
        .testTarget(name: "PadimTests", dependencies: ["Padim"]),
        .testTarget(name: "BackboneTests", dependencies: ["Backbone", "Imaging"]),
        .testTarget(name: "InspectionTests", dependencies: ["Inspection"]),
    ]
)

// Capture (issue 3): frames from V4L2 cameras (libv4l2) and image-folder replay behind one
// FrameSource protocol; the kernel is played by CaptureFakes in tests and demos.
package.targets += [
    .target(name: "CV4L2Types"),
    .target(name: "CV4L2", dependencies: ["CV4L2Types"], linkerSettings: [.linkedLibrary("v4l2")]),
    .target(name: "Capture", dependencies: ["Imaging", "CV4L2Types",
                                            .product(name: "SystemPackage", package: "swift-system")]),
    .target(name: "CaptureV4L2", dependencies: ["Capture", "CV4L2", "CV4L2Types",
                                                .product(name: "SystemPackage", package: "swift-system")]),
    .target(name: "CaptureFakes", dependencies: ["Capture", "CV4L2Types", "Imaging",
                                                 .product(name: "SystemPackage", package: "swift-system")]),
    .testTarget(name: "CaptureTests", dependencies: ["Capture", "CaptureFakes", "CaptureV4L2", "Imaging",
                                                     .product(name: "SystemPackage", package: "swift-system")]),
]
