import Foundation

/// One network's check (design.md §5): its coefficients expanded back and compared with the
/// form's, then its values at the sample points, each against the rounding tolerance, the
/// accuracy contract and, when the rank tolerance dropped eigenvalues, the approximation bound.
extension Verifier {
    /// The rounding model of one network's check, fixed before anything is compared.
    fileprivate struct CheckModel {
        /// The form's dimension n and the network's hidden neurons m.
        let n: Int
        let m: Int
        /// `K·(n + m + 2)·u` of the synthesis's arithmetic, and `K·(n + m + 2)·η`.
        let k: Double
        let kEta: Double
        /// The unit roundoff of the check's own arithmetic.
        let u: Double
        /// τ·scale (plus the η-term of the rounding model: errors of underflow size are below any
        /// relative accuracy).
        let accuracyLimit: Double
        /// ‖a‖₂ and ‖A‖₂ (forming A = (M + Mᵀ)/2 rounds relative to A's own entries, not to M's
        /// skew part).
        let linearNorm: Double
        let spectralNorm: Double
        /// ‖A‖₂·R: a linear coefficient off by δ changes f by δR along a coordinate of the box,
        /// where f's own scale is (‖A‖R + ‖a‖)R (the sample tolerance's normwise term): the
        /// coefficient tolerance compares at that scale too, so both checks ask the same question.
        let quadraticReach: Double
        /// Σ|λ| of what the rank tolerance dropped.
        let dropped: Double
    }

    /// What the comparison of the coefficients (c', a', A') with (c, a, A) found.
    fileprivate struct CoefficientFigures {
        var errorC = 0.0, toleranceC = 0.0
        var errorA = 0.0, toleranceA = 0.0
        var errorQ = 0.0, toleranceQ = 0.0
        var passedLinear = true
        var passedQuadratic = true
        /// The bound on the coefficient error the accuracy contract compares with τ·scale.
        var bound = 0.0
        var accurate = true
        /// Within the rounding tolerance plus what the rank tolerance dropped (APPROXIMATE).
        var approximationHolds = true

        /// Within the rounding tolerance. An infinite tolerance (terms that overflowed) proves nothing.
        var passed: Bool {
            errorC <= toleranceC && passedLinear && passedQuadratic
                && toleranceC.isFinite && toleranceA.isFinite && toleranceQ.isFinite
        }
    }

    /// What the comparison of the network's values with f's at the sample points found.
    fileprivate struct SampleFigures {
        var error = 0.0, relative = 0.0, worst = 0.0, worstTolerance = 0.0, amplification = 0.0
        var boxError = 0.0
        var passed = true
        var scaledError = 0.0
        var accurate = true
        var approximationHolds = true
    }

    /// Checks `net` against the form whose side of the checks is `reference`, reusing what `cache`
    /// holds of the previous network when it applies, and leaving this network's products there.
    func check(_ net: ResNet, name: String, points: Matrix, reference: Reference, cache: inout ProductCache) throws -> NetworkCheck {
        let model = checkModel(net, reference: reference)
        let full = model.n <= Verifier.fullExpansionLimit
        _ = try ExpandedNetwork.activationCoefficients(of: net)  // the shape checks, also when products are reused
        let reuse = cache.matches(net)
        let sameFunction = reuse && cache.sameFunction(asMatching: net)
        let expanded = try cache.expanded.flatMap { sameFunction ? $0 : nil } ?? ExpandedNetwork(net, expandQuadratic: full)
        if !reuse { Verifier.computeProducts(expanded, points: points, reference: reference, full: full, into: &cache) }

        var coefficients = CoefficientFigures()
        compareConstantAndLinear(net, expanded, model, into: &coefficients)
        if full {
            try compareQuadraticInFull(expanded, model, into: &coefficients)
        } else {
            compareQuadraticOnProbes(reference, cache, model, into: &coefficients)
        }
        if !(coefficients.errorC <= coefficients.toleranceC && coefficients.passedLinear) { coefficients.approximationHolds = false }

        let values = sameFunction ? cache.values : try net.realization(batch: points)
        let samples = compareSamples(net, values: values, points: points, reference: reference,
                                     absoluteHidden: cache.absoluteHidden, model)
        if !reuse {
            cache.key = (net.layers[0], net.layers[1], net.activation, ProductCache.skipsVanish(net))
            cache.expanded = expanded
            cache.values = values
        }
        let approximationHolds = coefficients.approximationHolds && samples.approximationHolds
        return NetworkCheck(name: name, neurons: model.m,
                            coefficientError: max(coefficients.errorC, coefficients.errorA, coefficients.errorQ),
                            coefficientTolerance: max(coefficients.toleranceC, coefficients.toleranceA, coefficients.toleranceQ),
                            coefficientsPassed: coefficients.passed,
                            sampleError: samples.error, sampleRelativeError: samples.relative,
                            sampleTolerance: samples.worstTolerance, worstRatio: samples.worst, samplesPassed: samples.passed,
                            amplification: samples.amplification,
                            accuracy: NetworkCheck.Accuracy(accuracy: synthesis.accuracy, scale: reference.scale,
                                                            coefficientErrorBound: coefficients.bound, coefficientsWithin: coefficients.accurate,
                                                            scaledSampleError: samples.scaledError, samplesWithin: samples.accurate),
                            approximation: model.dropped > 0 && approximationHolds
                                ? NetworkCheck.Approximation(boundOnBox: synthesis.approximationBoundOnBox, measuredErrorOnBox: samples.boxError)
                                : nil)
    }

    /// The rounding model of checking `net` (m hidden neurons) against the synthesis's form.
    private func checkModel(_ net: ResNet, reference: Reference) -> CheckModel {
        let n = synthesis.dimension
        let m = net.hiddenNeurons
        let operations = Verifier.safetyFactor * Double(n + m + 2)
        let k = operations * synthesis.unitRoundoff
        let kEta = operations * Verifier.underflowUnit
        let spectralNorm = synthesis.spectralNorm
        // The accuracy contract (design.md §5): every error, plus what the check's own rounding
        // can hide of it, within τ·scale. `u` is the unit roundoff of the check's arithmetic.
        return CheckModel(n: n, m: m, k: k, kEta: kEta, u: Verifier.checkRoundoff,
                          accuracyLimit: synthesis.accuracy * reference.scale + kEta,
                          linearNorm: Vector.norm(synthesis.linear), spectralNorm: spectralNorm,
                          quadraticReach: spectralNorm * synthesis.options.boxRadius,
                          dropped: synthesis.droppedEigenvalueSum)
    }

    /// The network's side of the products, for a network the cache does not match: |X||U|ᵀ and
    /// |V||U|ᵀ in one dgemm over |U|; then, above the full-expansion limit, A'V and its magnitude.
    private static func computeProducts(_ expanded: ExpandedNetwork, points: Matrix, reference: Reference, full: Bool,
                                        into cache: inout ProductCache) {
        let absoluteHidden = reference.absoluteRows.multiply(expanded.absoluteFirstLayer, transposeOther: true)
        cache.absoluteHidden = absoluteHidden.rows(0..<points.rows)
        if !full {
            (cache.probeValues, cache.probeMagnitudes) = expanded.quadraticTimes(
                batch: reference.probes, absoluteHidden: absoluteHidden.rows(points.rows..<absoluteHidden.rows))
        }
    }

    /// Compares c' with c and a' with a.
    private func compareConstantAndLinear(_ net: ResNet, _ expanded: ExpandedNetwork, _ model: CheckModel,
                                          into figures: inout CoefficientFigures) {
        let form = synthesis
        let (m, k, kEta, u) = (model.m, model.k, model.kEta, model.u)
        let errorC = abs(expanded.constant - form.constant)
        // An underflowed intermediate (≤ η/2 off) is multiplied by what follows it: by the hidden
        // biases in the expansion (w·b·b), by the coordinates of x in f's and the network's sums.
        // (Capped at 2²⁵⁰ so η·factor stays finite and far below any normal-range tolerance.)
        let largestBias = min(net.layers[0].bias.reduce(0) { max($0, abs($1)) }, 0x1p250)
        figures.errorC = errorC
        figures.toleranceC = k * (abs(form.constant) + expanded.constantMagnitude)
            + kEta * (1 + largestBias) * (1 + largestBias) * Verifier.outputWeightFactor(net)
        // c' sums m + 1 terms of a few operations each.
        figures.bound = errorC + Double(m + 6) * u * expanded.constantMagnitude
        if !(figures.bound <= model.accuracyLimit) { figures.accurate = false }
        for i in 0..<model.n {
            let e = abs(expanded.linear[i] - form.linear[i])
            let t = k * (abs(form.linear[i]) + expanded.linearMagnitude[i] + model.linearNorm + model.quadraticReach) + kEta * (1 + largestBias)
            figures.errorA = max(figures.errorA, e)
            figures.toleranceA = max(figures.toleranceA, t)
            if !(e <= t) { figures.passedLinear = false }
            let bound = e + Double(m + 5) * u * expanded.linearMagnitude[i]
            figures.bound = max(figures.bound, bound)
            if !(bound <= model.accuracyLimit) { figures.accurate = false }
        }
    }

    /// Compares A' with A entry by entry (n ≤ `fullExpansionLimit`).
    private func compareQuadraticInFull(_ expanded: ExpandedNetwork, _ model: CheckModel,
                                        into figures: inout CoefficientFigures) throws {
        let n = model.n, u = model.u
        guard let a = synthesis.symmetricMatrix else {
            throw SynthesisError.internalError("verification of n = \(n) ≤ \(Verifier.fullExpansionLimit) compares A in full, but A was not given")
        }
        var errorQ = 0.0
        for i in 0..<(n * n) { errorQ = max(errorQ, abs(expanded.quadratic.entries[i] - a.entries[i])) }
        let toleranceQ = model.k * (a.frobeniusNorm + expanded.quadraticMagnitude) + model.kEta
        figures.errorQ = errorQ
        figures.toleranceQ = toleranceQ
        // A' entries sum m terms (one dgemm); A's entries cost one rounding when formed from M.
        let bound = errorQ + Double(model.m + 3) * u * expanded.quadraticMagnitude + u * synthesis.quadraticMaxEntry
        figures.bound = max(figures.bound, bound)
        if !(bound <= model.accuracyLimit) { figures.accurate = false }
        figures.passedQuadratic = errorQ <= toleranceQ
        if !(errorQ <= toleranceQ + model.dropped) { figures.approximationHolds = false }
    }

    /// Compares A'v with Av for the random probes v (above `fullExpansionLimit`).
    private func compareQuadraticOnProbes(_ reference: Reference, _ cache: ProductCache, _ model: CheckModel,
                                          into figures: inout CoefficientFigures) {
        let (n, m, k, kEta, u) = (model.n, model.m, model.k, model.kEta, model.u)
        let (networkAV, networkMagnitude) = (cache.probeValues, cache.probeMagnitudes)
        for p in 0..<reference.probes.rows {
            let vNorm = Vector.norm(reference.probes.row(p))
            for i in 0..<n {
                let e = abs(networkAV[p, i] - reference.probeProducts[p, i])
                let t = k * (reference.probeMagnitudes[p, i] + networkMagnitude[p, i] + model.spectralNorm * vNorm) + kEta
                figures.errorQ = max(figures.errorQ, e)
                figures.toleranceQ = max(figures.toleranceQ, t)
                if !(e <= t) { figures.passedQuadratic = false }
                // (A' − A)v against τ·scale·‖v‖₂: entries of A' − A within τ·scale in every row.
                let bound = e + Double(m + 3) * u * networkMagnitude[p, i] + Double(n + 2) * u * reference.probeMagnitudes[p, i]
                figures.bound = max(figures.bound, bound / max(vNorm, 1))
                if !(bound <= model.accuracyLimit * vNorm) { figures.accurate = false }
                if !(e <= t + model.dropped * vNorm) { figures.approximationHolds = false }
            }
        }
    }

    /// Compares the network's values g(x) with f(x) at the sample points, each against a rounding
    /// tolerance from the magnitudes of f's and g's terms there.
    private func compareSamples(_ net: ResNet, values: Matrix, points: Matrix, reference: Reference,
                                absoluteHidden absUX: Matrix, _ model: CheckModel) -> SampleFigures {
        let (m, k, kEta) = (model.m, model.k, model.kEta)
        let w = net.layers[1].weights.entries
        let b = net.layers[0].bias
        let outputFactor = Verifier.outputWeightFactor(net)
        var figures = SampleFigures()
        let radius = synthesis.options.boxRadius
        for p in 0..<points.rows {
            let x = points.row(p)
            let f = reference.values[p]
            let magnitudeF = reference.magnitudes[p]
            let g = values[p, 0]
            var magnitudeG = abs(net.layers[1].bias[0])
            for skip in net.skips { magnitudeG += Vector.absDot(skip.weights.row(0), x) }
            for j in 0..<m {
                let t = absUX[p, j] + abs(b[j])
                switch net.activation {
                case let .quadratic(al, be, ga): magnitudeG += abs(w[j]) * (abs(al) * t * t + abs(be) * t + abs(ga))
                default: magnitudeG += abs(w[j]) * t * t
                }
            }
            // Relative measures are taken against f's terms floored at the smallest normal Double:
            // below it f's values are in the subnormal range, where only the absolute η-term means anything.
            let relativeScale = max(magnitudeF, Double.leastNormalMagnitude)
            if magnitudeF > 0 { figures.amplification = max(figures.amplification, magnitudeG / relativeScale) }
            let normX = Vector.norm(x)
            let normwise = (model.spectralNorm * normX + model.linearNorm) * normX
            let tolerance = k * (magnitudeF + magnitudeG + normwise)
                + kEta * min(1 + x.reduce(0) { $0 + abs($1) }, 0x1p500) * outputFactor
            let error = abs(f - g)
            guard error.isFinite else {
                figures.passed = false; figures.accurate = false; figures.approximationHolds = false
                figures.error = .infinity; figures.scaledError = .infinity; continue
            }
            // f's scale grows like ‖x‖∞² outside the box (the far points).
            let reach = max(1, x.reduce(0) { max($0, abs($1)) } / radius)
            let scaled = error / (reference.scale * reach * reach)
            if reference.scale > 0 { figures.scaledError = max(figures.scaledError, scaled) } else if error > 0 { figures.scaledError = .infinity }
            if !(error <= model.accuracyLimit * reach * reach) { figures.accurate = false }
            figures.error = max(figures.error, error)
            if x.allSatisfy({ abs($0) <= radius }) { figures.boxError = max(figures.boxError, error) }
            if !(error <= tolerance + synthesis.modelErrorBound(normOfX: normX)) { figures.approximationHolds = false }
            // Where every term of f vanishes (the origin of a form without constant) a relative
            // error means nothing; the absolute check above covers those points.
            if magnitudeF > 0 { figures.relative = max(figures.relative, error / relativeScale) }
            let ratio = tolerance > 0 ? error / tolerance : (error == 0 ? 0 : .infinity)
            if ratio >= figures.worst { figures.worst = ratio; figures.worstTolerance = tolerance }
            if !(error <= tolerance) || !tolerance.isFinite { figures.passed = false }
        }
        return figures
    }
}

extension Verifier {
    /// `1 + Σ_j |w_j|·max(|α|, 1)`, capped at 2²⁵⁰: a hidden neuron's value that underflowed (≤ η/2
    /// off) reaches the output multiplied by its output weight, so the rounding model's η-term
    /// carries this factor (a square (qᵀx + β)² with β ≈ 1e-291 underflows to 0 before λ ≈ 1e290
    /// multiplies it).
    static func outputWeightFactor(_ net: ResNet) -> Double {
        let alpha: Double
        switch net.activation {
        case let .quadratic(a, _, _): alpha = max(abs(a), 1)
        default: alpha = 1
        }
        let sum = net.layers[net.layers.count - 1].weights.entries.reduce(0) { $0 + abs($1) }
        return min(1 + sum * alpha, 0x1p250)
    }
}
