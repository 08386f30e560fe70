// swift-tools-version:6.0
// A program that uses quadform as a library, as another package would: `.package(path:)` here
// (the README shows `.package(url:)`), `.product(name: "QuadForm", package: "quadform")`.
//
// SwiftPM names a path dependency after its folder, so the folder must be called `quadform`:
// QUADFORM_PACKAGE_PATH names it (.ci/run links a `quadform` folder to the checkout and builds
// this with `swift run --package-path examples/library-usage`); without it, ../.. is used, which
// works when the checkout itself is called quadform.
import Foundation
import PackageDescription

let quadformPath = ProcessInfo.processInfo.environment["QUADFORM_PACKAGE_PATH"] ?? "../.."

let package = Package(
    name: "library-usage",
    dependencies: [
        .package(path: quadformPath),
    ],
    targets: [
        .executableTarget(
            name: "library-usage",
            dependencies: [.product(name: "QuadForm", package: "quadform")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
