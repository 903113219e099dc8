// swift-tools-version:6.0
// lineside: line-side visual inspection firmware (PaDiM on an int8 EfficientNet-Lite0).
// The firmware modules import no Foundation; C libraries come from Debian bookworm packages.
import PackageDescription

/// The pixel and PaDiM loops are optimised even in debug builds, so tests, the demo and a debug
/// `lineside fit` run at a usable speed. (x86_64 F16C/FMA for the C kernel is chosen at run time
/// inside the kernel itself.)
let optimizedAlways: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "lineside",
    products: [
        .executable(name: "lineside", targets: ["lineside"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // C libraries from Debian, each behind a small module map or shim.
        .systemLibrary(name: "CXNNPACK", path: "Sources/CXNNPACK"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .target(name: "CJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "CBackboneWeights", exclude: ["lite0-s16-int8.safetensors"], cSettings: [.unsafeFlags(["-Wno-c23-extensions"])]),
        .target(name: "CPadimKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=fast", "-Wno-psabi"])]),

        // Pure Swift building blocks.
        .target(name: "SafeTensors", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "Imaging", swiftSettings: optimizedAlways),
        .target(name: "ImageCodec", dependencies: ["Imaging", "CPNG", "CJPEG", "SafeTensors"]),
        .target(name: "Padim", dependencies: ["CPadimKernels"], swiftSettings: optimizedAlways),
        .target(name: "DemoScene", dependencies: ["Imaging", "Padim", "Capture"]),

        // Hardware and runtime adapters.
        .target(name: "Backbone", dependencies: ["CXNNPACK", "CBackboneWeights", "SafeTensors", "Imaging"]),
        .target(name: "Inspection", dependencies: ["Backbone", "Padim", "SafeTensors", "Imaging", "ImageCodec",
                                                   .product(name: "SystemPackage", package: "swift-system")]),

        // Line I/O (issue 4): reject lines, lights, calibration button, part trigger over libgpiod.
        .target(name: "CGPIOD", linkerSettings: [.linkedLibrary("gpiod")]),
        .target(name: "LineIO", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "LineIOGPIOD", dependencies: ["LineIO", "CGPIOD",
                                                    .product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "LineIOFakes", dependencies: ["LineIO", .product(name: "SystemPackage", package: "swift-system")]),
        .testTarget(name: "LineIOTests", dependencies: ["LineIO", "LineIOFakes", "LineIOGPIOD",
                                                        .product(name: "SystemPackage", package: "swift-system")]),
        // End of Line I/O (issue 4).

        // The service (issue 5): states, on-site calibration, the threaded runner, status.
        .target(name: "Service", dependencies: ["Inspection", "Backbone", "Capture", "LineIO", "Imaging", "ImageCodec",
                                                "SafeTensors", "Padim", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ServiceTests", dependencies: ["Service", "LineIOFakes", "CaptureFakes", "DemoScene", "ImageCodec",
                                                         .product(name: "Logging", package: "swift-log")]),

        .executableTarget(name: "lineside", dependencies: ["Inspection", "Backbone", "Padim", "Imaging", "ImageCodec", "DemoScene",
                                                           "Service", "Capture", "CaptureV4L2", "CaptureFakes", "LineIO", "LineIOGPIOD", "LineIOFakes",
                                                           .product(name: "Logging", package: "swift-log"),
                                                           "SafeTensors",
                                                           .product(name: "SystemPackage", package: "swift-system")]),

        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "ImageCodec"]),
        .testTarget(name: "PadimTests", dependencies: ["Padim"]),
        .testTarget(name: "BackboneTests", dependencies: ["Backbone", "Imaging"]),
        .testTarget(name: "InspectionTests", dependencies: ["Inspection", "DemoScene", "ImageCodec"]),
    ]
)

// Capture (issue 3): frames from V4L2 cameras (libv4l2) and image-folder replay behind one
// FrameSource protocol; the kernel is played by CaptureFakes in tests and demos.
package.targets += [
    .target(name: "CV4L2Types"),
    .target(name: "CV4L2", dependencies: ["CV4L2Types"], linkerSettings: [.linkedLibrary("v4l2")]),
    .target(name: "Capture", dependencies: ["Imaging", "CV4L2Types", "SafeTensors",
                                            .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: optimizedAlways),
    .target(name: "CaptureV4L2", dependencies: ["Capture", "CV4L2", "CV4L2Types",
                                                .product(name: "SystemPackage", package: "swift-system")]),
    .target(name: "CaptureFakes", dependencies: ["Capture", "CV4L2Types", "Imaging",
                                                 .product(name: "SystemPackage", package: "swift-system")]),
    .testTarget(name: "CaptureTests", dependencies: ["Capture", "CaptureFakes", "CaptureV4L2", "Imaging",
                                                     .product(name: "SystemPackage", package: "swift-system")]),
]

// Configuration (issue 5): /etc/lineside/lineside.conf, its schema and defaults, and the CLI's
// `lineside check-config`. Pure Swift: the other modules only lend their configuration types.
package.targets += [
    .target(name: "Configuration", dependencies: ["Capture", "LineIO", "Inspection", "Imaging", "SafeTensors"]),
    .testTarget(name: "ConfigurationTests", dependencies: ["Configuration", "Capture", "LineIO", "Inspection", "Imaging", "SafeTensors"]),
]
package.targets.first { $0.name == "lineside" }?.dependencies.append("Configuration")
// End of Configuration (issue 5).
