// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "quadform",
    products: [
        .library(name: "QuadForm", targets: ["QuadForm"]),
        .executable(name: "quadform", targets: ["quadform"]),
        .executable(name: "quadform-mpi", targets: ["quadform-mpi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.0"),
        // The HTTP server of `quadform serve` (docs/serve.md: chosen over Hummingbird for build time).
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        // `swift package generate-documentation --target QuadForm` (DocC; build-time only).
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
        .target(
            name: "QuadFormMPI",
            dependencies: ["QuadForm", "CQuadFormMPI", "CLapacke"]
        ),
        .executableTarget(
            name: "quadform-mpi",
            dependencies: [
                "QuadForm",
                "QuadFormMPI",
                "TerminalProgress",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/quadform-mpi"
        ),
        // The progress line both commands draw on a terminal's standard error (issue 24).
        .target(
            name: "TerminalProgress",
            dependencies: ["QuadForm"]
        ),
        .systemLibrary(
            name: "CGMP",
            path: "Sources/CGMP",
            pkgConfig: "gmp",
            providers: [.apt(["libgmp-dev"])]
        ),
        // The ONNX protobuf messages, generated once from onnx.proto (docs/interop.md).
        .target(
            name: "ONNXProto",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .target(
            name: "QuadForm",
            dependencies: [
                "CLapacke",
                "CGMP",
                "ONNXProto",
                .product(name: "BigInt", package: "BigInt"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "QuadformServer",
            dependencies: [
                "QuadForm",
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
            ],
            resources: [
                .embedInCode("Page/index.html"),
                .embedInCode("Page/explorer.css"),
                .embedInCode("Page/explorer.js"),
            ]
        ),
        .executableTarget(
            name: "quadform",
            dependencies: [
                "QuadForm",
                "QuadformServer",
                "TerminalProgress",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // GMP against attaswift/BigInt on the arithmetic of exact mode (docs/performance.md).
        .executableTarget(
            name: "exact-arithmetic-bench",
            dependencies: ["CGMP", .product(name: "BigInt", package: "BigInt")],
            path: "Sources/exact-arithmetic-bench"
        ),
        // Unit tests of the library, by pipeline stage (Tests/QuadFormTests/<Stage>/).
        .testTarget(
            name: "QuadFormTests",
            dependencies: ["QuadForm", "QuadformTestSupport", "ONNXProto", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        // End-to-end tests: the built executable and the notebooks.
        .testTarget(
            name: "QuadformCLITests",
            dependencies: ["quadform", "QuadForm", "QuadformTestSupport", "ONNXProto", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        // Helpers both test targets use (scratch folders, .npy bytes, an XML element collector).
        .target(
            name: "QuadformTestSupport",
            dependencies: ["QuadForm"],
            path: "Tests/QuadformTestSupport"
        ),
    ],
    swiftLanguageModes: [.v6]
)
