import QuadFormCore
import Foundation
import ONNXProto

/// Tensors: the values of initializers and `Constant` nodes, checked against the file's size.
extension GraphTracer {
    /// A tensor's values, after checking its declared size against the data present (and so
    /// against the file's size) before anything is allocated.
    mutating func constant(_ t: Onnx_TensorProto, what: String) throws -> Constant {
        if t.dataLocation == .external { throw fail("\(what): data stored in an external file; only embedded tensors are read") }
        guard t.dims.count <= 8 else { throw fail("\(what): a tensor of \(t.dims.count) dimensions; at most 8 are read") }
        var count = 1
        for d in t.dims {
            guard d >= 0, d <= Int64(fileBytes) else { throw fail("\(what): dimension \(d) is impossible for a file of \(fileBytes) bytes") }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(d))
            guard !overflow, product <= fileBytes else { throw fail("\(what): shape \(GraphTracer.describe(t.dims)) claims more elements than the file's \(fileBytes) bytes hold") }
            count = product
        }
        let shape = t.dims.map { Int($0) }
        try charge(entries: count, what)
        var values: [Double]
        func checkCount(_ present: Int, _ unit: String) throws {
            guard present == count else { throw fail("\(what): shape \(shape) needs \(count) values, the tensor holds \(present) \(unit)") }
        }
        switch Onnx_TensorProto.DataType(rawValue: Int(t.dataType)) {
        case .double?:
            if !t.rawData.isEmpty {
                try checkCount(t.rawData.count / 8, "(\(t.rawData.count) raw bytes)")
                guard t.rawData.count == 8 * count else { throw fail("\(what): raw data of \(t.rawData.count) bytes is not \(count) doubles") }
                values = t.rawData.withUnsafeBytes { raw in (0..<count).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))) } }
            } else {
                try checkCount(t.doubleData.count, "doubles")
                values = t.doubleData
            }
        case .float?:
            lowestPrecision = .float32
            if !t.rawData.isEmpty {
                guard t.rawData.count == 4 * count else { throw fail("\(what): shape \(shape) needs \(4 * count) bytes of FLOAT, the raw data has \(t.rawData.count)") }
                values = t.rawData.withUnsafeBytes { raw in (0..<count).map { Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))) } }
            } else {
                try checkCount(t.floatData.count, "floats")
                values = t.floatData.map { Double($0) }
            }
        case .int64?:
            if !t.rawData.isEmpty {
                guard t.rawData.count == 8 * count else { throw fail("\(what): shape \(shape) needs \(8 * count) bytes of INT64, the raw data has \(t.rawData.count)") }
                values = t.rawData.withUnsafeBytes { raw in (0..<count).map { Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) } }
            } else {
                try checkCount(t.int64Data.count, "int64 values")
                values = t.int64Data.map { Double($0) }
            }
        case .int32?:
            if !t.rawData.isEmpty {
                guard t.rawData.count == 4 * count else { throw fail("\(what): shape \(shape) needs \(4 * count) bytes of INT32, the raw data has \(t.rawData.count)") }
                values = t.rawData.withUnsafeBytes { raw in (0..<count).map { Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) } }
            } else {
                try checkCount(t.int32Data.count, "int32 values")
                values = t.int32Data.map { Double($0) }
            }
        default:
            throw fail("\(what): tensor element type \(t.dataType) is not supported (FLOAT, DOUBLE, INT32, INT64)")
        }
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw fail("\(what): entry \(i) is \(values[i].isNaN ? "NaN" : "infinite"); weights must be finite")
        }
        return Constant(shape: shape, values: values)
    }
}
