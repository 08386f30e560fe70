/// A quadratic function `f(x) = c + aᵀx + xᵀMx` of n variables (the paper's eq. 3, design.md §1).
///
/// `quadratic` is the matrix M as the user gave it (kept for display); every computation uses its
/// symmetric part `A = (M + Mᵀ)/2`, which defines the same function.
public struct QuadraticForm: Equatable, Sendable {
    /// Variable names, one per coordinate of x.
    public var variables: [String]
    /// The constant term c (the paper's a0).
    public var constant: Double
    /// The linear term a (the paper's a_i).
    public var linear: [Double]
    /// The matrix M of quadratic coefficients as given (the paper's a_ij), not necessarily symmetric.
    public var quadratic: Matrix

    /// A form from its parts; dimensions must agree (`QuadFormError.dimensionMismatch` otherwise).
    public init(variables: [String]? = nil, constant: Double, linear: [Double], quadratic: Matrix) throws {
        let n = linear.count
        guard quadratic.rows == n, quadratic.columns == n else {
            throw QuadFormError.dimensionMismatch("linear term has \(n) entries but the quadratic matrix is \(quadratic.rows)×\(quadratic.columns)")
        }
        let names = variables ?? QuadraticForm.defaultVariables(n)
        guard names.count == n else {
            throw QuadFormError.dimensionMismatch("\(names.count) variable names for \(n) variables")
        }
        guard Set(names).count == names.count else {
            throw QuadFormError.dimensionMismatch("variable names are not distinct: \(names.joined(separator: ", "))")
        }
        self.variables = names
        self.constant = constant
        self.linear = linear
        self.quadratic = quadratic
    }

    /// The names `x1 … xn`.
    public static func defaultVariables(_ n: Int) -> [String] { (0..<n).map { "x\($0 + 1)" } }

    /// The number of variables n.
    public var dimension: Int { linear.count }

    /// The symmetric matrix `A = (M + Mᵀ)/2` (design.md §1).
    public var symmetricMatrix: Matrix { quadratic.symmetricPart }

    /// `f(x) = c + aᵀx + xᵀAx`.
    public func evaluate(_ x: [Double]) -> Double {
        precondition(x.count == dimension, "point has \(x.count) coordinates, the form \(dimension)")
        let a = symmetricMatrix
        return constant + Vector.dot(linear, x) + Vector.dot(x, a.multiply(x))
    }

    /// `|c| + Σ|a_i x_i| + Σ|A_ij x_i x_j|`: the magnitude that bounds the rounding error of `evaluate`.
    public func magnitude(at x: [Double]) -> Double {
        let a = symmetricMatrix
        let absX = x.map { abs($0) }
        let absA = a.absolute
        return abs(constant) + Vector.absDot(linear, x) + Vector.dot(absX, absA.multiply(absX))
    }
}

/// Errors raised when input describes no valid form, network or option.
public enum QuadFormError: Error, Equatable, CustomStringConvertible {
    /// Parts of a form or network have inconsistent sizes.
    case dimensionMismatch(String)
    /// A value is outside its allowed range (named in the message).
    case invalidValue(String)

    public var description: String {
        switch self {
        case let .dimensionMismatch(message): return message
        case let .invalidValue(message): return message
        }
    }
}
