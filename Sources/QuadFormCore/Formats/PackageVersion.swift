import Foundation

/// The version of the quadform package (library and executable) and what `quadform --version` prints.
public enum PackageVersion {
    /// The release this source tree is, semantic versioning.
    public static let string = "0.1.0"

    /// `quadform VERSION` and the BLAS/LAPACK this process runs (design.md §7), e.g.
    ///
    ///     quadform 0.1.0
    ///     BLAS/LAPACK  OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH … MAX_THREADS=64, 2 threads
    ///     BLAS         /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3
    ///     LAPACK       /usr/lib/x86_64-linux-gnu/openblas-pthread/liblapack.so.3
    public static func text(blas: BLASInfo = .current) -> String {
        var lines = ["quadform \(string)", "BLAS/LAPACK  \(blas.summary)"]
        if let file = blas.blasLibrary { lines.append("BLAS         \(file)") }
        if let file = blas.lapackLibrary { lines.append("LAPACK       \(file)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
