import Foundation

/// Where a network's weights came from: their storage precision decides the rank tolerance of
/// `quadform extract` (float32 weights carry float32's rounding, design.md §5).
public enum WeightPrecision: String, Sendable, Equatable {
    /// IEEE binary64 (JSON, F64 safetensors, DOUBLE ONNX tensors, `<f8` npz).
    case float64
    /// IEEE binary32 (FLOAT ONNX tensors, F32 safetensors, `<f4` npz).
    case float32

    /// The unit roundoff spacing ε of the precision (2⁻⁵² or 2⁻²³).
    public var epsilon: Double {
        switch self {
        case .float64: return Double.ulpOfOne
        case .float32: return Double(Float.ulpOfOne)
        }
    }
}
