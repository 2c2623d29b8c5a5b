// `book` — the chapters as a static HTML book (make book).
//
// One source of truth: each page is its chapter's own main.swift, read top to bottom. Top-level
// comment blocks become prose (a "// MARK: - N. Title" line a section heading, lines indented
// after the "//" a formula block, a blank "//" a paragraph break), the code between them code
// blocks, and each figure the code writes (figures.lines("name", …), options.path("x.png"))
// appears right after the code that makes it, from Figures/<chapter>/. Mentions of library files
// (Sources/…/X.swift) link to the file. Math is the comments' own Unicode, so nothing is fetched:
// the folder opens from the file system in any browser.

import ArgumentParser
import Foundation

struct BookTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "book", abstract: "Build the chapters as a static HTML book.")
    @Option(help: "Where the book goes (index.html, one page per chapter, figures/).") var out = "book"
    @Option(help: "The chapters' sources.") var chapters = "Chapters"
    @Option(help: "The chapters' figures (make figures writes them).") var figures = "Figures"

    func run() throws {
        let fm = FileManager.default
        let names = try fm.contentsOfDirectory(atPath: chapters).filter {
            $0.range(of: #"^[0-9]{2}[a-z]?-"#, options: .regularExpression) != nil
        }.sorted()
        guard !names.isEmpty else { throw ValidationError("\(chapters): no chapter folders (NN-name)") }
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        var entries: [(name: String, title: String, summary: String)] = []
        let pages = try names.map { name -> Page in
            let source = try String(contentsOfFile: "\(chapters)/\(name)/main.swift", encoding: .utf8)
            let page = Page(name: name, source: source)
            entries.append((name, page.title, page.builds))
            return page
        }
        var missing: [String] = []
        for (i, page) in pages.enumerated() {
            let figureDir = "\(out)/figures/\(page.name)"
            try fm.createDirectory(atPath: figureDir, withIntermediateDirectories: true)
            for f in page.figureFiles {
                let src = "\(figures)/\(page.name)/\(f)"
                guard fm.fileExists(atPath: src) else {
                    missing.append(src)
                    continue
                }
                try? fm.removeItem(atPath: "\(figureDir)/\(f)")
                try fm.copyItem(atPath: src, toPath: "\(figureDir)/\(f)")
            }
            let html = page.html(
                previous: i > 0 ? pages[i - 1] : nil, next: i + 1 < pages.count ? pages[i + 1] : nil,
                available: { fm.fileExists(atPath: "\(figureDir)/\($0)") })
            try Data(html.utf8).write(to: URL(fileURLWithPath: "\(out)/\(page.name).html"), options: .atomic)
        }
        var index = header("DreamBooth from first principles, in Swift")
        index +=
            "<h1>DreamBooth from first principles, in Swift</h1>\n<p class=\"lead\">A literate, runnable book: each "
            + "chapter is one Swift program that builds one piece of a text-to-image diffusion system, checks it, "
            + "and draws its figures. These pages are the programs themselves, read top to bottom, with the "
            + "figures they wrote.</p>\n<ol class=\"contents\">\n"
        for e in entries {
            index += "<li><a href=\"\(e.name).html\">\(escape(e.title))</a><br><span>\(escape(e.summary))</span></li>\n"
        }
        index +=
            "</ol>\n<p class=\"small\">Run a chapter: <code>make chapter N=01</code>. Regenerate every figure: "
            + "<code>make figures</code>. Rebuild this book: <code>make book</code>.</p>\n</body></html>\n"
        try Data(index.utf8).write(to: URL(fileURLWithPath: "\(out)/index.html"), options: .atomic)
        print("book: \(pages.count) chapters → \(out)/index.html")
        if !missing.isEmpty {
            FileHandle.standardError.write(
                Data(
                    ("book: \(missing.count) figures not found (run make figures): "
                        + "\(missing.prefix(5).joined(separator: ", "))\n").utf8))
            throw ExitCode(1)
        }
    }
}

func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
        of: ">", with: "&gt;")
}

/// Prose with `code` spans and links to the repository's files.
func prose(_ s: String) -> String {
    var t = escape(s)
    t = t.replacingOccurrences(of: #"`([^`]+)`"#, with: "<code>$1</code>", options: .regularExpression)
    t = t.replacingOccurrences(
        of: #"((?:Sources|Tests|Chapters|Tools|scripts|Checkpoints|Fuzz)/[A-Za-z0-9_./+-]*[A-Za-z0-9_])"#,
        with: "<a href=\"../$1\">$1</a>", options: .regularExpression)
    return t
}

func header(_ title: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>
    body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; font: 17px/1.55 Georgia, 'DejaVu Serif', serif; \
    color: #222; }
    h1 { font-size: 1.9rem; margin-bottom: .3rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
    pre { background: #f6f6f4; padding: .7rem 1rem; overflow-x: auto; font: 13px/1.45 'DejaVu Sans Mono', monospace; \
    border-radius: 4px; }
    pre.math { background: #fbfaf4; border-left: 3px solid #c9b458; font-size: 14px; }
    code { font: 14px 'DejaVu Sans Mono', monospace; background: #f3f3f0; padding: 0 .2em; }
    pre code { background: none; padding: 0; }
    figure { margin: 1.2rem 0; text-align: center; } figure img { max-width: 100%; border: 1px solid #eee; }
    figcaption { font-size: .85rem; color: #666; } nav { display: flex; justify-content: space-between; gap: 2rem; \
    margin: 1rem 0; font-size: .95rem; }
    nav span { flex: 1; } nav span:last-child { text-align: right; }
    .lead { font-size: 1.1rem; } .small { font-size: .9rem; color: #555; } dl dt { font-weight: bold; margin-top: \
    .4rem; }
    ol.contents li { margin: .6rem 0; } ol.contents span { color: #555; font-size: .95rem; }
    a { color: #1a5a96; }
    </style></head><body>

    """
}

/// One chapter: its source split into prose, formula and code blocks.
struct Page {
    enum Block {
        case heading(String)
        case paragraph(String)
        case formula(String)
        case code(String)
        case figure(String)
    }
    let name: String
    var title = ""
    var builds = ""
    /// The header's "Key: text" entries, each kept as its comment lines (formulas stay formulas).
    var facts: [(String, [String])] = []
    var blocks: [Block] = []
    var figureFiles: [String] = []

    init(name: String, source: String) {
        self.name = name
        let lines = source.components(separatedBy: "\n")
        var i = 0
        // The header: the title line, then "What it builds: …", "Paper: …", "Run: …", "Writes: …".
        if let first = lines.first, first.hasPrefix("// ") {
            title = String(first.dropFirst(3))
            i = 1
        }
        var key = ""
        var value: [String] = []
        func flushFact() {
            if !key.isEmpty { facts.append((key, value)) }
            key = ""
            value = []
        }
        while i < lines.count, lines[i].hasPrefix("//") {
            let body = String(lines[i].dropFirst(2))
            let text = body.trimmingCharacters(in: .whitespaces)
            if let colon = text.range(of: ": "),
                ["What it builds", "Paper", "Run", "Writes"].contains(String(text[..<colon.lowerBound])),
                !body.hasPrefix("   ")
            {
                flushFact()
                key = String(text[..<colon.lowerBound])
                value = ["// " + String(text[colon.upperBound...])]
            } else {
                value.append(lines[i])
            }
            i += 1
        }
        flushFact()
        builds = (facts.first { $0.0 == "What it builds" }?.1 ?? []).prefix { !$0.dropFirst(2).hasPrefix("   ") }
            .map { $0.dropFirst(2).trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        // The body: top-level comment blocks are prose; everything else is code.
        var code: [String] = []
        var comment: [String] = []
        func flushCode() {
            while let l = code.last, l.trimmingCharacters(in: .whitespaces).isEmpty { code.removeLast() }
            while let l = code.first, l.trimmingCharacters(in: .whitespaces).isEmpty { code.removeFirst() }
            guard !code.isEmpty else { return }
            let text = code.joined(separator: "\n")
            blocks.append(.code(text))
            for f in Page.figuresWritten(by: text) where !figureFiles.contains(f) {
                figureFiles.append(f)
                blocks.append(.figure(f))
            }
            code = []
        }
        func flushComment() {
            guard !comment.isEmpty else { return }
            blocks += Page.split(comment)
            comment = []
        }
        while i < lines.count {
            let line = lines[i]
            if line.hasPrefix("//") {
                flushCode()
                comment.append(line)
            } else {
                flushComment()
                code.append(line)
            }
            i += 1
        }
        flushComment()
        flushCode()
    }

    /// Comment lines as blocks: "MARK: - " a heading, lines indented after "//" a formula, a blank
    /// "//" a paragraph break, the rest running text.
    static func split(_ comment: [String]) -> [Block] {
        var blocks: [Block] = []
        var paragraph: [String] = []
        var formula: [String] = []
        func endParagraph() {
            if !paragraph.isEmpty {
                blocks.append(.paragraph(paragraph.joined(separator: " ")))
                paragraph = []
            }
        }
        func endFormula() {
            if !formula.isEmpty {
                blocks.append(.formula(formula.joined(separator: "\n")))
                formula = []
            }
        }
        for raw in comment {
            let body = String(raw.dropFirst(2))
            if body.hasPrefix(" MARK: - ") {
                endParagraph()
                endFormula()
                blocks.append(.heading(String(body.dropFirst(" MARK: - ".count))))
                continue
            }
            if body.trimmingCharacters(in: .whitespaces).isEmpty {
                endParagraph()
                endFormula()
                continue
            }
            if body.hasPrefix("   ") || body.hasPrefix("\t") {
                endParagraph()
                formula.append(String(body.dropFirst(1)))
            } else {
                endFormula()
                paragraph.append(body.trimmingCharacters(in: .whitespaces))
            }
        }
        endParagraph()
        endFormula()
        return blocks
    }

    func render(_ b: Block, available: (String) -> Bool) -> String {
        switch b {
        case .heading(let t): return "<h2>\(escape(t))</h2>\n"
        case .paragraph(let t): return "<p>\(prose(t))</p>\n"
        case .formula(let t): return "<pre class=\"math\">\(escape(t))</pre>\n"
        case .code(let t): return "<pre><code>\(escape(t))</code></pre>\n"
        case .figure(let f):
            return available(f)
                ? "<figure><img src=\"figures/\(name)/\(f)\" "
                    + "alt=\"\(escape(f))\"><figcaption>\(escape(f))</figcaption></figure>\n"
                : ""
        }
    }

    /// The PNG files a piece of code writes: figures.<kind>("name", …) and options.path("x.png").
    static func figuresWritten(by code: String) -> [String] {
        var out: [String] = []
        let patterns = [
            #"figures\.(?:lines|scatter|bars|histogram|heatmap|imageGrid|textTable)\(\s*"([A-Za-z0-9_-]+)""#,
            #"options\.path\("([A-Za-z0-9_-]+\.png)"\)"#,
        ]
        for p in patterns {
            let re = try! NSRegularExpression(pattern: p)
            for m in re.matches(in: code, range: NSRange(code.startIndex..., in: code)) {
                let name = String(code[Range(m.range(at: 1), in: code)!])
                out.append(name.hasSuffix(".png") ? name : name + ".png")
            }
        }
        return out
    }

    func html(previous: Page?, next: Page?, available: (String) -> Bool) -> String {
        var h = header(title)
        let back = previous.map { "← <a href=\"\($0.name).html\">\(escape($0.title))</a>" } ?? ""
        let forward = next.map { "<a href=\"\($0.name).html\">\(escape($0.title))</a> →" } ?? ""
        let nav =
            "<nav><span>\(back)</span><a href=\"index.html\">Contents</a><span>\(forward)</span></nav>\n"
        h += nav + "<h1>\(escape(title))</h1>\n<dl>\n"
        for (k, v) in facts {
            // "Paper" and "Writes" are running text however they wrap; "Run" is commands; "What it builds" may hold
            // formulas.
            let blocks: [Block] =
                k == "Run"
                ? [.formula(v.map { $0.dropFirst(2).trimmingCharacters(in: .whitespaces) }.joined(separator: "\n"))]
                : k == "What it builds"
                    ? Page.split(v)
                    : [
                        .paragraph(
                            v.map { $0.dropFirst(2).trimmingCharacters(in: .whitespaces) }.joined(separator: " "))
                    ]
            h += "<dt>\(escape(k))</dt><dd>" + blocks.map { render($0, available: available) }.joined() + "</dd>\n"
        }
        h +=
            "</dl>\n<p class=\"small\">Source: <a "
            + "href=\"../Chapters/\(name)/main.swift\">Chapters/\(name)/main.swift</a>, shown whole below in "
            + "reading order.</p>\n"
        for b in blocks { h += render(b, available: available) }
        return h + nav + "</body></html>\n"
    }
}

BookTool.main()
