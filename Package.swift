// swift-tools-version:6.0
// lineside: line-side visual inspection firmware (PaDiM on an int8 EfficientNet-Lite0).
// The firmware modules import no Foundation; C libraries come from Debian bookworm packages.
//
// Targets are declared in layer order; each layer uses only the ones above it:
//   C shims       CXNNPACK CPNG CJPEG CBackboneWeights CPadimKernels CResample CV4L2Types CV4L2 CGPIOD CMemory CMosquitto CMicroHTTPD COpenCV
//   platform      Platform (files, JSON, SHA-256, threads, EINTR, the clock), PlatformFakes (virtual clock)
//   pure logic    Imaging Padim SafeTensors Capture LineIO Configuration DemoScene Drift
//   adapters      ImageCodec Backbone Registration Inspection CaptureV4L2 LineIOGPIOD CaptureFakes LineIOFakes
//   service       Service
//   archive       RejectArchive (rejected parts' pictures and figures on disk, writer thread)
//   operator      HMI (the web page over libmicrohttpd)
//   plant link    PlantLink (MQTT through libmosquitto, on-disk queue, publisher thread)
//   executable    lineside
import PackageDescription

/// The pixel and PaDiM loops are optimised even in debug builds, so tests, the demo and a debug
/// `lineside fit` run at a usable speed. (x86_64 F16C/FMA for the C kernel is chosen at run time
/// inside the kernel itself.)
let optimizedAlways: [SwiftSetting] = [.unsafeFlags(["-O"])]
let system: Target.Dependency = .product(name: "SystemPackage", package: "swift-system")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")

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
        .target(name: "CPadimKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=on", "-Wno-psabi"])]),
        .target(name: "CResample", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off", "-Wno-psabi"])]),
        .target(name: "CV4L2Types"),
        .target(name: "CV4L2", dependencies: ["CV4L2Types"], linkerSettings: [.linkedLibrary("v4l2")]),
        .target(name: "CGPIOD", linkerSettings: [.linkedLibrary("gpiod")]),
        .target(name: "CMemory"),
        .target(name: "CMosquitto", linkerSettings: [.linkedLibrary("mosquitto")]),
        .target(name: "CMicroHTTPD", linkerSettings: [.linkedLibrary("microhttpd")]),
        // OpenCV 4.6 (core, imgproc, video) behind a C API for position correction. Headers: the
        // sysroot's /usr/include/opencv4 first ("=": the aarch64 cross build passes --sysroot), then
        // the host's (a host build has no sysroot, where "=" finds nothing).
        .target(name: "COpenCV", cxxSettings: [.unsafeFlags(["-isystem", "=/usr/include/opencv4", "-isystem", "/usr/include/opencv4", "-O2", "-Wno-psabi"])],
                linkerSettings: [.linkedLibrary("opencv_video"), .linkedLibrary("opencv_imgproc"), .linkedLibrary("opencv_core")]),

        // The platform layer under every module, and its fakes.
        .target(name: "Platform", dependencies: ["CMemory", system]),
        .target(name: "PlatformFakes", dependencies: ["Platform"]),

        // Pure logic: no hardware, no C library beyond constants and the one PaDiM kernel.
        .target(name: "Imaging", dependencies: ["CResample", "Platform"], swiftSettings: optimizedAlways),
        .target(name: "Padim", dependencies: ["CPadimKernels", "Platform"], swiftSettings: optimizedAlways),
        .target(name: "SafeTensors", dependencies: ["Platform"]),
        .target(name: "Capture", dependencies: ["Imaging", "CV4L2Types", "Platform", system], swiftSettings: optimizedAlways),
        .target(name: "LineIO", dependencies: ["Platform", system]),
        .target(name: "Configuration", dependencies: ["Capture", "LineIO", "Padim", "Imaging", "Platform"]),
        .target(name: "DemoScene", dependencies: ["Imaging", "Capture", "Platform"], swiftSettings: optimizedAlways),
        .target(name: "Drift", dependencies: ["Configuration", "Imaging"]),

        // Adapters: C libraries and hardware behind the pure modules' protocols, and their fakes.
        .target(name: "ImageCodec", dependencies: ["Imaging", "CPNG", "CJPEG", "Platform"]),
        .target(name: "Backbone", dependencies: ["CXNNPACK", "CBackboneWeights", "SafeTensors", "Imaging", "Platform"]),
        .target(name: "Registration", dependencies: ["COpenCV", "Imaging", "Platform"]),
        .target(name: "Inspection", dependencies: ["Backbone", "Padim", "Registration", "SafeTensors", "Imaging", "ImageCodec", "Platform"]),
        .target(name: "CaptureV4L2", dependencies: ["Capture", "CV4L2", "Platform", system]),
        .target(name: "LineIOGPIOD", dependencies: ["LineIO", "CGPIOD", "Platform", system]),
        .target(name: "CaptureFakes", dependencies: ["Capture", "CV4L2Types", "Imaging", "Platform", "PlatformFakes", system]),
        .target(name: "LineIOFakes", dependencies: ["LineIO", "Platform", "PlatformFakes", system]),

        // The service: states, on-site calibration, the threaded runner, status.
        .target(name: "Service", dependencies: ["Inspection", "Backbone", "Capture", "LineIO", "Configuration", "Imaging",
                                                "Padim", "Platform", "Drift", "Registration", logging, system]),

        // The reject archive: pictures and figures of rejected parts on disk, on its own thread.
        .target(name: "RejectArchive", dependencies: ["Service", "ImageCodec", "Imaging", "Configuration", "LineIO", "Platform", logging]),

        // The operator's web page: libmicrohttpd on its own thread, reading the service's snapshots.
        .target(name: "HMI", dependencies: ["CMicroHTTPD", "RejectArchive", "Service", "Inspection", "Capture", "ImageCodec", "Imaging",
                                            "Configuration", "LineIO", "Platform", logging, system]),

        // The plant link: results, status and events over MQTT (libmosquitto) with an on-disk queue.
        .target(name: "PlantLink", dependencies: ["CMosquitto", "Service", "Drift", "Configuration", "LineIO", "Platform",
                                                  logging, system]),

        // The executable: one file per command.
        .executableTarget(name: "lineside", dependencies: ["Service", "Inspection", "Backbone", "Padim", "Imaging", "ImageCodec",
                                                           "Configuration", "SafeTensors", "DemoScene", "Capture", "CaptureV4L2", "CaptureFakes",
                                                           "LineIO", "LineIOGPIOD", "LineIOFakes", "Platform",
                                                           "PlantLink", "RejectArchive", "HMI", "Registration", logging]),
        // A small process for the plant link's restart tests (kill -9 with messages queued).
        .executableTarget(name: "plantlink-probe", dependencies: ["PlantLink", "Service", "Configuration", "LineIO", "Platform", logging],
                          path: "Tests/PlantLinkProbe"),

        // A small process for the reject archive's bounds and kill -9 tests.
        .executableTarget(name: "archive-probe", dependencies: ["RejectArchive", "Service", "Configuration", "DemoScene", "Imaging", "LineIO",
                                                               "Platform", logging],
                          path: "Tests/ArchiveProbe"),

        // Tests, one target per module.
        .testTarget(name: "PlatformTests", dependencies: ["Platform", "PlatformFakes", system]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors", "Platform"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "ImageCodec", "Platform", "PlatformFakes"]),
        .testTarget(name: "PadimTests", dependencies: ["Padim", "Platform", "PlatformFakes"]),
        .testTarget(name: "BackboneTests", dependencies: ["Backbone", "Imaging", "Platform", "PlatformFakes"]),
        .testTarget(name: "RegistrationTests", dependencies: ["Registration", "DemoScene", "Imaging"]),
        .testTarget(name: "InspectionTests", dependencies: ["Inspection", "Registration", "DemoScene", "ImageCodec", "Padim", "Platform", "SafeTensors"]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "CaptureFakes", "CaptureV4L2", "Imaging", "PlatformFakes",
                                                         system]),
        .testTarget(name: "LineIOTests", dependencies: ["LineIO", "LineIOFakes", "LineIOGPIOD", "Platform", "PlatformFakes", system]),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration", "Capture", "LineIO", "Imaging", "Platform"]),
        .testTarget(name: "ServiceTests", dependencies: ["Service", "Configuration", "Inspection", "Padim", "Registration", "LineIOFakes", "CaptureFakes", "DemoScene",
                                                         "ImageCodec", "Imaging", "Capture", "LineIO", "Platform", "PlatformFakes", logging]),
        .testTarget(name: "RejectArchiveTests", dependencies: ["RejectArchive", "Service", "Configuration", "ImageCodec", "Imaging",
                                                               "LineIO", "Platform", logging]),
        .testTarget(name: "HMITests", dependencies: ["HMI", "RejectArchive", "Service", "Configuration", "Inspection", "Capture", "ImageCodec", "Imaging", "LineIO",
                                                     "Platform", logging]),
        .testTarget(name: "PlantLinkTests", dependencies: ["PlantLink", "Drift", "Service", "Configuration", "Inspection", "Padim",
                                                           "DemoScene", "Imaging", "LineIO", "LineIOFakes", "Capture", "Platform", "PlatformFakes",
                                                           logging, system]),
    ]
)
