import QuadFormCore
import Foundation

/// A small scatter/line chart written as SVG text, for the plots of `quadform experiment`
/// (training losses per architecture, Taylor errors against δ) and `quadform spectrum` (sorted |λ|
/// against the rank tolerance). Axes may be logarithmic (base 10).
public struct SVGChart: Sendable {
    /// The shape of a series' markers.
    public enum Marker: Sendable {
        /// A circle of radius 3 (filled or hollow).
        case circle
        /// A filled triangle standing on the point (for values drawn at an edge, such as zeros on a log axis).
        case triangle
    }

    /// One data series: points, drawn as markers, optionally joined by a line.
    public struct Series: Sendable {
        /// Legend entry.
        public var name: String
        /// The points (x, y); points that cannot be drawn (non-finite, or ≤ 0 on a log axis) are skipped.
        public var points: [(x: Double, y: Double)]
        /// CSS colour.
        public var color: String
        /// Whether consecutive points are joined.
        public var joined: Bool
        /// Whether the points are drawn as hollow circles (otherwise filled).
        public var hollow: Bool
        /// Whether the joining line is dashed.
        public var dashed: Bool
        /// The markers' shape.
        public var marker: Marker
        /// A CSS class on every marker (so readers and tests can find the points), or nil.
        public var cssClass: String?
        /// Tooltips, one per point in the order of `points` (empty: none).
        public var tips: [String]

        /// A series.
        public init(name: String, points: [(x: Double, y: Double)], color: String, joined: Bool, hollow: Bool = false, dashed: Bool = false,
                    marker: Marker = .circle, cssClass: String? = nil, tips: [String] = []) {
            self.name = name
            self.points = points
            self.color = color
            self.joined = joined
            self.hollow = hollow
            self.dashed = dashed
            self.marker = marker
            self.cssClass = cssClass
            self.tips = tips
        }
    }

    /// A dashed reference line (for example a tolerance): horizontal at a y value, or vertical at an x value.
    public struct ReferenceLine: Sendable {
        /// Its y value (its x value when `vertical`).
        public var y: Double
        /// Its label.
        public var label: String
        /// CSS colour of the line and its label.
        public var color: String
        /// A CSS class on the line, or nil.
        public var cssClass: String?
        /// Whether the line is vertical, at x = `y`.
        public var vertical: Bool
        /// A reference line at `y` (at x = `y` when `vertical`).
        public init(y: Double, label: String, color: String = "#555", cssClass: String? = nil, vertical: Bool = false) {
            self.y = y
            self.label = label
            self.color = color
            self.cssClass = cssClass
            self.vertical = vertical
        }
    }

    /// Title above the plot.
    public var title: String
    /// Label of the x axis.
    public var xLabel: String
    /// Label of the y axis.
    public var yLabel: String
    /// Whether the x axis is logarithmic.
    public var xLog: Bool
    /// Whether the y axis is logarithmic.
    public var yLog: Bool
    /// Text ticks on the x axis at the given positions (instead of numeric ticks), for categories.
    public var xCategories: [(x: Double, label: String)]
    /// The data.
    public var series: [Series]
    /// Horizontal reference lines.
    public var references: [ReferenceLine]

    /// A chart; fill in `series` and `references`.
    public init(title: String, xLabel: String, yLabel: String, xLog: Bool, yLog: Bool,
                xCategories: [(x: Double, label: String)] = [], series: [Series] = [], references: [ReferenceLine] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xLog = xLog
        self.yLog = yLog
        self.xCategories = xCategories
        self.series = series
        self.references = references
    }

    /// A palette of distinguishable colours, cycled by series index.
    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]

    /// The chart as a standalone SVG document.
    public var svg: String {
        let width = 760.0, height = 480.0
        let left = 80.0, right = 220.0, top = 40.0, bottom = 60.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom

        func transformX(_ x: Double) -> Double? { xLog ? (x > 0 && x.isFinite ? log10(x) : nil) : (x.isFinite ? x : nil) }
        func transformY(_ y: Double) -> Double? { yLog ? (y > 0 && y.isFinite ? log10(y) : nil) : (y.isFinite ? y : nil) }

        var xs: [Double] = xCategories.compactMap { transformX($0.x) }
        var ys: [Double] = references.filter { !$0.vertical }.compactMap { transformY($0.y) }
        for s in series {
            for p in s.points {
                if let x = transformX(p.x), let y = transformY(p.y) { xs.append(x); ys.append(y) }
            }
        }
        var (xMin, xMax) = (xs.min() ?? 0, xs.max() ?? 1)
        var (yMin, yMax) = (ys.min() ?? 0, ys.max() ?? 1)
        if xMax - xMin < 1e-12 { xMin -= 0.5; xMax += 0.5 }
        if yMax - yMin < 1e-12 { yMin -= 0.5; yMax += 0.5 }
        if !xCategories.isEmpty { xMin -= 0.5; xMax += 0.5 }
        let yPad = 0.05 * (yMax - yMin)
        yMin -= yPad
        yMax += yPad
        if xCategories.isEmpty {
            let xPad = 0.05 * (xMax - xMin)
            xMin -= xPad
            xMax += xPad
        }

        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotWidth }
        func py(_ y: Double) -> Double { top + (yMax - y) / (yMax - yMin) * plotHeight }
        func num(_ v: Double) -> String { String(format: "%.2f", v) }

        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(num(left + plotWidth / 2))" y="22" text-anchor="middle" font-size="15">\(SVGChart.escape(title))</text>
        <rect x="\(num(left))" y="\(num(top))" width="\(num(plotWidth))" height="\(num(plotHeight))" fill="none" stroke="#333"/>

        """
        // y ticks
        for (value, label) in ticks(min: yMin, max: yMax, log: yLog) {
            let y = py(value)
            out += "<line x1=\"\(num(left))\" y1=\"\(num(y))\" x2=\"\(num(left + plotWidth))\" y2=\"\(num(y))\" stroke=\"#ddd\"/>\n"
            out += "<text x=\"\(num(left - 6))\" y=\"\(num(y + 4))\" text-anchor=\"end\">\(SVGChart.escape(label))</text>\n"
        }
        // x ticks
        let xTicks = xCategories.isEmpty ? ticks(min: xMin, max: xMax, log: xLog)
            : xCategories.compactMap { c in transformX(c.x).map { ($0, c.label) } }
        for (value, label) in xTicks {
            let x = px(value)
            out += "<line x1=\"\(num(x))\" y1=\"\(num(top))\" x2=\"\(num(x))\" y2=\"\(num(top + plotHeight))\" stroke=\"#eee\"/>\n"
            out += "<text x=\"\(num(x))\" y=\"\(num(top + plotHeight + 18))\" text-anchor=\"middle\">\(SVGChart.escape(label))</text>\n"
        }
        out += "<text x=\"\(num(left + plotWidth / 2))\" y=\"\(num(height - 16))\" text-anchor=\"middle\">\(SVGChart.escape(xLabel))</text>\n"
        out += "<text x=\"18\" y=\"\(num(top + plotHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(num(top + plotHeight / 2)))\">\(SVGChart.escape(yLabel))</text>\n"
        for reference in references {
            let classAttribute = reference.cssClass.map { " class=\"\(SVGChart.escape($0))\"" } ?? ""
            if reference.vertical {
                guard let value = transformX(reference.y) else { continue }
                let x = px(value)
                out += "<line\(classAttribute) x1=\"\(num(x))\" y1=\"\(num(top))\" x2=\"\(num(x))\" y2=\"\(num(top + plotHeight))\" stroke=\"\(reference.color)\" stroke-dasharray=\"2 3\"/>\n"
                out += "<text x=\"\(num(x + 4))\" y=\"\(num(top + 14))\" fill=\"\(reference.color)\">\(SVGChart.escape(reference.label))</text>\n"
                continue
            }
            guard let value = transformY(reference.y) else { continue }
            let y = py(value)
            out += "<line\(classAttribute) x1=\"\(num(left))\" y1=\"\(num(y))\" x2=\"\(num(left + plotWidth))\" y2=\"\(num(y))\" stroke=\"\(reference.color)\" stroke-dasharray=\"6 4\"/>\n"
            out += "<text x=\"\(num(left + plotWidth - 4))\" y=\"\(num(y - 4))\" text-anchor=\"end\" fill=\"\(reference.color)\">\(SVGChart.escape(reference.label))</text>\n"
        }
        for (index, s) in series.enumerated() {
            let points = s.points.indices.compactMap { i -> (Double, Double, String?)? in
                guard let x = transformX(s.points[i].x), let y = transformY(s.points[i].y) else { return nil }
                return (px(x), py(y), i < s.tips.count ? s.tips[i] : nil)
            }
            if s.joined, points.count > 1 {
                let path = points.map { "\(num($0.0)),\(num($0.1))" }.joined(separator: " ")
                out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"1.5\"\(s.dashed ? " stroke-dasharray=\"5 3\"" : "")/>\n"
            }
            let classAttribute = s.cssClass.map { " class=\"\(SVGChart.escape($0))\"" } ?? ""
            for (x, y, tip) in points {
                let body = tip.map { "><title>\(SVGChart.escape($0))</title></" } ?? "/>"
                switch s.marker {
                case .circle:
                    out += "<circle\(classAttribute) cx=\"\(num(x))\" cy=\"\(num(y))\" r=\"3\" fill=\"\(s.hollow ? "none" : s.color)\" stroke=\"\(s.color)\"\(body)\(tip == nil ? "" : "circle>")\n"
                case .triangle:
                    out += "<path\(classAttribute) d=\"M \(num(x - 3)) \(num(y)) L \(num(x + 3)) \(num(y)) L \(num(x)) \(num(y - 6)) Z\" fill=\"\(s.color)\"\(body)\(tip == nil ? "" : "path>")\n"
                }
            }
            let legendY = top + 10 + Double(index) * 18
            let legendX = left + plotWidth + 14
            out += "<circle cx=\"\(num(legendX))\" cy=\"\(num(legendY))\" r=\"4\" fill=\"\(s.hollow ? "none" : s.color)\" stroke=\"\(s.color)\"/>\n"
            out += "<text x=\"\(num(legendX + 10))\" y=\"\(num(legendY + 4))\">\(SVGChart.escape(s.name))</text>\n"
        }
        out += "</svg>\n"
        return out
    }

    /// Tick positions (in transformed coordinates) with labels.
    func ticks(min: Double, max: Double, log: Bool) -> [(Double, String)] {
        if log {
            let low = Int(min.rounded(.up)), high = Int(max.rounded(.down))
            guard low <= high else { return [] }
            let step = Swift.max(1, (high - low + 7) / 8)
            return stride(from: low, through: high, by: step).map { (Double($0), "1e\($0)") }
        }
        let span = max - min
        let raw = span / 6
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var out: [(Double, String)] = []
        var value = (min / step).rounded(.up) * step
        while value <= max + 1e-9 * step {
            out.append((value, String(format: "%g", value)))
            value += step
        }
        return out
    }

    /// Escapes text for SVG.
    package static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
