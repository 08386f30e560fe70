import Foundation

/// The synthesis of an m-output quadratic map `f_i(x) = c_i + a_iᵀx + xᵀA_ix` (design.md §9):
/// each output's own minimal networks (`Synthesis`, design.md §2), and one residual network
/// n → K square neurons → m outputs with a linear skip n → m that computes every output.
///
/// The width K is the smallest of several exact constructions that verifies (each output against
/// its form, design.md §5): each output's eigenvectors side by side (K = Σk_i), or squares and
/// pair sums `(h_j + h_l)²` in a basis h_1…h_d of R = Σ range(A_i) — the orthonormal basis of
/// the SVD, the eigenbasis of a random combination of the A_i (K = d when they commute), or the
/// basis that diagonalizes the pencil by congruence (K = d when the A_i are simultaneously
/// diagonalizable by congruence) — or the outputs in groups, each with the narrowest of these.
/// Next to it the lower bound max(dim R, dim span{A_i}): K is
/// called minimal only when it meets the bound.
public struct SharedLayerSynthesis: Sendable {
    /// How the shared hidden layer was built (design.md §9).
    public enum Construction: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Every output's own eigenvectors, side by side: K = Σ k_i.
        case perOutput = "per_output"
        /// Squares and pair sums in the eigenbasis of a random combination of the A_i (restricted
        /// to R): K = d when the A_i commute.
        case jointEigenbasis = "joint_eigenbasis"
        /// Squares and pair sums in an orthonormal basis of R (the SVD's): at most d(d+1)/2.
        case orthonormalPairs = "orthonormal_pairs"
        /// Squares and pair sums in the basis that diagonalizes a pencil of two random combinations
        /// by congruence (a complex pair of eigenvectors by its real and imaginary parts, a 2 × 2
        /// block): K = d when the A_i are simultaneously diagonalizable by congruence, d + c for a
        /// pencil with c complex pairs.
        case congruence = "congruence"
        /// Exact mode: squares and pair sums in the reduced row echelon basis of R.
        case echelonPairs = "echelon_pairs"
        /// Exact mode: squares and pair sums in the basis of Lagrange's reduction of one A_i (or of
        /// their sum) of rank d, which that matrix makes diagonal.
        case lagrangePairs = "lagrange_pairs"
        /// The outputs in groups (each joining the previous group when that narrows the layer),
        /// each group's narrowest construction, side by side.
        case grouped = "grouped"

        /// The construction in words, for the reports.
        public var description: String {
            switch self {
            case .perOutput: return "each output's own minimal neurons side by side"
            case .jointEigenbasis: return "squares and pair sums in the joint eigenbasis of R"
            case .orthonormalPairs: return "squares and pair sums in an orthonormal basis of R"
            case .congruence: return "squares and pair sums in the basis diagonalizing the A_i by congruence"
            case .echelonPairs: return "squares and pair sums in the echelon basis of R"
            case .lagrangePairs: return "squares and pair sums in a Lagrange basis of R"
            case .grouped: return "the outputs in groups, each with its narrowest construction, side by side"
            }
        }
    }

    /// One construction that was tried: its width, and its verdict when it was verified (the
    /// constructions are verified from the narrowest until one passes), or why it was not built.
    public struct Candidate: Sendable {
        /// The construction.
        public let construction: Construction
        /// Its width K (nil when it could not be built).
        public let width: Int?
        /// The worst verdict of its outputs, when verified.
        public let status: VerificationStatus?
        /// Why it was not built, when it was not.
        public let note: String?
    }

    /// The map.
    public let map: QuadraticMap
    /// The options as given (each output's synthesis adds what its summation implies: `outputOptions`).
    public let options: SynthesisOptions
    /// Each output's own synthesis: its rank k_i and minimal residual (k_i) and plain (k_i or
    /// k_i + 2) networks.
    public let perOutput: [Synthesis]
    /// The residual network with one shared hidden layer: l = (n, K, m), σ(z) = z², S = {(0, 2)}
    /// with V_{0,2} the m × n matrix of rows a_iᵀ, B_2 = (c_i).
    public let network: ResNet
    /// K, the width of the shared hidden layer.
    public let width: Int
    /// The lower bound max(dim Σ range(A_i), dim span{A_i}) (numerical ranks, design.md §9).
    public let lowerBound: Int
    /// Whether `width` meets `lowerBound` (then no shared layer is narrower).
    public let isMinimal: Bool
    /// The construction of `network`.
    public let construction: Construction
    /// Every construction tried, in the order they were considered (narrowest first).
    public let candidates: [Candidate]
    /// The bounds with their singular values and tolerances.
    public let bounds: SharedLayerBounds
    /// Each output of `network` checked against its form (design.md §5), in order.
    public let verification: [NetworkCheck]
    /// Per output, a bound on what `network` leaves out of A_i in the spectral norm (eigenvalues
    /// and directions under the tolerances; rounding size by default): |f_i(x) − g_i(x)| is at
    /// most this times ‖x‖² beyond rounding.
    public let droppedBounds: [Double]

    /// Σ k_i, the width of the per-output construction.
    public var concatenatedWidth: Int { perOutput.reduce(0) { $0 + $1.rank } }
    /// The worst verdict of the shared network's outputs (PASSED for a map of no outputs' failures).
    public var status: VerificationStatus { verification.reduce(.passed) { VerificationStatus.worse($0, $1.status) } }
    /// Whether every output of the shared network passed.
    public var passed: Bool { verification.allSatisfy(\.passed) }

    /// Synthesizes every output (`Synthesis` with `outputOptions`), bounds the shared width from
    /// below, builds the candidate shared layers and keeps the narrowest that verifies.
    public init(map: QuadraticMap, options: SynthesisOptions = SynthesisOptions()) throws {
        let perOutput = try map.outputs.map { try Synthesis(form: $0.form, options: SharedLayerSynthesis.outputOptions(for: $0, options)) }
        let geometry = try SharedLayerGeometry(perOutput: perOutput)
        var built: [(construction: Construction, network: ResNet, dropped: [Double])] = []
        var candidates: [Candidate] = []
        let perOutputNetwork = try SharedLayerSynthesis.concatenated(perOutput)
        built.append((.perOutput, perOutputNetwork, perOutput.map(\.droppedEigenvalueSum)))
        for construction in [Construction.jointEigenbasis, .orthonormalPairs, .congruence] {
            do {
                let (net, dropped) = try geometry.pairNetwork(construction, seed: options.seed)
                built.append((construction, net, dropped))
            } catch let note as SharedLayerGeometry.Unavailable {
                candidates.append(Candidate(construction: construction, width: nil, status: nil, note: note.reason))
            }
        }
        if let groups = try SharedLayerSynthesis.grouped(perOutput, seed: options.seed) {
            built.append((.grouped, groups.network, groups.dropped))
        } else {
            candidates.append(Candidate(construction: .grouped, width: nil, status: nil, note: "no grouping differs from one group or each output alone"))
        }
        let order = Construction.allCases
        built.sort { ($0.network.hiddenNeurons, order.firstIndex(of: $0.construction)!) < ($1.network.hiddenNeurons, order.firstIndex(of: $1.construction)!) }
        var chosen: (index: Int, checks: [NetworkCheck])?
        var verified: [Candidate] = []
        for (index, candidate) in built.enumerated() {
            let checks = try SharedLayerSynthesis.check(candidate.network, perOutput: perOutput, dropped: candidate.dropped)
            let worst = checks.reduce(VerificationStatus.passed) { VerificationStatus.worse($0, $1.status) }
            verified.append(Candidate(construction: candidate.construction, width: candidate.network.hiddenNeurons, status: worst, note: nil))
            if chosen == nil || SharedLayerSynthesis.severity(worst) < SharedLayerSynthesis.severity(chosen!.checks) { chosen = (index, checks) }
            if worst == .passed { break }
        }
        for candidate in built.dropFirst(verified.count) {
            verified.append(Candidate(construction: candidate.construction, width: candidate.network.hiddenNeurons, status: nil, note: "not verified: a narrower construction passed"))
        }
        guard let chosen else { throw SynthesisError.internalError("no shared-layer construction was built") }
        let winner = built[chosen.index]
        self.map = map
        self.options = options
        self.perOutput = perOutput
        self.network = winner.network
        self.width = winner.network.hiddenNeurons
        self.bounds = geometry.bounds
        self.lowerBound = geometry.bounds.lowerBound
        self.isMinimal = width == geometry.bounds.lowerBound
        self.construction = winner.construction
        self.candidates = verified + candidates
        self.verification = chosen.checks
        self.droppedBounds = winner.dropped
    }

    /// The options of output `output`'s synthesis: those given, plus what its summation from
    /// rank-one terms implies (design.md §5), as `extract` uses them — float32 weights' rank
    /// tolerance (`NetworkExtraction.rankTolerance`), the scale of the summed terms, and at most as
    /// many eigenvalues as rank-one terms were summed.
    public static func outputOptions(for output: NetworkExtraction.ExtractedForm, _ options: SynthesisOptions) -> SynthesisOptions {
        var result = options
        if result.rankTolerance == nil {
            result.rankTolerance = NetworkExtraction.rankTolerance(for: output.form.precision, extracted: output)
        }
        result.summedTermScale = Double(output.rankOneTerms) * Double.ulpOfOne * output.quadraticMagnitude
        result.maximumRank = min(result.maximumRank ?? output.rankOneTerms, output.rankOneTerms)
        return result
    }

    /// The per-output construction: every output's kept eigenvectors as rows of W_1, output i's
    /// eigenvalues in row i of W_2 (zero elsewhere), B_2 = (c_i), V_{0,2} rows a_iᵀ.
    static func concatenated(_ perOutput: [Synthesis]) throws -> ResNet {
        let n = perOutput[0].form.dimension, m = perOutput.count
        let k = perOutput.reduce(0) { $0 + $1.rank }
        var rows = [Double](), weights = Matrix(rows: m, columns: k)
        var column = 0
        for (i, s) in perOutput.enumerated() {
            rows += s.residual.layers[0].weights.entries
            for (j, lambda) in s.residual.layers[1].weights.entries.enumerated() { weights[i, column + j] = lambda }
            column += s.rank
        }
        return try ResNet.sharedLayer(inputWeights: Matrix(rows: k, columns: n, entries: rows), hiddenBias: [Double](repeating: 0, count: k),
                                      outputWeights: weights, outputBias: perOutput.map(\.form.constant),
                                      skip: Matrix(rowArrays: perOutput.map(\.form.linear), columns: n))
    }

    /// Each output of `net` checked against its form (design.md §5): the network of that output
    /// alone (`ResNet.singleOutput`) against the output's synthesis subject, with `dropped[i]` as
    /// the bound on what the construction left out of A_i (Σ|λ| in the spectral norm).
    static func check(_ net: ResNet, perOutput: [Synthesis], dropped: [Double]) throws -> [NetworkCheck] {
        try perOutput.enumerated().map { i, s in
            let single = try net.singleOutput(i)
            let subject = VerificationSubject(dimension: s.form.dimension, constant: s.form.constant, linear: s.form.linear,
                                              spectralNorm: s.eigen.eigenvalues.reduce(0) { max($0, abs($1)) },
                                              quadraticMaxEntry: s.symmetricMatrix.maxAbsEntry, droppedEigenvalueSum: dropped[i],
                                              unitRoundoff: s.unitRoundoff, accuracy: Verifier.accuracy(for: s.form.precision, given: s.options.accuracy),
                                              options: s.options, symmetricMatrix: s.symmetricMatrix, residual: single, plain: single,
                                              farSampleRadius: s.farSampleRadius)
            return try Verifier(subject: subject).check(single, name: "output \(i + 1)", points: Verifier.samplePoints(for: subject))
        }
    }

    /// Orders verdicts from best to worst (PASSED, ILL_CONDITIONED, APPROXIMATE, FAILED).
    static func severity(_ status: VerificationStatus) -> Int {
        switch status {
        case .passed: return 0
        case .illConditioned: return 1
        case .approximate: return 2
        case .failed: return 3
        }
    }

    /// The worst severity of some checks.
    static func severity(_ checks: [NetworkCheck]) -> Int { checks.map { severity($0.status) }.max() ?? 0 }
}
