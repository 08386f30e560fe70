/// Where a network's weights came from: their storage precision (IEEE binary64 — JSON, F64
/// safetensors, DOUBLE ONNX tensors, `<f8` npz — or binary32 — FLOAT ONNX tensors, F32
/// safetensors, `<f4` npz) decides the rank tolerance, the a_N decision and the accuracy τ of
/// `quadform extract` (design.md §5). It is the same two-valued precision as a form's.
public typealias WeightPrecision = InputPrecision
