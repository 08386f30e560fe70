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
    /// The precision the numbers were read at (design.md §5): float32 input is known only to
    /// float32's ε, which then sets the default rank tolerance and the input-rounding tolerance.
    public var precision: InputPrecision

    /// A form from its parts; dimensions must agree (`FormError` otherwise).
    /// `precision` is the format the numbers were read at (float64 unless they came from float32).
    public init(variables: [String]? = nil, constant: Double, linear: [Double], quadratic: Matrix,
                precision: InputPrecision = .float64) throws {
        let n = linear.count
        guard quadratic.rows == n, quadratic.columns == n else {
            throw FormError.linearLength(entries: n, rows: quadratic.rows, columns: quadratic.columns)
        }
        let names = variables ?? QuadraticForm.defaultVariables(n)
        guard names.count == n else {
            throw FormError.nameCount(names: names.count, variables: n)
        }
        guard Set(names).count == names.count else {
            throw FormError.repeatedNames(names)
        }
        self.variables = names
        self.constant = constant
        self.linear = linear
        self.quadratic = quadratic
        self.precision = precision
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

