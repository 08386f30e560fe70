import Foundation
import CQuadFormMPI
import CLapacke
import QuadFormCore
import QuadFormReports
import QuadFormInterop

/// `quadform synth` for a `.npy` form over MPI (docs/distributed.md): the matrix is read, made
/// symmetric, checked and decomposed block-cyclically by ScaLAPACK on all processes; the kept
/// eigenvectors are gathered once onto process 0, which builds both networks with the same
/// `Synthesis.Core` as `quadform synth`; the verification's products with A run distributed, its
/// comparisons and tolerances are `Verifier`'s.
public struct DistributedSynthesis {
    /// n.
    public let dimension: Int
    /// c.
    public let constant: Double
    /// a.
    public let linear: [Double]
    /// The options (rank tolerance, driver, box, samples, seed).
    public let options: SynthesisOptions
    /// All eigenvalues of A, ascending.
    public let eigenvalues: [Double]
    /// The ScaLAPACK driver that ran.
    public let driverName: String
    /// Why it ran.
    public let driverReason: String
    /// ‖A‖_F.
    public let frobeniusNorm: Double
    /// The radius of the far sample points (`Synthesis.farSampleRadius`).
    public let farSampleRadius: Double
    /// The precision of the input file's values (float32 for `f4`): its ε enters the tolerances.
    public let precision: InputPrecision
    /// The unit roundoff of the tolerances: max(Double's ε, the input's).
    public var unitRoundoff: Double { Swift.max(Double.ulpOfOne, precision.epsilon) }
    /// The BLACS grid (process rows, process columns) and block size.
    public let gridShape: (rows: Int, columns: Int, block: Int)
    /// The number of MPI processes.
    public let processes: Int
    /// The synthesis (process 0 only; nil elsewhere).
    public let core: Synthesis.Core?
    /// The verification (process 0 only).
    public let verification: VerificationReport?
    /// Wall times of the phases (on this process).
    public let phases: [(name: String, seconds: Double)]

    /// The default block size nb of the block-cyclic distribution.
    public static let defaultBlock = 64

    /// Runs the distributed synthesis and verification of the form `c + aᵀx + xᵀMx` with M read
    /// from the `.npy` file `quadratic` and a from `linear` (zero when nil). Collective: every
    /// process calls it; errors are agreed on (`MPIWorld.agree`), so all processes throw the same.
    public init(world: MPIWorld, quadratic path: String, linear linearPath: String?, constant: Double,
                options: SynthesisOptions, block requestedBlock: Int = DistributedSynthesis.defaultBlock) throws {
        var phases: [(String, Double)] = []
        var clock = MPIWorld.time
        func mark(_ name: String) { let now = MPIWorld.time; phases.append((name, now - clock)); clock = now }
        // The stages as a progress line (ProgressContext; only where a reporter is installed).
        ProgressContext.begin("read (each process its blocks)")

        let (layout, linear) = try DistributedSynthesis.readHeaderAndLinear(path, linearPath, world: world)
        let n = layout.shape[0]
        try world.agree { try Synthesis.validate(constant: constant, linear: linear, options: options) }

        // The grid and the blocks: nb no larger than needed to give every process a block.
        let shape = ProcessGrid.shape(processes: world.size)
        let grid = ProcessGrid(rows: shape.rows, columns: shape.columns)
        defer { grid.release() }
        let root = ProcessGrid(rows: 1, columns: 1)
        defer { root.release() }
        let block = Swift.max(1, Swift.min(requestedBlock, (n + Swift.max(shape.rows, shape.columns) - 1) / Swift.max(shape.rows, shape.columns, 1)))

        var m = try world.agree { try DistributedMatrix(rows: n, columns: n, block: block, grid: grid) }
        try world.agree { try m.read(npy: path, layout: layout) }
        mark("read (each process its blocks)")
        ProgressContext.begin("symmetrize and check (pdtran)")

        try DistributedSynthesis.requireFinite(m, path: path, world: world)
        let symmetric = try DistributedSynthesis.symmetricPart(of: m, world: world)
        var a = symmetric.matrix
        let largestEntry = symmetric.largestEntry
        m = try DistributedMatrix(rows: 0, columns: 0, block: 1, grid: grid)  // M is no longer needed
        let frobenius = try a.local.withUnsafeBufferPointer { try world.norm(local: $0) }
        try world.agree {
            try Synthesis.checkReach(dimension: n, constant: constant, linear: linear, frobeniusNorm: frobenius, boxRadius: options.boxRadius)
        }
        mark("symmetrize and check (pdtran)")
        ProgressContext.begin("verification products with A (distributed)")

        // The far sample points as synth places them (moved in where f would come near overflow).
        let far = Synthesis.farSampleRadius(dimension: n, constant: constant, linear: linear, frobeniusNorm: frobenius, boxRadius: options.boxRadius)
        let points = Verifier.samplePoints(dimension: n, options: options, farRadius: far)
        let (gatheredA, products) = try DistributedSynthesis.verificationProducts(a, points: points, options: options, root: root, world: world)
        mark("verification products with A (distributed)")
        ProgressContext.begin("decompose (ScaLAPACK)")

        // Eigenpairs (A is overwritten).
        let rule = RankTolerance.rule(dimension: n, precision: layout.precision, userValue: options.rankTolerance)
        let eigen = try DistributedSynthesis.decompose(destroying: &a, rule: rule, driver: options.driver, world: world)
        mark("decompose (ScaLAPACK \(eigen.driverName))")
        ProgressContext.begin("gather kept eigenvectors, synthesize")

        let core = try DistributedSynthesis.synthesize(eigen, rule: rule, constant: constant, linear: linear,
                                                       precision: layout.precision, options: options, root: root, world: world)
        mark("gather kept eigenvectors, synthesize")
        ProgressContext.begin("verify (network side, tolerances)")

        let verification = try DistributedSynthesis.verify(core, eigenvalues: eigen.eigenvalues, largestEntry: largestEntry,
                                                           gatheredA: gatheredA, products: products, points: points, farRadius: far,
                                                           constant: constant, linear: linear, precision: layout.precision,
                                                           options: options, world: world)
        mark("verify (network side, tolerances)")

        self.dimension = n
        self.constant = constant
        self.linear = linear
        self.options = options
        self.eigenvalues = eigen.eigenvalues
        self.driverName = eigen.driverName
        self.driverReason = DistributedEigen.reason(for: options.driver)
        self.frobeniusNorm = frobenius
        self.precision = layout.precision
        self.farSampleRadius = far
        self.gridShape = (shape.rows, shape.columns, block)
        self.processes = world.size
        self.core = core
        self.verification = verification
        self.phases = phases
    }

    /// The matrix file's layout and the linear term a: read once, on process 0, checked (a square
    /// matrix, a of length n) and broadcast to every process.
    private static func readHeaderAndLinear(_ path: String, _ linearPath: String?, world: MPIWorld) throws -> (Npy.Layout, [Double]) {
        var header: [Double] = [0, 0, 0, 0]
        var linear: [Double] = []
        try world.agree {
            guard world.isRoot else { return }
            let layout = try DistributedSynthesis.readLayout(path)
            guard layout.shape.count == 2, layout.shape[0] == layout.shape[1] else {
                throw NpyError(path: path, message: "header field 'shape': expected a square matrix (n, n), found \(layout.shape)")
            }
            let n = layout.shape[0]
            if let linearPath {
                linear = try Npy.readVector(linearPath)
                guard linear.count == n else {
                    throw FormatError.vectorLength(linear: linearPath, entries: linear.count, quadratic: path, order: n)
                }
            } else {
                linear = [Double](repeating: 0, count: n)
            }
            header = [Double(n), layout.fortranOrder ? 1 : 0, Double(layout.dataOffset),
                      Double(Npy.supportedDtypes.firstIndex(of: layout.descr)!)]
        }
        try world.broadcast(&header, from: 0)
        let n = Int(header[0])
        let layout = Npy.Layout(descr: Npy.supportedDtypes[Int(header[3])], fortranOrder: header[1] == 1,
                                shape: [n, n], dataOffset: Int(header[2]))
        if !world.isRoot { linear = [Double](repeating: 0, count: n) }
        try world.broadcast(&linear, from: 0)
        return (layout, linear)
    }

    /// Throws, on every process, the first non-finite entry of M in row-major order, named as the
    /// single-process reader names it.
    private static func requireFinite(_ m: DistributedMatrix, path: String, world: MPIWorld) throws {
        let n = m.rows
        var first = [m.firstNonFiniteLocal() ?? Int.max]
        try world.min(&first)
        if first[0] != Int.max {
            let i = first[0] / n, j = first[0] % n
            let owner = m.owner(row: i, column: j)
            var value = [world.rank == owner ? m.local[m.localIndex(row: i, column: j)] : 0]
            try world.broadcast(&value, from: owner)
            throw DistributedError(description: NpyError(path: path, message: "entry [\(i), \(j)] is \(value[0]); entries must be finite").description)
        }
    }

    /// A = (M + Mᵀ)/2 with pdtran, entry by entry as Matrix.symmetricPart: 0.5 · (m_ij + m_ji)
    /// (M itself when it is symmetric), and max|A_ij|, a term of f's scale in the accuracy
    /// contract (design.md §5).
    private static func symmetricPart(of m: DistributedMatrix, world: MPIWorld) throws -> (matrix: DistributedMatrix, largestEntry: Double) {
        var a = try m.transposed()
        var asymmetric = [0.0]
        for t in 0..<m.local.count where m.local[t] != a.local[t] { asymmetric[0] = 1; break }
        try world.max(&asymmetric)
        if asymmetric[0] == 0 {
            a = m
        } else {
            for t in 0..<m.local.count { a.local[t] = 0.5 * m.local[t] + 0.5 * a.local[t] }
        }
        var largestEntry = [a.local.reduce(0) { Swift.max($0, abs($1)) }]
        try world.max(&largestEntry)
        return (a, largestEntry[0])
    }

    /// The verification's products with A, before the decomposition overwrites A: for small n
    /// (`Verifier.fullExpansionLimit`) A gathered onto process 0 for the full comparison, above it
    /// `S·A` and `|S|·|A|` for the sample points and probes S, computed distributed.
    private static func verificationProducts(_ a: DistributedMatrix, points: Matrix, options: SynthesisOptions,
                                             root: ProcessGrid, world: MPIWorld) throws -> (Matrix?, (Matrix, Matrix)?) {
        let n = a.rows
        if n <= Verifier.fullExpansionLimit {
            return (try a.gatherColumns(0, count: n, root: root, world: world), nil)  // columns of symmetric A = rows
        }
        return (nil, try products(a, rows: Verifier.stack(points, Verifier.probes(dimension: n, seed: options.seed)), world: world))
    }

    /// The eigenpairs of A by ScaLAPACK (A is overwritten), the eigenvectors computed only for the
    /// eigenvalues `rule` keeps (the negative and the positive ones beyond its tolerance).
    private static func decompose(destroying a: inout DistributedMatrix, rule: @escaping ([Double]) -> Double,
                                  driver: EigenDriver, world: MPIWorld) throws -> DistributedEigen {
        let n = a.rows
        return try world.agree {
            try DistributedEigen(destroying: &a, driver: driver, world: world) { values in
                let tolerance = rule(values)
                let negatives = values.prefix { $0 < -tolerance }.count
                let positives = values.reversed().prefix { $0 > tolerance }.count
                return negatives + positives >= n ? [(0, n)] : [(0, negatives), (n - positives, positives)]
            }
        }
    }

    /// The kept eigenvectors gathered onto process 0 (the same split the core makes), then the
    /// synthesis there (nil on the other processes).
    private static func synthesize(_ eigen: DistributedEigen, rule: ([Double]) -> Double, constant: Double, linear: [Double],
                                   precision: InputPrecision, options: SynthesisOptions,
                                   root: ProcessGrid, world: MPIWorld) throws -> Synthesis.Core? {
        let n = linear.count
        let kept = Synthesis.Core.split(eigenvalues: eigen.eigenvalues, tolerance: rule(eigen.eigenvalues)).kept
        let keptRows = try eigen.rows(kept, root: root, world: world)
        return try world.agree {
            guard world.isRoot else { return nil }
            return try Synthesis.Core(dimension: n, constant: constant, linear: linear, eigenvalues: eigen.eigenvalues,
                                      precision: precision, options: options) { indices in
                precondition(indices == kept, "the kept eigenpairs differ from the ones gathered")
                return keptRows
            }
        }
    }

    /// The verification on process 0 (nil elsewhere): `Verifier`'s comparisons and tolerances, on
    /// the products with A computed distributed (or A gathered, for small n).
    private static func verify(_ core: Synthesis.Core?, eigenvalues: [Double], largestEntry: Double,
                               gatheredA: Matrix?, products: (Matrix, Matrix)?, points: Matrix, farRadius far: Double,
                               constant: Double, linear: [Double], precision: InputPrecision,
                               options: SynthesisOptions, world: MPIWorld) throws -> VerificationReport? {
        let n = linear.count
        return try world.agree {
            guard world.isRoot, let core else { return nil }
            let subject = VerificationSubject(dimension: n, constant: constant, linear: linear,
                                              spectralNorm: eigenvalues.reduce(0) { Swift.max($0, abs($1)) }, quadraticMaxEntry: largestEntry,
                                              droppedEigenvalueSum: core.droppedEigenvalueSum, unitRoundoff: Swift.max(Double.ulpOfOne, precision.epsilon),
                                              accuracy: Verifier.accuracy(for: precision, given: options.accuracy), options: options,
                                              symmetricMatrix: gatheredA, residual: core.residual, plain: core.plain,
                                              farSampleRadius: far)
            let verifier = Verifier(subject: subject)
            if let (p, absP) = products {
                return try verifier.run(reference: Verifier.Reference(synthesis: subject, points: points, products: p, absoluteProducts: absP))
            }
            return try verifier.run()
        }
    }

    /// The layout of the `.npy` file at `path` from its header (read on one process), checked
    /// against the file's size; the element limit is the distributed one (each process holds
    /// only its blocks).
    static func readLayout(_ path: String) throws -> Npy.Layout {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw errno == ENOENT ? FileError.notFound(path) : FileError.unreadable(path, String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError.unreadable(path, String(cString: strerror(errno))) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw FileError.isDirectory(path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw FileError.unreadable(path, "not a regular file") }
        var prefix = [UInt8](repeating: 0, count: 12)
        let got = pread(fd, &prefix, 12, 0)
        guard got >= 10 else { return try Npy.parseLayout(Data(prefix.prefix(Swift.max(got, 0))), path: path, fileSize: Int(info.st_size)) }
        let headerLength = prefix[6] == 1 ? Int(prefix[8]) | Int(prefix[9]) << 8
            : (0..<4).reduce(0) { $0 | Int(prefix[8 + $1]) << (8 * $1) }
        let wanted = Swift.min(Int(info.st_size), 12 + Swift.min(headerLength, 1 << 24))
        var bytes = [UInt8](repeating: 0, count: wanted)
        let read = pread(fd, &bytes, wanted, 0)
        return try Npy.parseLayout(Data(bytes.prefix(Swift.max(read, 0))), path: path, fileSize: Int(info.st_size),
                                   elementLimit: Int.max / 16)
    }

    /// `S·A` and `|S|·|A|` for the replicated rows S (sample points and probes) and the distributed
    /// symmetric A, on process 0: each process multiplies its block of A with the columns of S it
    /// needs (one CBLAS `dgemm` each) and the partial products are summed onto process 0.
    static func products(_ a: DistributedMatrix, rows s: Matrix, world: MPIWorld) throws -> (Matrix, Matrix) {
        let n = a.rows, count = s.rows
        let ml = a.localRows, nl = a.localColumns, lld = a.leading
        var sum = [Double](repeating: 0, count: count * n)
        var absoluteSum = [Double](repeating: 0, count: count * n)
        if ml > 0 && nl > 0 && count > 0 {
            // S restricted to this process's columns J, column-major nl × count, and |S|.
            var sj = [Double](repeating: 0, count: nl * count)
            for p in 0..<count { for j in 0..<nl { sj[p * nl + j] = s.entries[p * n + a.globalColumn(j)] } }
            let absSJ = sj.map { abs($0) }
            let absA = a.local.map { abs($0) }
            var y = [Double](repeating: 0, count: ml * count)
            var absY = [Double](repeating: 0, count: ml * count)
            // y = A_loc (ml × nl) · S_Jᵀ (nl × count): (A sᵀ)_i = (s A)_i for symmetric A.
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(ml), Int32(count), Int32(nl), 1,
                        a.local, Int32(lld), sj, Int32(nl), 0, &y, Int32(ml))
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(ml), Int32(count), Int32(nl), 1,
                        absA, Int32(lld), absSJ, Int32(nl), 0, &absY, Int32(ml))
            for p in 0..<count {
                for i in 0..<ml {
                    sum[p * n + a.globalRow(i)] += y[p * ml + i]
                    absoluteSum[p * n + a.globalRow(i)] += absY[p * ml + i]
                }
            }
        }
        try world.sum(&sum, to: 0)
        try world.sum(&absoluteSum, to: 0)
        return (Matrix(rows: count, columns: n, entries: sum), Matrix(rows: count, columns: n, entries: absoluteSum))
    }
}
