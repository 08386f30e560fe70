import Foundation

extension NetworkExtraction {
    /// The m-output quadratic map a one-hidden-layer network of quadratic neurons with m outputs
    /// computes (design.md §9): output i is the form of the network restricted to that output
    /// (`ResNet.singleOutput`), summed as `form(of:)` sums one (design.md §5). The shape checks
    /// are `checkShape`'s, except that any number of outputs is accepted.
    public static func map(of net: ResNet, variables: [String]? = nil) throws -> QuadraticMap {
        try checkMapShape(net)
        return try QuadraticMap(outputs: (0..<net.outputWidth).map { try form(of: net.singleOutput($0), variables: variables) })
    }

    /// Every output's form, exactly (`exactForm(of:)` on each output alone).
    public static func exactForms(of net: ResNet, variables: [String]? = nil) throws -> [ExactForm] {
        try checkMapShape(net)
        return try (0..<net.outputWidth).map { try exactForm(of: net.singleOutput($0), variables: variables) }
    }

    /// `checkShape` without its one-output condition: one hidden layer, a quadratic activation,
    /// skips only from the input to the output, at least one output.
    public static func checkMapShape(_ net: ResNet) throws {
        if net.depth != 2 || net.outputWidth == 1 { return try checkShape(net) }
        guard net.outputWidth > 0 else { throw ExtractionError.notQuadratic("the network has no output") }
        try checkShape(net.singleOutput(0))
    }
}
