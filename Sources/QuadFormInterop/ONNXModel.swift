/// Networks (design.md §1) as ONNX models, written and read through the ONNX protobuf messages
/// generated once from the `onnx` package's `onnx.proto` (docs/interop.md says how).
///
/// Written: the default domain at opset `ONNXModel.opset`, one input `x` of shape `[batch, n]`,
/// DOUBLE tensors (FLOAT with `float32`), each layer `MatMul(x_{k−1}, W_kᵀ) + B_k`, each skip its
/// own `MatMul(x_r, V_{r,k}ᵀ)` and `Add`, the square as `Mul(z, z)`, ReLU as `Relu`, the identity
/// as `Identity`, s(z) = αz² + βz + γ as `(αz + β)·z + γ`; the widths, activation, skips,
/// variable names and provenance in `metadata_props`.
///
/// Read: any graph of `MatMul`/`Gemm` with constant weights, `Add`/`Sub`, `Mul` (of a value by
/// itself, or by a constant), `Pow(z, 2)`, `Relu`, `Identity` and `Constant` (what
/// `torch.onnx.export` writes for Linear layers, `x*x` or `x**2`, and an added Linear skip), traced
/// symbolically into affine maps of earlier activations and rebuilt as layers (nodes whose inputs
/// are equally deep form one layer).
public enum ONNXModel {
    /// The opset written (the default domain).
    public static let opset: Int64 = 17
    /// The IR version written (onnx 1.13+, onnxruntime 1.14+ read it).
    public static let irVersion: Int64 = 8
    /// Largest file read (1 GiB).
    public static let maximumFileBytes = 1 << 30
}
