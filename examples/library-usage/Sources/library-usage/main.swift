import QuadForm

// A quadratic form from an expression (also: Formats.readForm, Npy.readForm, RandomForm.make).
let form = try ExpressionParser.form("x1^2 + 3*x1*x2 + x2^2 + x3 - 5")

// Synthesis: A = (M + Mᵀ)/2 = QΛQᵀ with LAPACKE, the rank k, a_N and both networks.
let synthesis = try Synthesis(form: form)
print("k = \(synthesis.rank), residual \(synthesis.residual.hiddenNeurons) neurons, plain \(synthesis.plain.hiddenNeurons) neurons")

// Verification (design.md §5): coefficients expanded back and sample points, with tolerances.
let verification = try synthesis.verify()
print("verified: \(verification.passed)")

// Evaluation (Definition 1.5.4): both networks give f(1, 2, 3) = 1 + 6 + 4 + 3 − 5 = 9.
let x: [Double] = [1, 2, 3]
print("f(1, 2, 3) = \(try synthesis.residual.realization(x)[0]) (residual), \(try synthesis.plain.realization(x)[0]) (plain)")

// The network JSON of design.md §6, which `quadform eval` reads.
let json = JSONWriter.write(Formats.networkJSON(synthesis.plain))
print("plain network JSON: \(json.utf8.count) bytes")
