/// How `prove --exact` certifies the counts of design.md §3 (design.md §4): today's fraction-free
/// reduction (exact networks, expanded and compared), or the multimodular certificate (rank and
/// a ∈ range(A) modulo enough primes for Hadamard's bound; no networks written out). `auto`
/// takes the multimodular one from `multimodularDimension` variables on, or when the reduction
/// would be refused by `ExactWorkEstimate`, and the reduction below.
public enum ExactCertificateMethod: String, Sendable, CaseIterable {
    /// Choose by size.
    case auto
    /// The fraction-free reduction with its exact networks (`ExactSynthesis`, `NeuronCountCertificate`).
    case reduction
    /// `MultimodularRankCertificate`.
    case multimodular

    /// n from which `auto` takes the multimodular certificate: at n = 60 the reduction and its
    /// verification take about as long as the certificate's primes (docs/performance.md), and the
    /// gap widens as n³·log n against the reduction's n⁴-like growth.
    public static let multimodularDimension = 60

    /// The method `auto` stands for on `form` (the others stand for themselves).
    public func resolved(for form: ExactForm) -> ExactCertificateMethod {
        guard self == .auto else { return self }
        if form.dimension >= Self.multimodularDimension { return .multimodular }
        if (try? ExactWorkEstimate(form: form).check()) == nil { return .multimodular }
        return .reduction
    }
}
