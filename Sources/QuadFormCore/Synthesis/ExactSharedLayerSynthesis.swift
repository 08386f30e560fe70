import Foundation

/// The shared hidden layer of an m-output quadratic map in exact rational arithmetic (design.md
/// §4, §9): each output's exact synthesis (`ExactSynthesis`), the exact lower bound
/// max(dim Σ range(A_i), dim span{A_i}) — both ranks computed without rounding, so "minimal" is a
/// proof where the width meets it — and the narrowest of several exact constructions whose every
/// output expands exactly to its form:
///
/// - each output's Lagrange vectors side by side (Σ k_i);
/// - squares and pair sums in the reduced row echelon basis Y of R = Σ range(A_i) (rows of Y with
///   Y[:, J] = I on the pivot columns J, so that `A_i = Yᵀ A_i[J, J] Y`);
/// - the same in the basis LY of Lagrange's reduction `T = Σ d_j ℓ_jℓ_jᵀ = LᵀDL` of one restricted
///   A_i of rank d (or of their sum), in which T is diagonal and `A_i = (LY)ᵀ L⁻ᵀA_i[J,J]L⁻¹ (LY)`.
public struct ExactSharedLayerSynthesis: Sendable {
    /// One construction that was built: its width, and whether every output expanded exactly to
    /// its form (nil when a narrower construction had already been proved).
    public struct Candidate: Sendable {
        /// The construction.
        public let construction: SharedLayerSynthesis.Construction
        /// Its width K.
        public let width: Int
        /// Whether every output equals its form exactly (nil when not checked).
        public let equal: Bool?
    }

    /// The outputs' forms.
    public let forms: [ExactForm]
    /// Each output's exact synthesis.
    public let perOutput: [ExactSynthesis]
    /// The shared residual network (n, K, m).
    public let network: ExactSharedNetwork
    /// K.
    public let width: Int
    /// d = dim Σ range(A_i), exactly.
    public let rangeDimension: Int
    /// s = dim span{A_i}, exactly.
    public let spanDimension: Int
    /// The construction of `network`.
    public let construction: SharedLayerSynthesis.Construction
    /// The constructions built, narrowest first.
    public let candidates: [Candidate]
    /// For each output, whether the shared network's output expands exactly to its form.
    public let outputsEqual: [Bool]

    /// max(d, s, max k_i).
    public var lowerBound: Int { max(rangeDimension, spanDimension, perOutput.map(\.rank).max() ?? 0) }
    /// Whether K meets the (exact) lower bound: then no shared layer is narrower.
    public var isMinimal: Bool { width == lowerBound }
    /// Σ k_i.
    public var concatenatedWidth: Int { perOutput.reduce(0) { $0 + $1.rank } }
    /// Whether every output of the shared network equals its form exactly.
    public var passed: Bool { outputsEqual.allSatisfy { $0 } }

    /// Synthesizes every output exactly, computes the exact bounds and keeps the narrowest
    /// construction that expands exactly to every form. The forms must share their inputs.
    public init(forms: [ExactForm]) throws {
        guard let first = forms.first else { throw QuadraticMapError.noOutputs }
        for (index, form) in forms.enumerated() where form.dimension != first.dimension {
            throw QuadraticMapError.inputWidthMismatch(index: index, expected: first.dimension, found: form.dimension)
        }
        let n = first.dimension
        let estimates = forms.map { ExactWorkEstimate(form: $0) }
        let synthesesWork = estimates.reduce(0) { $0 + $1.operations }
        if synthesesWork > ExactWorkEstimate.maximumOperations {
            throw ExactLimitError.sharedLayer(stage: "each output's exact synthesis", outputs: forms.count, variables: n, operations: synthesesWork)
        }
        let perOutput = try forms.map { try ExactSynthesis(form: $0) }
        let (echelon, pivots) = RationalMatrix(rowArrays: perOutput.flatMap(\.reduction.vectors), columns: n).reducedRowEchelon
        let d = pivots.count
        let checksWork = ExactSharedLayerSynthesis.constructionWork(outputs: forms.count, variables: n, rangeDimension: d,
                                                                     coefficientBits: estimates.map(\.coefficientBits).max() ?? 0)
        if synthesesWork + checksWork > ExactWorkEstimate.maximumOperations {
            throw ExactLimitError.sharedLayer(stage: "the shared constructions and their exact checks", outputs: forms.count, variables: n,
                                              operations: synthesesWork + checksWork)
        }
        let y = RationalMatrix(rowArrays: (0..<d).map { echelon.row($0) }, columns: n)
        let restricted = perOutput.map { $0.symmetricMatrix.principalSubmatrix(pivots) }
        let pairs = d * (d + 1) / 2
        let flattened = restricted.map { b in (0..<d).flatMap { j in (j..<d).map { l in b[j, l] } } }
        let s = RationalMatrix(rowArrays: flattened, columns: pairs).rank

        var built: [(SharedLayerSynthesis.Construction, ExactSharedNetwork)] = [(.perOutput, try ExactSharedLayerSynthesis.concatenated(perOutput))]
        built.append((.echelonPairs, try ExactSharedLayerSynthesis.pairNetwork(basis: y, coefficients: restricted, forms: forms)))
        var sum = RationalMatrix(rows: d, columns: d)
        for b in restricted { sum.entries = zip(sum.entries, b.entries).map { $0 + $1 } }
        var lagrange: ExactSharedNetwork?
        for pivot in [sum] + restricted where d > 0 {
            let reduction = LagrangeReduction(symmetric: pivot)
            guard reduction.rank == d else { continue }
            let l = RationalMatrix(rowArrays: reduction.vectors, columns: d)
            guard let inverse = l.inverse else { continue }
            let coefficients = restricted.map { inverse.transposed.multiply($0).multiply(inverse) }
            let net = try ExactSharedLayerSynthesis.pairNetwork(basis: l.multiply(y), coefficients: coefficients, forms: forms)
            if lagrange == nil || net.hiddenNeurons < lagrange!.hiddenNeurons { lagrange = net }
        }
        if let lagrange { built.append((.lagrangePairs, lagrange)) }
        let order = SharedLayerSynthesis.Construction.allCases
        built.sort { ($0.1.hiddenNeurons, order.firstIndex(of: $0.0)!) < ($1.1.hiddenNeurons, order.firstIndex(of: $1.0)!) }

        var memo = ExactIntegerCheck.SumOfSquaresMemo()
        var candidates: [Candidate] = []
        var chosen: (SharedLayerSynthesis.Construction, ExactSharedNetwork, [Bool])?
        for (construction, net) in built {
            guard chosen == nil || !(chosen!.2.allSatisfy { $0 }) else {
                candidates.append(Candidate(construction: construction, width: net.hiddenNeurons, equal: nil))
                continue
            }
            let equal = try forms.indices.map { ExactIntegerCheck.check(try net.output($0), equals: forms[$0], memo: &memo) }
            candidates.append(Candidate(construction: construction, width: net.hiddenNeurons, equal: equal.allSatisfy { $0 }))
            if chosen == nil || equal.allSatisfy({ $0 }) { chosen = (construction, net, equal) }
        }
        guard let chosen else { throw SynthesisError.internalError("no exact shared-layer construction was built") }
        self.forms = forms
        self.perOutput = perOutput
        self.network = chosen.1
        self.width = chosen.1.hiddenNeurons
        self.rangeDimension = d
        self.spanDimension = s
        self.construction = chosen.0
        self.candidates = candidates
        self.outputsEqual = chosen.2
    }

    /// Estimated word operations of building and checking the shared constructions before any is
    /// built (docs/exact-and-proofs.md, "Limits"): up to three constructions of at most d(d + 1)/2
    /// neurons each (squares and pair sums), every output of each expanded over n² / 2 entries,
    /// on numbers whose size grows with d like a d × d minor's (Hadamard, as `ExactWorkEstimate`).
    static func constructionWork(outputs m: Int, variables n: Int, rangeDimension d: Int, coefficientBits bits: Int) -> Double {
        let beta = Double(bits) + 0.5 * log2(Double(max(d, 2))) + 1
        let words = max(Double(max(d, 1)) * beta / 64, 1)
        let neurons = Double(d * (d + 1) / 2)
        return 3 * Double(m) * neurons * Double(n) * Double(n) / 2 * 4 * (1 + pow(words, 1.6))
    }

    /// Each output's residual neurons side by side: W_1 the Lagrange vectors, W_2 block-diagonal.
    static func concatenated(_ perOutput: [ExactSynthesis]) throws -> ExactSharedNetwork {
        let n = perOutput[0].form.dimension, m = perOutput.count
        let rows = perOutput.flatMap(\.reduction.vectors)
        var weights = RationalMatrix(rows: m, columns: rows.count)
        var column = 0
        for (i, s) in perOutput.enumerated() {
            for (j, w) in s.residual.outputWeights.enumerated() { weights[i, column + j] = w }
            column += s.rank
        }
        return try ExactSharedNetwork(firstWeights: RationalMatrix(rowArrays: rows, columns: n), outputWeights: weights,
                                      outputBias: perOutput.map(\.form.constant), skip: RationalMatrix(rowArrays: perOutput.map(\.form.linear), columns: n))
    }

    /// Squares of h_jᵀx and (h_j + h_l)ᵀx for the rows h_j of `basis`, with `A_i = hᵀ B_i h`
    /// (B_i = `coefficients[i]`): a pair enters when some B_i has a non-zero (j, l) entry, a square
    /// when some output gives it a non-zero weight `β_jj − Σ_{pairs (j,l)} β_jl` (design.md §9).
    static func pairNetwork(basis h: RationalMatrix, coefficients: [RationalMatrix], forms: [ExactForm]) throws -> ExactSharedNetwork {
        let d = h.rows, n = h.columns, m = forms.count
        var pairs: [(Int, Int)] = []
        for j in 0..<d { for l in (j + 1)..<max(j + 1, d) where coefficients.contains(where: { !$0[j, l].isZero }) { pairs.append((j, l)) } }
        var squareWeights = coefficients.map { b in (0..<d).map { b[$0, $0] } }
        for (j, l) in pairs {
            for i in 0..<m {
                squareWeights[i][j] = squareWeights[i][j] - coefficients[i][j, l]
                squareWeights[i][l] = squareWeights[i][l] - coefficients[i][j, l]
            }
        }
        let squares = (0..<d).filter { j in squareWeights.contains { !$0[j].isZero } }
        var rows: [[Rational]] = squares.map { h.row($0) }
        rows += pairs.map { j, l in RationalVector.adding(h.row(j), h.row(l)) }
        var weights = RationalMatrix(rows: m, columns: rows.count)
        for i in 0..<m {
            for (t, j) in squares.enumerated() { weights[i, t] = squareWeights[i][j] }
            for (t, (j, l)) in pairs.enumerated() { weights[i, squares.count + t] = coefficients[i][j, l] }
        }
        return try ExactSharedNetwork(firstWeights: RationalMatrix(rowArrays: rows, columns: n), outputWeights: weights,
                                      outputBias: forms.map(\.constant), skip: RationalMatrix(rowArrays: forms.map(\.linear), columns: n))
    }
}
