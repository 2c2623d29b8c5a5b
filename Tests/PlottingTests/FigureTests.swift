import Foundation
import ImageIO
import Plotting
import TensorCore
import TestSupport
import XCTest

final class FigureTests: XCTestCase {
    func testEveryKindWritesDataScriptAndImage() throws {
        let dir = temporaryDirectory("fig")
        let fig = FigureWriter(directory: dir)
        let x = (0..<50).map { Double($0) }
        try fig.lines(
            "lines",
            [Series("sin", x: x, y: x.map { sin($0 / 5) }), Series("cos", x: x, y: x.map { cos($0 / 5) + 2 })],
            style: PlotStyle(title: "two series", xlabel: "t", ylabel: "value", logX: false, logY: true))
        try fig.scatter("scatter", [Series("pts", x: x, y: x.map { $0 * $0 })])
        try fig.histogram("hist", [("a", x), ("b", x.map { $0 / 2 })], bins: 10)
        try fig.heatmap("heat", [[1, 2, 3], [4, 5, 6]], rowLabels: ["r0", "r1"], columnLabels: ["a", "b", "c"])
        var rng = RNG(seed: 1)
        try fig.imageGrid(
            "grid", [rng.uniform([3, 8, 8]), rng.uniform([3, 8, 8])], titles: ["one", "two"], columns: 2,
            title: "images")
        try fig.scatterPanels(
            "panels",
            [
                ("left", [Series("a", x: x, y: x)]),
                ("right", [Series("b", x: x, y: x.map { -$0 }, with: "lines lw 2")]),
            ], columns: 2)
        try fig.textTable("table", lines: ["| name | value |", "|---|---|", "| one | 1 |"], title: "a table")
        for name in ["lines", "scatter", "hist", "heat", "grid", "panels", "table"] {
            for ext in ["dat", "gp"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/\(name).\(ext)"), "\(name).\(ext)")
            }
            if Gnuplot.executable != nil {
                let image = try PNG.read("\(dir)/\(name).png")
                // height × width: a real image, not an empty one
                XCTAssertGreaterThan(image.shape[1] * image.shape[2], 100 * 100, name)
            }
        }
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir).contains { $0.hasSuffix(".tmp") })
    }

    func testScriptRedrawsTheSameImageByHand() throws {
        guard let gnuplot = Gnuplot.executable else { throw XCTSkip("gnuplot is not installed") }
        let dir = temporaryDirectory("redraw")
        try FigureWriter(directory: dir).lines("curve", [Series("y", y: [1.0, 3, 2, 5])])
        let first = try Data(contentsOf: URL(fileURLWithPath: dir + "/curve.png"))
        try FileManager.default.removeItem(atPath: dir + "/curve.png")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: gnuplot)
        p.arguments = ["curve.gp"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: dir + "/curve.png")), first,
            "gnuplot curve.gp must redraw the same bytes")
    }

    func testWithoutRenderingDataAndScriptStillWritten() throws {
        let dir = temporaryDirectory("norender")
        try FigureWriter(directory: dir, render: false).lines("x", [Series("y", y: [1.0, 2])])
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/x.gp"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.png"))
        let script = try String(contentsOfFile: dir + "/x.gp", encoding: .utf8)
        XCTAssertTrue(script.contains("set output 'x.png'") && script.contains("'x.dat'"))
    }

    func testBarsLetTheStyleOverrideTheirKey() throws {
        let dir = temporaryDirectory("bars")
        try FigureWriter(directory: dir, render: false).bars(
            "b", labels: ["x", "y"], series: [("s", [1, 2])], style: PlotStyle(extra: ["set key below"]))
        let script = try String(contentsOfFile: dir + "/b.gp", encoding: .utf8)
        let byDefault = script.range(of: "set key top right inside")!
        let asked = script.range(of: "set key below")!
        XCTAssertLessThan(byDefault.lowerBound, asked.lowerBound, "the style's key comes last, so gnuplot uses it")
    }

    func testGroupedBarsPlaceEachSeriesBesideTheOthersWithRangesAndMarks() throws {
        let dir = temporaryDirectory("grouped")
        try FigureWriter(directory: dir, render: false).groupedBars(
            "g", labels: ["DINO", "PRES"],
            series: [
                ("ours", [FigureWriter.Bar(0.8, range: 0.7...0.9, mark: 0.6), FigureWriter.Bar(0.2)]),
                ("base", [FigureWriter.Bar(.nan), FigureWriter.Bar(0.5, mark: 0.4)]),
            ], markTitle: "paper", references: [("target", 0.85)])
        let rows = try String(contentsOfFile: dir + "/g.dat", encoding: .utf8).split(separator: "\n").filter {
            !$0.hasPrefix("#")
        }
        // Two series, bars 0.4 apart: at −0.2 and +0.2 around each label's x; a missing range or mark is NaN.
        XCTAssertEqual(
            rows,
            [
                "-0.2 0.8 0.7 0.9 0.6 \"DINO\"", "0.8 0.2 NaN NaN NaN \"PRES\"", "0.2 NaN NaN NaN NaN \"DINO\"",
                "1.2 0.5 NaN NaN 0.4 \"PRES\"",
            ].map { Substring($0) })
        let script = try String(contentsOfFile: dir + "/g.gp", encoding: .utf8)
        XCTAssertTrue(script.contains("index 0 using 1:5 with points pt 13 ps 1.6 lc rgb 'black' title \"paper\""))
        XCTAssertTrue(script.contains("index 1 using 1:2:3:4 with yerrorbars"))
        XCTAssertTrue(script.contains("0.85 with lines dt 2 lw 1.5 lc rgb 'gray30' title \"target\""))
    }

    func testTokenStripsColorWholeWordsPiecesAndSpecialTokensApart() throws {
        let dir = temporaryDirectory("tokens")
        try FigureWriter(directory: dir, render: false).tokenStrips(
            "t",
            rows: [
                ("a xqzt", ["<|startoftext|>", "a</w>", "x", "qzt</w>", "<|endoftext|>"], [8190, 320, 87, 9, 8191])
            ])
        let boxes = try String(contentsOfFile: dir + "/t.gp", encoding: .utf8).split(separator: "\n").filter {
            $0.hasPrefix("set object")
        }
        // "qzt</w>" ends a word but is a piece of "xqzt": orange, as "x" is; "a</w>" is a whole word.
        XCTAssertEqual(
            boxes.map { $0.contains("#d0d0d0") ? "special" : $0.contains("#a8d8a8") ? "word" : "piece" },
            ["special", "word", "piece", "piece", "special"])
    }

    func testGridCaptionsWrapAndEveryTileGetsTheSameLines() throws {
        let dir = temporaryDirectory("captions")
        var rng = RNG(seed: 2)
        let long = "a painting of a blue checkered tree on grass"  // 44 characters: two lines in a 160-pixel cell
        try FigureWriter(directory: dir, render: false).imageGrid(
            "g", [rng.uniform([3, 4, 4]), rng.uniform([3, 4, 4])],
            titles: [long, ""], columns: 2, cellSize: 160)
        let titles = try String(contentsOfFile: dir + "/g.gp", encoding: .utf8).split(separator: "\n").filter {
            $0.hasPrefix("set title")
        }
        XCTAssertEqual(titles, ["set title \"a painting of a blue\\ncheckered tree on grass\"", "set title \" \\n \""])
    }

    func testMarkdownTablesAreSetAsAlignedColumns() throws {
        let dir = temporaryDirectory("tables")
        try FigureWriter(directory: dir, render: false).textTable(
            "t", lines: ["| run | PRES |", "|---|---|", "| without prior | 0.962 |", "note"])
        let data = try String(contentsOfFile: dir + "/t.dat", encoding: .utf8).split(separator: "\n").dropFirst().map(
            String.init)
        XCTAssertEqual(data, ["run             PRES", "without prior   0.962", "note"])
    }
}
