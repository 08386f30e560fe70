import Foundation
import CQuadFormMPI

/// An error every process agreed on (docs/distributed.md): the message of the lowest-numbered
/// process that failed, known to all, printed once by process 0.
public struct DistributedError: Error, CustomStringConvertible {
    /// The message.
    public let description: String
    /// A failure of MPI itself (exit status 2 like any failure before verification).
    public static func mpi(_ call: String, _ code: Int32) -> DistributedError {
        DistributedError(description: "MPI: \(call) failed with error code \(code)")
    }
}

/// `MPI_COMM_WORLD` through the C shim: this process's rank, the number of processes, and the few
/// collectives quadform-mpi needs (docs/distributed.md).
public struct MPIWorld: Sendable {
    /// This process's rank.
    public let rank: Int
    /// The number of processes P.
    public let size: Int

    /// Initializes MPI (once per process).
    public static func initialize() throws -> MPIWorld {
        let rc = qf_mpi_init()
        guard rc == 0 else { throw DistributedError.mpi("MPI_Init", rc) }
        return MPIWorld(rank: Int(qf_mpi_rank()), size: Int(qf_mpi_size()))
    }

    /// Finalizes MPI (every process must call it before exiting).
    public static func finalize() { _ = qf_mpi_finalize() }

    /// Wall-clock seconds (`MPI_Wtime`).
    public static var time: Double { qf_mpi_wtime() }

    /// Whether this is process 0, the one that reads headers, prints and writes.
    public var isRoot: Bool { rank == 0 }

    /// Runs `body` on every process, then agrees: if any process threw, every process throws the
    /// error of the lowest-numbered one that did (its message broadcast from it), so all leave
    /// the same step together and process 0 can print it once.
    public func agree<T>(_ body: () throws -> T) throws -> T {
        var result: T?
        var message = ""
        do { result = try body() } catch { message = String(describing: error) }
        var failing = [result == nil ? rank : size]
        try check(qf_mpi_allreduce_min_long(&failing, 1), "MPI_Allreduce")
        if failing[0] < size {
            throw DistributedError(description: try broadcast(string: message, from: failing[0]))
        }
        return result!
    }

    /// `string` of process `root`, on every process.
    public func broadcast(string: String, from root: Int) throws -> String {
        let bytes = Array(string.utf8)
        var count = [Double(bytes.count)]
        try broadcast(&count, from: root)
        var buffer = rank == root ? bytes : [UInt8](repeating: 0, count: Int(count[0]))
        try check(buffer.withUnsafeMutableBytes { qf_mpi_bcast_bytes($0.baseAddress, $0.count, Int32(root)) }, "MPI_Bcast")
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Process `root`'s `values` on every process (same count everywhere).
    public func broadcast(_ values: inout [Double], from root: Int) throws {
        try check(values.withUnsafeMutableBytes { qf_mpi_bcast_bytes($0.baseAddress, $0.count, Int32(root)) }, "MPI_Bcast")
    }

    /// Process `root`'s bytes on every process; others receive `count` bytes.
    public func broadcast(bytes: [UInt8], count: Int, from root: Int) throws -> [UInt8] {
        var buffer = rank == root ? bytes : [UInt8](repeating: 0, count: count)
        try check(buffer.withUnsafeMutableBytes { qf_mpi_bcast_bytes($0.baseAddress, $0.count, Int32(root)) }, "MPI_Bcast")
        return buffer
    }

    /// Elementwise sum over all processes, on every process.
    public func sum(_ values: inout [Double]) throws {
        try check(values.withUnsafeMutableBufferPointer { qf_mpi_allreduce_sum_doubles($0.baseAddress, $0.count) }, "MPI_Allreduce")
    }

    /// Elementwise maximum over all processes, on every process.
    public func max(_ values: inout [Double]) throws {
        try check(values.withUnsafeMutableBufferPointer { qf_mpi_allreduce_max_doubles($0.baseAddress, $0.count) }, "MPI_Allreduce")
    }

    /// Elementwise minimum over all processes, on every process.
    public func min(_ values: inout [Int]) throws {
        try check(values.withUnsafeMutableBufferPointer { qf_mpi_allreduce_min_long($0.baseAddress, $0.count) }, "MPI_Allreduce")
    }

    /// Elementwise sum over all processes, on process `root` (others' `values` are unchanged).
    public func sum(_ values: inout [Double], to root: Int) throws {
        try check(values.withUnsafeMutableBufferPointer { qf_mpi_reduce_sum_doubles($0.baseAddress, $0.count, Int32(root)) }, "MPI_Reduce")
    }

    /// `‖v‖₂` of a vector whose entries are spread over the processes (each passes its own):
    /// scaled by the global max |v_i| so the squares neither overflow nor underflow.
    public func norm(local values: UnsafeBufferPointer<Double>) throws -> Double {
        var scale = [values.reduce(0) { Swift.max($0, abs($1)) }]
        try max(&scale)
        guard scale[0] > 0, scale[0].isFinite else { return scale[0] }
        var sum = [0.0]
        for v in values { let r = v / scale[0]; sum[0] += r * r }
        try self.sum(&sum)
        return scale[0] * sum[0].squareRoot()
    }

    private func check(_ rc: Int32, _ call: String) throws {
        guard rc == 0 else { throw DistributedError.mpi(call, rc) }
    }
}
