// Figures through gnuplot.
//
// Every figure is three files in one folder: NAME.dat (the numbers), NAME.gp (the gnuplot
// script, which reads NAME.dat and writes NAME.png) and NAME.png. Rendering pipes the script to
// gnuplot with the folder as working directory, so `cd Figures/01-forward-diffusion && gnuplot
// NAME.gp` redraws the same image by hand. Each file is written to a temporary name and renamed.
// Without gnuplot, one message says so and the data and scripts are still written.

import Foundation
import ImageIO
import TensorCore

/// One line or point series of a plot.
public struct Series {
    public var title: String
    public var x: [Double]
    public var y: [Double]
    /// How gnuplot draws it (the words after `with`, e.g. "points pt 7 ps 0.3 lc rgb 'gray70'");
    /// nil: the figure kind's default.
    public var with: String?
    public init(_ title: String, x: [Double], y: [Double], with: String? = nil) {
        precondition(x.count == y.count, "Series '\(title)': \(x.count) x values but \(y.count) y values")
        self.title = title
        self.x = x
        self.y = y
        self.with = with
    }
    public init<S: BinaryFloatingPoint>(_ title: String, y: [S]) {
        self.init(title, x: y.indices.map(Double.init), y: y.map { Double($0) })
    }
}

/// Axis labels, title, log scales and size shared by every kind of figure.
public struct PlotStyle {
    public var title = ""
    public var xlabel = ""
    public var ylabel = ""
    public var logX = false
    public var logY = false
    public var width = 800
    public var height = 500
    /// Extra gnuplot commands placed before the plot command (e.g. "set key top left").
    public var extra: [String] = []
    public init(
        title: String = "", xlabel: String = "", ylabel: String = "", logX: Bool = false, logY: Bool = false,
        width: Int = 800, height: Int = 500, extra: [String] = []
    ) {
        self.title = title
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.logX = logX
        self.logY = logY
        self.width = width
        self.height = height
        self.extra = extra
    }
}

/// Writes figures into one folder (e.g. Figures/01-forward-diffusion).
public struct FigureWriter {
    public let directory: String
    /// When false, only .dat and .gp are written (tests of the scripts themselves).
    public var render: Bool

    public init(directory: String, render: Bool = true) {
        self.directory = directory
        self.render = render
    }

    // MARK: - Kinds of figure

    /// Line plot of several series (`points` draws markers too).
    @discardableResult
    public func lines(_ name: String, _ series: [Series], style: PlotStyle = PlotStyle(), points: Bool = false) throws
        -> String
    {
        var dat = ""
        for (i, s) in series.enumerated() {
            if i > 0 { dat += "\n\n" }
            dat += "# \(s.title)\n"
            for (x, y) in zip(s.x, s.y) { dat += "\(num(x)) \(num(y))\n" }
        }
        let with = points ? "linespoints pt 7 ps 0.5 lw 2" : "lines lw 2"
        let plots = series.indices.map {
            "'\(name).dat' index \($0) using 1:2 with \(series[$0].with ?? with) title \(quoted(series[$0].title))"
        }
        return try emit(name, dat, header(name, style) + "plot " + plots.joined(separator: ", \\\n     ") + "\n")
    }

    /// Scatter plot: each series as points.
    @discardableResult
    public func scatter(_ name: String, _ series: [Series], style: PlotStyle = PlotStyle(), pointSize: Double = 0.4)
        throws -> String
    {
        var dat = ""
        for (i, s) in series.enumerated() {
            if i > 0 { dat += "\n\n" }
            dat += "# \(s.title)\n"
            for (x, y) in zip(s.x, s.y) { dat += "\(num(x)) \(num(y))\n" }
        }
        let plots = series.indices.map {
            "'\(name).dat' index \($0) using 1:2 with \(series[$0].with ?? "points pt 7 ps \(pointSize)") title "
                + "\(quoted(series[$0].title))"
        }
        return try emit(name, dat, header(name, style) + "plot " + plots.joined(separator: ", \\\n     ") + "\n")
    }

    /// Scatter plots side by side on shared axes (a multiplot): one panel per entry, each with its
    /// own title and series. `style` sets the size and the axes of every panel (its title is the
    /// figure's, over all panels).
    @discardableResult
    public func scatterPanels(
        _ name: String, _ panels: [(title: String, series: [Series])], columns: Int,
        style: PlotStyle = PlotStyle(), pointSize: Double = 0.4
    ) throws -> String {
        var dat = ""
        var index = 0
        // The shared header without the figure's title, which goes over the multiplot instead.
        var panelStyle = style
        panelStyle.title = ""
        var script = header(name, panelStyle, defaults: ["set key top left inside"])
        let rows = (panels.count + columns - 1) / columns
        script +=
            "set multiplot layout \(rows),\(columns)"
            + (style.title.isEmpty ? "" : " title \(quoted(style.title)) font 'sans,12'") + "\n"
        for panel in panels {
            script += "set title \(quoted(panel.title))\n"
            var plots: [String] = []
            for s in panel.series {
                if index > 0 { dat += "\n\n" }
                dat += "# \(panel.title): \(s.title)\n"
                for (x, y) in zip(s.x, s.y) { dat += "\(num(x)) \(num(y))\n" }
                plots.append(
                    "'\(name).dat' index \(index) using 1:2 with \(s.with ?? "points pt 7 ps \(pointSize)") title "
                        + "\(quoted(s.title))"
                )
                index += 1
            }
            script += "plot " + plots.joined(separator: ", \\\n     ") + "\n"
        }
        script += "unset multiplot\n"
        return try emit(name, dat, script)
    }

    /// Histogram of one or more samples over shared bins, drawn as steps (a density: area 1 each).
    @discardableResult
    public func histogram(
        _ name: String, _ samples: [(title: String, values: [Double])], bins: Int = 50,
        range: ClosedRange<Double>? = nil, style: PlotStyle = PlotStyle()
    ) throws -> String {
        let all = samples.flatMap(\.values)
        let lo = range?.lowerBound ?? (all.min() ?? 0)
        let hi = range?.upperBound ?? (all.max() ?? 1)
        let width = (hi - lo) / Double(bins)
        var dat =
            "# bin_center" + samples.map { " \($0.title.replacingOccurrences(of: " ", with: "_"))" }.joined() + "\n"
        var counts = [[Double]](repeating: [Double](repeating: 0, count: bins), count: samples.count)
        for (s, sample) in samples.enumerated() {
            for v in sample.values where v >= lo && v <= hi && width > 0 {
                counts[s][min(bins - 1, Int((v - lo) / width))] += 1
            }
            let total = Double(max(1, sample.values.count)) * width
            for b in 0..<bins { counts[s][b] /= total }
        }
        for b in 0..<bins {
            dat += num(lo + (Double(b) + 0.5) * width) + counts.map { " " + num($0[b]) }.joined() + "\n"
        }
        let plots = samples.indices.map {
            "'\(name).dat' using 1:\($0 + 2) with histeps lw 2 title \(quoted(samples[$0].title))"
        }
        return try emit(name, dat, header(name, style) + "plot " + plots.joined(separator: ", \\\n     ") + "\n")
    }

    /// Bar chart: one bar per label for each series (clustered), labels along x.
    @discardableResult
    public func bars(
        _ name: String, labels: [String], series: [(title: String, values: [Double])], style: PlotStyle = PlotStyle()
    ) throws -> String {
        var dat = "# label" + series.map { " " + $0.title.replacingOccurrences(of: " ", with: "_") }.joined() + "\n"
        for (i, l) in labels.enumerated() {
            dat += quoted(l) + series.map { " " + num($0.values[i]) }.joined() + "\n"
        }
        // The bar defaults come before the style's own commands, so that `extra` can override them.
        var script = header(
            name, style,
            defaults: [
                "set style data histograms", "set style histogram clustered gap 1",
                "set style fill solid 0.8 border -1", "set xtics rotate by -40 scale 0",
                "set boxwidth 0.9", "set key top right inside",
            ])
        let plots = series.indices.map { "'\(name).dat' using \($0 + 2):xtic(1) title \(quoted(series[$0].title))" }
        script += "plot " + plots.joined(separator: ", \\\n     ") + "\n"
        return try emit(name, dat, script)
    }

    /// One bar of `groupedBars`: a value (a mean, say), optionally the range it summarises (drawn as a
    /// whisker: the smallest and largest of the values averaged) and a reference value drawn as a mark
    /// on the bar (the paper's figure, say).
    public struct Bar {
        public var value: Double
        public var range: ClosedRange<Double>?
        public var mark: Double?
        public init(_ value: Double, range: ClosedRange<Double>? = nil, mark: Double? = nil) {
            self.value = value
            self.range = range
            self.mark = mark
        }
    }

    /// Bars in groups (a group per label, a bar per series), each with its range as a whisker and its
    /// mark as a black diamond; `references` are horizontal dashed lines across the plot (a base
    /// model's value, a target). A table a reader must compare, drawn.
    @discardableResult
    public func groupedBars(
        _ name: String, labels: [String], series: [(title: String, bars: [Bar])], markTitle: String = "",
        references: [(title: String, value: Double)] = [], style: PlotStyle = PlotStyle()
    ) throws -> String {
        let width = 0.8 / Double(max(series.count, 1))
        var dat =
            "# x value low high mark label (one block per series: " + series.map(\.title).joined(separator: "; ")
            + ")\n"
        for (j, (_, bars)) in series.enumerated() {
            for (i, bar) in bars.enumerated() {
                let x = Double(i) + (Double(j) - Double(series.count - 1) / 2) * width
                let low = bar.range?.lowerBound ?? .nan
                let high = bar.range?.upperBound ?? .nan
                dat +=
                    "\(num(x)) \(num(bar.value)) \(num(low)) \(num(high)) \(num(bar.mark ?? .nan)) "
                    + "\(quoted(labels[i]))\n"
            }
            dat += "\n\n"
        }
        let tics = labels.enumerated().map { "\(quoted($0.element)) \($0.offset)" }.joined(separator: ", ")
        var script = header(
            name, style,
            defaults: [
                "set style fill solid 0.8 border -1", "set boxwidth \(num(width * 0.95))",
                "set xtics (\(tics)) scale 0",
                "set xrange [-0.6:\(num(Double(labels.count) - 0.4))]", "set key below",
                "set datafile missing 'NaN'",
            ])
        var plots = series.indices.map { j in
            "'\(name).dat' index \(j) using 1:2 with boxes title \(quoted(series[j].title))"
        }
        if series.contains(where: { $0.bars.contains { $0.range != nil } }) {
            plots += series.indices.map { j in
                "'\(name).dat' index \(j) using 1:2:3:4 with yerrorbars pt 7 ps 0.4 lc rgb 'black' notitle"
            }
        }
        // The marks' key entry goes with the first series that has marks (gnuplot leaves out a plot
        // with no points from the key).
        if let firstMarked = series.firstIndex(where: { $0.bars.contains { $0.mark != nil } }) {
            plots += series.indices.map { j in
                "'\(name).dat' index \(j) using 1:5 with points pt 13 ps 1.6 lc rgb 'black' "
                    + (j == firstMarked && !markTitle.isEmpty ? "title \(quoted(markTitle))" : "notitle")
            }
        }
        plots += references.enumerated().map { k, r in
            "\(num(r.value)) with lines dt \(k + 2) lw 1.5 lc rgb 'gray30' title \(quoted(r.title))"
        }
        script += "plot " + plots.joined(separator: ", \\\n     ") + "\n"
        return try emit(name, dat, script)
    }

    /// Heat map of a matrix (row 0 at the top), with optional row and column labels.
    @discardableResult
    public func heatmap(
        _ name: String, _ matrix: [[Double]], style: PlotStyle = PlotStyle(),
        rowLabels: [String] = [], columnLabels: [String] = []
    ) throws -> String {
        var dat = ""
        for (r, row) in matrix.enumerated() {
            for (c, v) in row.enumerated() { dat += "\(c) \(r) \(num(v))\n" }
            dat += "\n"
        }
        var script = header(name, style)
        // The frame ends where the cells end (row 0 at the top), unless the style says otherwise.
        let rows = matrix.count
        let columns = matrix.first?.count ?? 0
        if !style.extra.contains(where: { $0.hasPrefix("set xrange") }) {
            script += "set xrange [-0.5:\(Double(columns) - 0.5)]\n"
        }
        if !style.extra.contains(where: { $0.hasPrefix("set yrange") }) {
            script += "set yrange [\(Double(rows) - 0.5):-0.5]\n"
        }
        script += "set palette rgbformulae 33,13,10\n"
        if !rowLabels.isEmpty {
            script +=
                "set ytics (" + rowLabels.enumerated().map { "\(quoted($1)) \($0)" }.joined(separator: ", ") + ")\n"
        }
        if !columnLabels.isEmpty {
            script +=
                "set xtics rotate by -45 ("
                + columnLabels.enumerated().map { "\(quoted($1)) \($0)" }.joined(separator: ", ") + ")\n"
        }
        script += "plot '\(name).dat' using 1:2:3 with image notitle\n"
        return try emit(name, dat, script)
    }

    /// Tokenized texts, one row each: the text above, then each token as a box (a whole word, one token
    /// ending in "</w>", in one color; the pieces of a word split in several in another; special tokens
    /// in grey) with its id below.
    @discardableResult
    public func tokenStrips(
        _ name: String, rows: [(text: String, tokens: [String], ids: [Int])], title: String = "", width: Int = 1200
    ) throws -> String {
        let unit = 1.0  // one character's width in x units
        var dat = "# row token_index x_left x_right id token\n"
        var script = ""
        var objects = 0
        var maxX = 0.0
        for (r, row) in rows.enumerated() {
            let y = -Double(r) * 3  // text at y + 1, boxes at y, ids at y − 0.8
            script += "set label \(quoted("\"" + row.text + "\"")) at 0,\(num(y + 1.1)) left font 'sans,10'\n"
            var x = 0.0
            var startsWord = true  // whether the next token begins a word
            for (k, (token, id)) in zip(row.tokens, row.ids).enumerated() {
                let w = Double(max(token.count, String(id).count)) * unit * 0.75 + 1
                let special = token.hasPrefix("<|")
                let whole = startsWord && token.hasSuffix("</w>")
                let kind = special ? "'#d0d0d0'" : whole ? "'#a8d8a8'" : "'#f4c27a'"
                startsWord = special || token.hasSuffix("</w>")
                objects += 1
                script +=
                    "set object \(objects) rect from \(num(x)),\(num(y - 0.45)) to \(num(x + w)),\(num(y + 0.45)) "
                    + "fc rgb \(kind) fs solid 1 border lc rgb 'gray40'\n"
                script += "set label \(quoted(token)) at \(num(x + w / 2)),\(num(y)) center font 'DejaVu Sans Mono,9'\n"
                script += "set label \(quoted(String(id))) at \(num(x + w / 2)),\(num(y - 0.85)) center font 'sans,8' "
                script += "tc rgb 'gray30'\n"
                dat += "\(r) \(k) \(num(x)) \(num(x + w)) \(id) \(quoted(token))\n"
                x += w + 0.3
            }
            maxX = max(maxX, x)
        }
        let height = 60 + 75 * rows.count
        var header = self.header(
            name, PlotStyle(title: title, width: width, height: height),
            defaults: [
                "unset grid", "unset key", "unset border", "unset xtics", "unset ytics",
                "set xrange [-0.5:\(num(maxX + 0.5))]", "set yrange [\(num(-Double(rows.count) * 3 + 1.5)):2]",
                "set lmargin 2; set rmargin 2; set bmargin 1",
            ])
        header += script
        header += "plot NaN notitle\n"
        return try emit(name, dat, header)
    }

    /// A grid of RGB images (each (3, h, w) in [0, 1]) with a title over each (wrapped to the cell's
    /// width, about 6 pixels a character at 9 points), drawn by gnuplot
    /// `with rgbimage` in a multiplot.
    @discardableResult
    public func imageGrid(
        _ name: String, _ images: [Tensor], titles: [String], columns: Int,
        title: String = "", cellSize: Int = 160
    ) throws -> String {
        precondition(titles.count == images.count, "imageGrid: \(images.count) images but \(titles.count) titles")
        let rows = (images.count + columns - 1) / columns
        var dat = ""
        for (i, im) in images.enumerated() {
            if i > 0 { dat += "\n\n" }
            let h = im.shape[1]
            let w = im.shape[2]
            let plane = h * w
            for y in 0..<h {
                for x in 0..<w {
                    let p = y * w + x
                    dat +=
                        "\(x) \(y) \(PNG.quantize8(im.scalars[p])) \(PNG.quantize8(im.scalars[plane + p])) "
                        + "\(PNG.quantize8(im.scalars[2 * plane + p]))\n"
                }
            }
        }
        // The figure's title is wrapped to the grid's width (about 9 pixels a character at 12 points).
        let titleLines = title.isEmpty ? [] : wrapped(title, width: columns * cellSize / 9)
        let top = 30 * titleLines.count
        var script =
            "set terminal pngcairo size \(columns * cellSize),\(rows * cellSize + top) font 'sans,9' noenhanced\n"
        script += "set output '\(name).png'\n"
        script += "unset key; unset tics; unset border; set size ratio -1\n"
        script +=
            "set multiplot layout \(rows),\(columns)"
            + (title.isEmpty ? "" : " title \(quotedLines(titleLines)) font 'sans,12'") + "\n"
        // Every tile gets as many caption lines as the longest caption (a blank line for none), so
        // that all tiles are drawn the same size.
        let captions = titles.map { $0.isEmpty ? [] : wrapped($0, width: cellSize / 6) }
        let captionLines = captions.map(\.count).max() ?? 0
        for (i, im) in images.enumerated() {
            let h = im.shape[1]
            let w = im.shape[2]
            let caption = captions[i] + [String](repeating: " ", count: captionLines - captions[i].count)
            script += "set title \(quotedLines(caption.isEmpty ? [""] : caption))\n"
            script += "set xrange [-0.5:\(w) - 0.5]; set yrange [\(h) - 0.5:-0.5]\n"
            script += "plot '\(name).dat' index \(i) using 1:2:3:4:5 with rgbimage\n"
        }
        script += "unset multiplot\n"
        return try emit(name, dat, script)
    }

    /// Lines of text set in a monospaced font (a table or a worked example): the .dat holds the
    /// lines, the script places each one.
    @discardableResult
    /// Markdown table rows among the lines ("| a | b |") are set as aligned columns, and their
    /// "|---|" separator rows left out.
    /// Without a `width`, the image is as wide as the longest line (about 8 pixels a character) or the title.
    public func textTable(_ name: String, lines rawLines: [String], title: String = "", width: Int? = nil) throws
        -> String
    {
        let lines = alignedMarkdownTables(rawLines)
        let width = width ?? max(400, 8 * (lines.map(\.count).max() ?? 0) + 40, 9 * title.count + 40)
        let rowHeight = 18
        let top = title.isEmpty ? 10 : 40
        var script =
            "set terminal pngcairo size \(width),\(top + rowHeight * lines.count + 16) font 'sans,10' noenhanced\n"
        script += "set output '\(name).png'\n"
        if !title.isEmpty { script += "set title \(quoted(title)) font 'sans,12'\n" }
        script += "unset border; unset tics; unset key\nset xrange [0:1]; set yrange [\(lines.count):0]\n"
        script += "set lmargin 1; set rmargin 1; set bmargin 1; set tmargin \(title.isEmpty ? 1 : 3)\n"
        for (i, line) in lines.enumerated() {
            script +=
                "set label \(i + 1) \(quoted(line)) at graph 0.01, first \(Double(i) + 0.5) font 'DejaVu Sans "
                + "Mono,10'\n"
        }
        script += "plot NaN notitle\n"
        return try emit(name, lines.joined(separator: "\n") + "\n", script)
    }

    // MARK: - Files and rendering

    /// The terminal, output, title, labels and log scales; then `defaults` (a kind of figure's own
    /// settings), then the style's `extra` commands, which therefore win.
    func header(_ name: String, _ s: PlotStyle, defaults: [String] = []) -> String {
        var h = "set terminal pngcairo size \(s.width),\(s.height) font 'sans,10' noenhanced\n"
        h += "set output '\(name).png'\n"
        if !s.title.isEmpty { h += "set title \(quoted(s.title))\n" }
        if !s.xlabel.isEmpty { h += "set xlabel \(quoted(s.xlabel))\n" }
        if !s.ylabel.isEmpty { h += "set ylabel \(quoted(s.ylabel))\n" }
        if s.logX { h += "set logscale x\n" }
        if s.logY { h += "set logscale y\n" }
        h += "set grid\nset key outside right\n"
        for line in defaults + s.extra { h += line + "\n" }
        return h
    }

    /// Writes NAME.dat and NAME.gp, renders NAME.png; returns the PNG's path.
    func emit(_ name: String, _ dat: String, _ script: String) throws -> String {
        let base = (directory as NSString).appendingPathComponent(name)
        try writeAtomically(Data(("# data of \(name).png; drawn by \(name).gp\n" + dat).utf8), to: base + ".dat")
        let gp = "# \(name).gp — redraw with: gnuplot \(name).gp (in this folder)\n" + script
        try writeAtomically(Data(gp.utf8), to: base + ".gp")
        if render { try Gnuplot.render(script: gp, name: name, in: directory) }
        return base + ".png"
    }
}

/// Errors from rendering a figure.
public struct PlottingError: Error, CustomStringConvertible {
    public let file: String
    public let message: String
    public var description: String { "\(file): \(message)" }
}

public enum Gnuplot {
    nonisolated(unsafe) private static var warned = false

    /// The gnuplot executable on PATH, if any.
    public static var executable: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/gnuplot"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Pipes `script` to gnuplot in `directory`, writing NAME.png through a temporary name.
    static func render(script: String, name: String, in directory: String) throws {
        guard let exe = executable else {
            if !warned {
                warned = true
                FileHandle.standardError.write(
                    Data(
                        ("note: gnuplot not found; figures' .dat and .gp files are written but not drawn. "
                            + "Install it with `make deps` (Debian: gnuplot-nox), then run `gnuplot NAME.gp` "
                            + "in the figure folder.\n").utf8))
            }
            return
        }
        let tmp = ".\(name).png.\(ProcessInfo.processInfo.processIdentifier).tmp"
        let piped = script.replacingOccurrences(of: "set output '\(name).png'", with: "set output '\(tmp)'")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        let stdin = Pipe()
        let stderr = Pipe()
        p.standardInput = stdin
        p.standardError = stderr
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        stdin.fileHandleForWriting.write(Data(piped.utf8))
        try stdin.fileHandleForWriting.close()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let dir = directory as NSString
        guard p.terminationStatus == 0 else {
            try? FileManager.default.removeItem(atPath: dir.appendingPathComponent(tmp))
            throw PlottingError(
                file: dir.appendingPathComponent(name + ".gp"),
                message: "gnuplot failed: " + String(decoding: errors, as: UTF8.self))
        }
        if rename(dir.appendingPathComponent(tmp), dir.appendingPathComponent(name + ".png")) != 0 {
            throw PlottingError(
                file: dir.appendingPathComponent(name + ".png"),
                message: "could not rename the rendered image into place")
        }
    }
}

func num(_ v: Double) -> String {
    if v.isNaN { return "NaN" }
    if v.isInfinite { return v > 0 ? "Inf" : "-Inf" }
    return String(format: "%.7g", v)
}

/// Runs of markdown table rows ("| a | b |") padded to aligned columns, separator rows dropped;
/// other lines are kept as they are.
func alignedMarkdownTables(_ lines: [String]) -> [String] {
    func cells(_ line: String) -> [String]? {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard t.hasPrefix("|") && t.hasSuffix("|") && t.count >= 2 else { return nil }
        return t.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }
    func isSeparator(_ row: [String]) -> Bool { row.allSatisfy { !$0.isEmpty && $0.allSatisfy { "-:".contains($0) } } }
    var out: [String] = []
    var table: [[String]] = []
    func flush() {
        guard !table.isEmpty else { return }
        let columns = table.map(\.count).max()!
        let widths = (0..<columns).map { c in table.map { c < $0.count ? $0[c].count : 0 }.max()! }
        for row in table {
            out.append(
                (0..<columns).map { c in
                    (c < row.count ? row[c] : "").padding(toLength: widths[c], withPad: " ", startingAt: 0)
                }
                .joined(separator: "   ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        }
        table = []
    }
    for line in lines {
        if let row = cells(line) {
            if !isSeparator(row) { table.append(row) }
        } else {
            flush()
            out.append(line)
        }
    }
    flush()
    return out
}

/// Words of `text` on lines of at most `width` characters (a longer word gets a line of its own).
func wrapped(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
        if let last = lines.last, last.count + 1 + word.count <= width {
            lines[lines.count - 1] = last + " " + word
        } else {
            lines.append(word)
        }
    }
    return lines.isEmpty ? [""] : lines
}

/// Lines as one gnuplot double-quoted string, broken by gnuplot's own \n.
func quotedLines(_ lines: [String]) -> String {
    quoted(lines.joined(separator: "\u{1}")).replacingOccurrences(of: "\u{1}", with: "\\n")
}

func quoted(_ s: String) -> String {
    "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
