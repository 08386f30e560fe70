import Foundation
import CLapacke

/// The BLAS/LAPACK implementation this process runs, as reported to users and benchmarks
/// (design.md §7: Debian's OpenBLAS takes over `libblas.so.3`/`liblapack.so.3`).
public struct BLASInfo: Sendable, Equatable {
    /// "OpenBLAS" when OpenBLAS is loaded, "reference BLAS/LAPACK" for Debian's reference
    /// libraries, otherwise "BLAS/LAPACK (not OpenBLAS)".
    public let implementation: String
    /// OpenBLAS's configuration string (version, kernel, threading model), when available.
    public let config: String?
    /// The number of threads OpenBLAS uses (`OPENBLAS_NUM_THREADS` or the core count), when known.
    public let threads: Int?
    /// The file that provides BLAS `dgemm_`, symbolic links resolved.
    public let blasLibrary: String?
    /// The file that provides LAPACK's `dsyevd_`, symbolic links resolved.
    public let lapackLibrary: String?

    /// What this process has loaded, found with `dlsym`/`dladdr`.
    public static var current: BLASInfo {
        let handle = dlopen(nil, RTLD_NOW)
        // The mapped file whose address range holds the symbol (/proc/self/maps, read to the
        // end: procfs reports size 0; scanned as bytes, lines "low-high perms offset dev inode path").
        let maps = FileHandle(forReadingAtPath: "/proc/self/maps").map { [UInt8]($0.readDataToEndOfFile()) } ?? []
        func libraryFile(of symbolName: String) -> String? {
            guard let symbol = dlsym(handle, symbolName) else { return nil }
            let address = UInt(bitPattern: symbol)
            var lineStart = 0
            while lineStart < maps.count {
                let lineEnd = maps[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? maps.count
                defer { lineStart = lineEnd + 1 }
                var low: UInt = 0, high: UInt = 0, i = lineStart
                while i < lineEnd, let digit = hexValue(maps[i]) { low = low << 4 | digit; i += 1 }
                guard i < lineEnd, maps[i] == UInt8(ascii: "-") else { continue }
                i += 1
                while i < lineEnd, let digit = hexValue(maps[i]) { high = high << 4 | digit; i += 1 }
                guard low <= address, address < high,
                      let slash = maps[i..<lineEnd].firstIndex(of: UInt8(ascii: "/")) else { continue }
                return URL(fileURLWithPath: String(decoding: maps[slash..<lineEnd], as: UTF8.self)).resolvingSymlinksInPath().path
            }
            return nil
        }
        let blasFile = libraryFile(of: "dgemm_") ?? libraryFile(of: "cblas_dgemm")
        let lapackFile = libraryFile(of: "dsyevd_")
        guard let configSymbol = dlsym(handle, "openblas_get_config") else {
            let reference = blasFile?.contains("/blas/") ?? false
            return BLASInfo(implementation: reference ? "reference BLAS/LAPACK" : "BLAS/LAPACK (not OpenBLAS)",
                            config: nil, threads: reference ? 1 : nil,
                            blasLibrary: blasFile, lapackLibrary: lapackFile)
        }
        typealias ConfigFn = @convention(c) () -> UnsafePointer<CChar>?
        typealias ThreadsFn = @convention(c) () -> Int32
        let config = unsafeBitCast(configSymbol, to: ConfigFn.self)().map { String(cString: $0).trimmingCharacters(in: .whitespaces) }
        let threads = dlsym(handle, "openblas_get_num_threads").map { Int(unsafeBitCast($0, to: ThreadsFn.self)()) }
        return BLASInfo(implementation: "OpenBLAS", config: config, threads: threads,
                        blasLibrary: blasFile, lapackLibrary: lapackFile)
    }

    private static func hexValue(_ byte: UInt8) -> UInt? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt(byte - UInt8(ascii: "a") + 10)
        default: return nil
        }
    }

    /// A one-line summary, e.g. "OpenBLAS 0.3.21 … , 2 threads".
    public var summary: String {
        var text = implementation
        if let config { text = config.hasPrefix(implementation) ? config : text + " " + config }
        if let threads { text += ", \(threads) thread\(threads == 1 ? "" : "s")" }
        return text
    }

    /// `summary` of the current process (kept for callers of the earlier API).
    public static var description: String { current.summary }

    /// The `blas` object of the JSON report.
    public var json: JSONValue {
        .object([
            ("implementation", .string(implementation)),
            ("config", config.map { .string($0) } ?? .null),
            ("threads", threads.map { .number(String($0)) } ?? .null),
            ("openblas_num_threads_env", ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"].map { .string($0) } ?? .null),
            ("blas_library", blasLibrary.map { .string($0) } ?? .null),
            ("lapack_library", lapackLibrary.map { .string($0) } ?? .null),
        ])
    }
}
