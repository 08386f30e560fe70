// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "quadform",
    products: [
        // Everything: the core, the reports and the interop formats (`import QuadForm`).
        .library(name: "QuadForm", targets: ["QuadForm"]),
        // The mathematics alone: forms, synthesis, verification, exact mode, the JSON formats.
        // No SwiftProtobuf, no HTTP server.
        .library(name: "QuadFormCore", targets: ["QuadFormCore"]),
        .library(name: "QuadFormReports", targets: ["QuadFormReports"]),
        .library(name: "QuadFormInterop", targets: ["QuadFormInterop"]),
        .executable(name: "quadform", targets: ["quadform"]),
        .executable(name: "quadform-explorer", targets: ["quadform-explorer"]),
        .executable(name: "quadform-mpi", targets: ["quadform-mpi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.0"),
        // `swift package generate-documentation --target QuadFormCore` (DocC; build-time only).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLapacke",
            path: "Sources/CLapacke",
            pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev", "libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CScaLAPACK",
            path: "Sources/CScaLAPACK",
            pkgConfig: "scalapack-openmpi",
            providers: [.apt(["libscalapack-openmpi-dev", "libopenmpi-dev", "openmpi-bin"])]
        ),
        .target(
            name: "CQuadFormMPI",
            dependencies: ["CScaLAPACK"],
            path: "Sources/CQuadFormMPI"
        ),
        // The layers, each a build error to break (design.md §8): core ← reports ← interop ← explorer.
        .target(
            name: "QuadFormCore",
            dependencies: [
                "CLapacke",
                "CGMP",
                "CFLINT",
                .product(name: "BigInt", package: "BigInt"),
            ]
        ),
        .target(
            name: "QuadFormReports",
            dependencies: ["QuadFormCore"]
        ),
        .target(
            name: "QuadFormInterop",
            dependencies: [
                "QuadFormCore",
                "QuadFormReports",
                "ONNXProto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // `import QuadForm`: the three library layers re-exported.
        .target(
            name: "QuadForm",
            dependencies: ["QuadFormCore", "QuadFormReports", "QuadFormInterop"]
        ),
        // The explorer page: its API routing and its HTTP/1.1 server on POSIX sockets (docs/serve.md);
        // the interop layer writes its ONNX downloads (POST /api/onnx).
        .target(
            name: "QuadFormExplorer",
            dependencies: [
                "QuadFormCore",
                "QuadFormReports",
                "QuadFormInterop",
            ],
            resources: [
                .embedInCode("Page/index.html"),
                .embedInCode("Page/explorer.css"),
                .embedInCode("Page/explorer.js"),
            ]
        ),
        .target(
            name: "QuadFormMPI",
            dependencies: ["QuadFormCore", "QuadFormReports", "QuadFormInterop", "CQuadFormMPI", "CLapacke"]
        ),
        .executableTarget(
            name: "quadform-mpi",
            dependencies: [
                "QuadFormCore",
                "QuadFormReports",
                "QuadFormInterop",
                "QuadFormMPI",
                "TerminalProgress",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/quadform-mpi"
        ),
        // The progress line both commands draw on a terminal's standard error (issue 24).
        .target(
            name: "TerminalProgress",
            dependencies: ["QuadFormCore"]
        ),
        .systemLibrary(
            name: "CGMP",
            path: "Sources/CGMP",
            pkgConfig: "gmp",
            providers: [.apt(["libgmp-dev"])]
        ),
        // FLINT's nmod_mat for the multimodular certificates (design.md §4). No pkg-config file:
        // the module map links "flint", which brings GMP and MPFR itself.
        .systemLibrary(
            name: "CFLINT",
            path: "Sources/CFLINT",
            providers: [.apt(["libflint-dev"])]
        ),
        // The ONNX protobuf messages, generated once from onnx.proto (docs/interop.md).
        .target(
            name: "ONNXProto",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        // The command line. It does not link the HTTP stack: `quadform serve` runs quadform-explorer.
        .executableTarget(
            name: "quadform",
            dependencies: [
                "QuadFormCore",
                "QuadFormReports",
                "QuadFormInterop",
                "TerminalProgress",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The explorer server (`quadform serve` execs it; it can also be run by itself).
        .executableTarget(
            name: "quadform-explorer",
            dependencies: [
                "QuadFormCore",
                "QuadFormExplorer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/quadform-explorer"
        ),
        // GMP against attaswift/BigInt on the arithmetic of exact mode (docs/performance.md).
        .executableTarget(
            name: "exact-arithmetic-bench",
            dependencies: ["CGMP", .product(name: "BigInt", package: "BigInt")],
            path: "Sources/exact-arithmetic-bench"
        ),
        // Unit tests, one target per library layer (Tests/<Target>/<Stage>/).
        .testTarget(
            name: "QuadFormCoreTests",
            dependencies: ["QuadFormCore", "QuadFormTestSupport"]
        ),
        .testTarget(
            name: "QuadFormReportsTests",
            dependencies: ["QuadFormCore", "QuadFormReports", "QuadFormTestSupport"]
        ),
        .testTarget(
            name: "QuadFormInteropTests",
            dependencies: ["QuadFormCore", "QuadFormReports", "QuadFormInterop", "QuadFormTestSupport", "ONNXProto",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .testTarget(
            name: "QuadFormExplorerTests",
            dependencies: ["QuadFormCore", "QuadFormReports", "QuadFormExplorer", "QuadFormTestSupport"]
        ),
        // End-to-end tests: the built executables and the notebooks.
        .testTarget(
            name: "QuadFormCLITests",
            dependencies: ["quadform", "quadform-explorer", "QuadForm", "QuadFormTestSupport", "ONNXProto",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        // Helpers the test targets share (scratch folders, .npy bytes, an XML element collector).
        .target(
            name: "QuadFormTestSupport",
            dependencies: ["QuadFormCore"],
            path: "Tests/QuadFormTestSupport"
        ),
    ],
    swiftLanguageModes: [.v6]
)
