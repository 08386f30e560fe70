import Foundation

/// A node of a parsed expression, with the character span it came from.
public final class ExpressionNode: Sendable {
    /// The kinds of node. Sums and products are n-ary so long chains do not nest.
    public enum Kind: Sendable {
        /// A numeric literal, kept as text so exact mode reads it without rounding.
        case number(String)
        /// A variable.
        case variable(String)
        /// `t_0 ± t_1 ± …`; the flag says whether the term is subtracted.
        case sum([(negated: Bool, term: ExpressionNode)])
        /// `f_0 */ f_1 */ …`; the flag says whether the factor divides.
        case product([(divides: Bool, factor: ExpressionNode)])
        /// `base ^ exponent` with a non-negative integer exponent.
        case power(ExpressionNode, Int)
        /// `-operand`.
        case negate(ExpressionNode)
    }

    /// What the node is.
    public let kind: Kind
    /// 0-based offset of its first character.
    public let start: Int
    /// 0-based offset one past its last character.
    public let end: Int

    init(_ kind: Kind, start: Int, end: Int) {
        self.kind = kind
        self.start = start
        self.end = end
    }
}
