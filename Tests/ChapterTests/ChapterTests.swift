// Every chapter runs in --quick mode into a temporary folder and writes its figures: data, script
// and image. The chapters' own checks (identities, closed form vs steps, gradient check) print
// their numbers; a chapter that fails its check exits non-zero, which fails this test.

import Foundation
import ImageIO
import TensorCore
import TestSupport
import XCTest

final class ChapterTests: XCTestCase {
    func run(_ chapter: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (
        status: Int32, output: String
    ) {
        let p = Process()
        if let environment { p.environment = environment }
        p.executableURL = productsDirectory.appendingPathComponent(chapter)
        p.arguments = arguments
        // Chapters run from the repository root (chapter 03 reads Tests/Fixtures/reference).
        p.currentDirectoryURL = URL(fileURLWithPath: Fixtures.root).deletingLastPathComponent()
            .deletingLastPathComponent()
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func runChapter(_ name: String, expecting files: [String]) throws -> String {
        let dir = temporaryDirectory(name)
        let (status, output) = try run(name, ["--quick", "--seed", "1", "--out", dir])
        XCTAssertEqual(status, 0, output)
        for f in files {
            XCTAssertTrue(
                FileManager.default.fileExists(atPath: dir + "/" + f), "\(name) did not write \(f)\n\(output)")
        }
        return output
    }

    func testChapter00() throws {
        let out = try runChapter("chapter00", expecting: ["gemm-speed.dat", "gemm-speed.gp", "gemm-speed.png"])
        XCTAssertTrue(out.contains("gradient check passed"), out)
    }

    func testChapter01() throws {
        _ = try runChapter(
            "chapter01",
            expecting: [
                "betas.gp", "alpha-bar.png", "log-snr.dat", "scales.png", "closed-vs-stepwise.png",
                "noise-strip.png", "sample.png", "noise-strip-figure.png",
            ])
    }

    func testChapter02() throws {
        _ = try runChapter(
            "chapter02", expecting: ["loss-curves.png", "samples.png", "trajectories.png", "weightings.png"])
    }

    func testChapter03() throws {
        let out = try runChapter(
            "chapter03",
            expecting: [
                "time-embedding.png", "parameters.png", "parity.png", "activation-stats.png", "time-per-op.png",
            ])
        XCTAssertFalse(out.contains("✗"), out)
        XCTAssertTrue(out.contains("2529731 parameters"), out)
    }

    func testSameSeedSameBytes() throws {
        let a = temporaryDirectory("seedA")
        let b = temporaryDirectory("seedB")
        for dir in [a, b] { XCTAssertEqual(try run("chapter01", ["--quick", "--seed", "3", "--out", dir]).status, 0) }
        for f in ["noise-strip.png", "closed-vs-stepwise.dat", "closed-vs-stepwise.png"] {
            XCTAssertEqual(
                FileManager.default.contents(atPath: a + "/" + f), FileManager.default.contents(atPath: b + "/" + f), f)
        }
    }

    func testWithoutGnuplotDataAndScriptsStillWrittenWithOneMessage() throws {
        let dir = temporaryDirectory("nognuplot")
        let emptyPath = temporaryDirectory("emptypath")
        let (status, output) = try run("chapter01", ["--quick", "--out", dir], environment: ["PATH": emptyPath])
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output.components(separatedBy: "gnuplot not found").count - 1, 1, output)
        for f in ["betas.dat", "betas.gp", "alpha-bar.gp", "noise-strip.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + f), f)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/betas.png"))
    }

    func testBadArgumentsAreNamed() throws {
        let (status, output) = try run("chapter01", ["--bogus"])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(output.contains("Unknown option '--bogus'"), output)
        let badSeed = try run("chapter01", ["--seed", "x"])
        XCTAssertEqual(badSeed.status, 2)
        XCTAssertTrue(badSeed.output.contains("--seed"), badSeed.output)
        // A micro-kernel set that does not exist is refused before any work starts.
        var environment = ProcessInfo.processInfo.environment
        environment["DREAMBOOTH_MICROKERNELS"] = "fast"
        let badKernels = try run(
            "chapter00", ["--quick", "--out", temporaryDirectory("badkernels")], environment: environment)
        XCTAssertEqual(badKernels.status, 2, badKernels.output)
        XCTAssertTrue(
            badKernels.output.contains("DREAMBOOTH_MICROKERNELS must be 'wide' or 'narrow', got 'fast'"),
            badKernels.output)
        XCTAssertFalse(badKernels.output.contains("GFLOP/s"), badKernels.output)
        let help = try run("chapter01", ["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(
            help.output.contains("--quick") && help.output.contains("--seed") && help.output.contains("--out"),
            help.output)
    }

    func testChapter04() throws {
        let out = try runChapter(
            "chapter04",
            expecting: [
                "world-gallery.png", "subjects.png", "tokenization.png", "token-frequencies.png",
                "contrastive-training.png", "similarity-heatmap.png", "judges-accuracy.png",
            ])
        XCTAssertTrue(out.contains("all checks passed"), out)
    }

    func testChapter04a() throws {
        let out = try runChapter(
            "chapter04a",
            expecting: [
                "step-cost.png", "reconstructions.png", "reconstruction-judged.png", "latent-channels.png",
                "channel-spread.png", "interpolation.png", "kl-weight.png", "kl-weight-grid.png", "kl-latent.png",
            ])
        XCTAssertTrue(out.contains("all checks passed"), out)
    }

    func testChapter05() throws {
        let out = try runChapter(
            "chapter05",
            expecting: [
                "training.png", "accuracy-vs-minutes.png", "prompt-seed-grid.png", "samplers.png", "sampler-time.png",
                "guidance-sweep.png", "guidance-grid.png", "heldout-vs-train.png", "heldout-vs-train-grid.png",
            ])
        XCTAssertTrue(out.contains("all checks passed"), out)
    }

    func testChapter06() throws {
        let out = try runChapter(
            "chapter06",
            expecting: [
                "vocabulary-band.png", "identifier-embeddings.png", "prior-before.png", "identifier-metrics.png",
                "identifier-grid.png", "green-star.png",
            ])
        XCTAssertTrue(out.contains("all checks passed"), out)
        XCTAssertTrue(out.contains("| rare token (sks) |"), out)
    }

    func testChapter07() throws {
        let out = try runChapter(
            "chapter07",
            expecting: [
                "class-images.png", "loss-curves.png", "drift-grid.png", "pres-div.png", "lambda-sweep.png",
                "class-colors.png",
            ])
        XCTAssertTrue(out.contains("all checks passed"), out)
        XCTAssertTrue(out.contains("| without prior preservation |"), out)
    }

    func testChapter07a() throws {
        let out = try runChapter("chapter07a", expecting: ["lora-layers.png", "rank-sweep.png", "two-subjects.png"])
        XCTAssertTrue(out.contains("all checks passed"), out)
        XCTAssertTrue(out.contains("leave the output unchanged at step 0"), out)
    }

    func testChapter08() throws {
        let out = try runChapter(
            "chapter08",
            expecting: [
                "recontextualization.png", "property-modification.png", "art-renditions.png", "table1.png",
                "table3.png", "table4.png", "input-images.png", "text-encoder.png", "limitations.png",
            ])
        XCTAssertTrue(out.contains("all checks passed"), out)
        XCTAssertTrue(out.contains("| textual inversion |"), out)
    }

    /// Hostile inputs to the model checks: each an error naming the tensor or file, exit status 1,
    /// nothing written (issue 13's cases that used to crash or pass NaN through).
    func testModelChecksRefuseEmptyNonFiniteAndMisshapenInputs() throws {
        let dir = temporaryDirectory("hostile")
        let unet = Fixtures.inRepository("Checkpoints/base/unet")
        let clip = Fixtures.inRepository("Checkpoints/base/text_encoder")
        // The shape the shipped UNet denoises (latents: 8 × 16 × 16), read from its config.
        let shipped =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: unet + "/config.json")))
            as! [String: Any]
        let sampleShape = [
            1, shipped["in_channels"] as! Int, shipped["sample_size"] as! Int, shipped["sample_size"] as! Int,
        ]
        func expect(_ args: [String], _ words: [String], file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try run("dreambooth", args)
            XCTAssertEqual(r.status, 1, r.output, file: file, line: line)
            for w in words {
                XCTAssertTrue(r.output.contains(w), "expected '\(w)' in: \(r.output)", file: file, line: line)
            }
            XCTAssertFalse(
                r.output.contains("Fatal error") || r.output.contains("crashed"), r.output, file: file, line: line)
        }
        var nan = Tensor(zeros: sampleShape)
        nan.scalars[5] = .nan
        let context = Tensor(zeros: [1, 24, 64])
        try SafeTensors.write(
            ["sample": nan, "timesteps": Tensor(shape: [1], scalars: [10]), "encoder_hidden_states": context],
            to: dir + "/nan.safetensors")
        try expect(
            [
                "unet-forward", "--model", unet, "--input", dir + "/nan.safetensors", "--output",
                dir + "/o1.safetensors",
            ], ["'sample'", "nan", "finite"])
        try SafeTensors.write(
            [
                "sample": Tensor(zeros: sampleShape), "timesteps": Tensor(shape: [1], scalars: [10]),
                "encoder_hidden_states": Tensor(shape: [1, 0, 64], scalars: []),
            ], to: dir + "/empty.safetensors")
        try expect(
            [
                "unet-forward", "--model", unet, "--input", dir + "/empty.safetensors", "--output",
                dir + "/o2.safetensors",
            ], ["'encoder_hidden_states'", "empty dimension"])
        try SafeTensors.write(["input_ids": Tensor(shape: [1, 0], scalars: [])], to: dir + "/ids.safetensors")
        try expect(
            [
                "text-encoder-forward", "--model", clip, "--input", dir + "/ids.safetensors", "--output",
                dir + "/o3.safetensors",
            ], ["'input_ids'", "empty dimension"])
        // A model folder whose only hostile part is its config.json.
        let bad = dir + "/badunet"
        try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: unet + "/diffusion_pytorch_model.safetensors", toPath: bad + "/diffusion_pytorch_model.safetensors")
        let config = try String(contentsOfFile: unet + "/config.json", encoding: .utf8).replacingOccurrences(
            of: "\"norm_num_groups\": 8", with: "\"norm_num_groups\": 0")
        try config.write(toFile: bad + "/config.json", atomically: true, encoding: .utf8)
        try SafeTensors.write(
            [
                "sample": Tensor(zeros: sampleShape), "timesteps": Tensor(shape: [1], scalars: [10]),
                "encoder_hidden_states": context,
            ], to: dir + "/ok.safetensors")
        try expect(
            ["unet-forward", "--model", bad, "--input", dir + "/ok.safetensors", "--output", dir + "/o4.safetensors"],
            [bad + "/config.json", "norm_num_groups = 0"])
        // An output that is a directory; an input that is one.
        try FileManager.default.createDirectory(atPath: dir + "/outdir", withIntermediateDirectories: true)
        try expect(
            ["unet-forward", "--model", unet, "--input", dir + "/ok.safetensors", "--output", dir + "/outdir"],
            ["is a directory"])
        try expect(
            ["unet-forward", "--model", unet, "--input", dir + "/outdir", "--output", dir + "/o5.safetensors"],
            ["is a directory"])
        for f in ["o1", "o2", "o3", "o4", "o5"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/\(f).safetensors"))
        }
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") }, [],
            "no temporary file is left")
    }

    /// vae-forward on hostile inputs: each an error naming the file and the problem, nothing written.
    func testVAEForwardRefusesBadInputsAndConfigs() throws {
        let dir = temporaryDirectory("hostile-vae")
        let vae = Fixtures.reference("vae")  // diffusers' folder: 3 levels, f = 4
        func expect(_ args: [String], _ words: [String], file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try run("dreambooth", ["vae-forward"] + args)
            XCTAssertEqual(r.status, r.output.contains("Usage") ? 64 : 1, r.output, file: file, line: line)
            for w in words {
                XCTAssertTrue(r.output.contains(w), "expected '\(w)' in: \(r.output)", file: file, line: line)
            }
            XCTAssertFalse(r.output.contains("Fatal error"), r.output, file: file, line: line)
        }
        var nan = Tensor(zeros: [1, 3, 16, 16])
        nan.scalars[7] = .infinity
        try SafeTensors.write(["sample": nan], to: dir + "/inf.safetensors")
        try SafeTensors.write(["sample": Tensor(zeros: [1, 4, 16, 16])], to: dir + "/channels.safetensors")
        try SafeTensors.write(["sample": Tensor(zeros: [1, 3, 18, 16])], to: dir + "/side.safetensors")
        try SafeTensors.write(["sample": Tensor(zeros: [1, 3, 16, 16])], to: dir + "/ok.safetensors")
        try SafeTensors.write(
            ["sample": Tensor(zeros: [1, 3, 16, 16]), "target": Tensor(zeros: [1, 3, 8, 8])],
            to: dir + "/target.safetensors")
        let out = dir + "/out.safetensors"
        try expect(["--model", vae, "--input", dir + "/inf.safetensors", "--output", out], ["'sample'", "finite"])
        try expect(["--model", vae, "--input", dir + "/channels.safetensors", "--output", out], ["(B, 3, H, W)"])
        try expect(["--model", vae, "--input", dir + "/side.safetensors", "--output", out], ["multiples of 4"])
        try expect(
            ["--model", vae, "--input", dir + "/target.safetensors", "--output", out, "--gradients"],
            ["target has shape (1, 3, 8, 8)"])
        try expect(
            ["--model", vae, "--input", dir + "/ok.safetensors", "--output", out, "--lora", dir + "/x"],
            ["--lora applies to the UNet"])
        let bad = dir + "/badvae"
        try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: vae + "/diffusion_pytorch_model.safetensors", toPath: bad + "/diffusion_pytorch_model.safetensors")
        let config = try String(contentsOfFile: vae + "/config.json", encoding: .utf8).replacingOccurrences(
            of: "\"latent_channels\": 4", with: "\"latent_channels\": 8")
        try config.write(toFile: bad + "/config.json", atomically: true, encoding: .utf8)
        try expect(
            ["--model", bad, "--input", dir + "/ok.safetensors", "--output", out],
            [bad + "/diffusion_pytorch_model.safetensors", "encoder.conv_out.weight"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing is written")
        let r = try run(
            "dreambooth", ["vae-forward", "--model", vae, "--input", dir + "/ok.safetensors", "--output", out])
        XCTAssertEqual(r.status, 0, r.output)
        let written = try SafeTensorsFile(path: out)
        XCTAssertEqual(try written.tensor("latent_mean").shape, [1, 4, 4, 4])
        XCTAssertEqual(try written.tensor("decoded").shape, [1, 3, 16, 16])
    }

    /// The book from the repository's chapters and Figures/: every page's links and images resolve,
    /// and headless Chromium loads the contents page and a chapter page without a console error,
    /// taking a screenshot of each (kept in the test's temporary folder, to look at).
    func testBookBuildsWithoutBrokenLinksAndLoadsInABrowser() throws {
        let out = temporaryDirectory("book")
        let r = try run("book", ["--out", out + "/book"])
        XCTAssertEqual(r.status, 0, r.output)
        let root = URL(fileURLWithPath: Fixtures.root).deletingLastPathComponent().deletingLastPathComponent().path
        // The book's links to the sources are relative to a book/ folder at the repository root.
        let bookInRepo = root + "/book-test-\(getpid())"
        try? FileManager.default.removeItem(atPath: bookInRepo)
        try FileManager.default.copyItem(atPath: out + "/book", toPath: bookInRepo)
        defer { try? FileManager.default.removeItem(atPath: bookInRepo) }
        let pages = try FileManager.default.contentsOfDirectory(atPath: bookInRepo).filter { $0.hasSuffix(".html") }
        XCTAssertGreaterThanOrEqual(pages.count, 10)
        let re = try NSRegularExpression(pattern: ##"(?:href|src)="([^"#]+)""##)
        var checked = 0
        for page in pages {
            let html = try String(contentsOfFile: bookInRepo + "/" + page, encoding: .utf8)
            for m in re.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
                let target = String(html[Range(m.range(at: 1), in: html)!])
                guard !target.hasPrefix("http") else {
                    XCTFail("\(page) links outside: \(target)")
                    continue
                }
                XCTAssertTrue(
                    FileManager.default.fileExists(atPath: bookInRepo + "/" + target),
                    "\(page): broken link or image \(target)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 100)
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let chromium else { return XCTFail("chromium is not installed (make deps installs it)") }
        for page in ["index.html", "07-prior-preservation.html"] {
            let shot = out + "/" + page.replacingOccurrences(of: ".html", with: ".png")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: chromium)
            p.arguments = [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,1600",
                "--enable-logging=stderr", "--v=0",
                "--screenshot=" + shot, "file://" + bookInRepo + "/" + page,
            ]
            let err = Pipe()
            p.standardError = err
            p.standardOutput = Pipe()
            try p.run()
            let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, log)
            // Chromium's own chatter (dbus, GPU) is not the page's: only console messages count.
            let console = log.split(separator: "\n").filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }
            XCTAssertTrue(console.isEmpty, "console messages on \(page): \(console.joined(separator: "\n"))")
            let size = (try? FileManager.default.attributesOfItem(atPath: shot)[.size] as? Int) ?? 0
            XCTAssertGreaterThan(size ?? 0, 20_000, "\(page): the screenshot is empty")
            print("screenshot of \(page): \(shot)")
        }
    }

    /// Every command of the tools answers --help with status 0; a wrong flag is an error that names it.
    func testToolsAnswerHelpAndNameWrongFlags() throws {
        for args in [
            ["--help"], ["world", "--help"], ["tokenize", "--help"], ["pretrain", "--help"],
            ["evaluate-judges", "--help"], ["judge", "--help"],
            ["sample", "--help"], ["train", "--help"], ["textual-inversion", "--help"], ["evaluate-base", "--help"],
            ["unet-forward", "--help"], ["text-encoder-forward", "--help"], ["init-unet", "--help"],
            ["init-text-encoder", "--help"], ["evaluate-subject", "--help"], ["vae-forward", "--help"],
        ] {
            let r = try run("dreambooth", args)
            XCTAssertEqual(r.status, 0, "dreambooth \(args.joined(separator: " ")): \(r.output)")
            XCTAssertTrue(r.output.contains("USAGE"), r.output)
        }
        XCTAssertEqual(try run("bench", ["--help"]).status, 0)
        let wrong = try run("dreambooth", ["world", "--out", temporaryDirectory("w"), "--colour", "red"])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.output.contains("--colour"), wrong.output)
        let badSubject = try run("dreambooth", ["world", "--out", temporaryDirectory("w"), "--subject", "unicorn"])
        XCTAssertNotEqual(badSubject.status, 0)
        XCTAssertTrue(
            badSubject.output.contains("unicorn") && badSubject.output.contains("split-ball"), badSubject.output)
    }

    /// Wrong values are answered with what is allowed, in the project's words, before any work.
    func testTrainAndSampleNameWhatIsAllowed() throws {
        let file = temporaryDirectory("cli") + "/a-file"
        FileManager.default.createFile(atPath: file, contents: Data())
        let cases: [([String], String)] = [
            (
                ["train", "--instance_data_dir", "x", "--instance_prompt", "a sks ball", "--seed", "-1"],
                "a seed is a whole number"
            ),
            (
                ["train", "--instance_data_dir", "x", "--instance_prompt", "a sks ball", "--lora_alpha", "8"],
                "--lora_alpha needs --rank"
            ),
            (
                ["train", "--instance_data_dir", "x", "--instance_prompt", "a sks ball", "--lora_layers", "conv1"],
                "--lora_layers needs --rank"
            ),
            (
                ["train", "--instance_data_dir", "x", "--instance_prompt", "a sks ball", "--lr_scheduler", "step"],
                "'cosine'"
            ),
            (
                ["train", "--instance_data_dir", "x", "--instance_prompt", "a sks ball", "--output_dir", file],
                "is a file; give a folder"
            ),
            (
                [
                    "train", "--instance_data_dir", "x", "--instance_prompt", "a sks ball", "--background_augmentation",
                    "0", "--no_backdrop_clean_edges",
                ],
                "--[no_]backdrop_clean_edges need --background_augmentation p > 0"
            ),
            (
                [
                    "train", "--instance_data_dir", "x", "--instance_prompt", "a sks ball", "--background_augmentation",
                    "0", "--background_contexts", "at night",
                ],
                "--background_contexts need --background_augmentation p > 0"
            ),
            (
                [
                    "train", "--instance_data_dir", "x", "--instance_prompt", "a sks ball", "--background_contexts", "",
                    "--background_contexts_unseen_only",
                ],
                "--background_contexts_unseen_only needs --background_contexts"
            ),
            (["sample", "--prompt", "a cup", "--out", file + "-out", "--scheduler", "euler"], "'ddim' and 'ddpm'"),
            (
                ["sample", "--prompt", "a cup", "--out", file + "-out", "--lora_scale", "-1"],
                "--lora_scale needs --lora"
            ),
            (["world", "--out", file + "-world", "--seed", "-3"], "a seed is a whole number"),
            (
                ["evaluate-subject", "--model", "x", "--subject", "unicorn"],
                "is not a built-in subject or a probe (split-ball"
            ),
            (["evaluate-subject", "--model", "x", "--subject", "split-ball", "--identifier", "a b"], "one word"),
            (
                ["evaluate-subject", "--model", "x", "--subject", "split-ball", "--samples_dir", file],
                "is a file; give a folder"
            ),
            (["evaluate-base", "--split", "all"], "'heldout'"),
            (["pretrain", "--stage", "base", "--base_learning_rate", "2"], "--base_learning_rate must be in (0, 1)"),
            (["pretrain", "--stage", "base", "--base_steps", "0"], "must be a whole number ≥ 1"),
            (["pretrain", "--stage", "base", "--base_snr_gamma", "-5"], "--base_snr_gamma must be a positive number"),
            (["pretrain", "--stage", "base", "--base_full_captions", "2"], "--base_full_captions must be in [0, 1]"),
            (
                ["pretrain", "--stage", "text", "--text_encoder_twins", "0.7"],
                "--text_encoder_twins must be in [0, 0.5]"
            ),
            (
                ["pretrain", "--stage", "text", "--text_encoder_twin_attributes", "pattern,shape"],
                "'shape' is not an attribute; use class, color, pattern, context"
            ),
            (
                ["pretrain", "--stage", "text", "--text_encoder_twin_attributes", "pattern,pattern"],
                "names an attribute twice"
            ),
            (["pretrain", "--stage", "text", "--text_encoder_steps", "0"], "must be a whole number ≥ 1"),
            (["pretrain", "--stage", "autoencoder", "--random_looks", "1.5"], "--random_looks must be in 0…1"),
            (["pretrain", "--stage", "base", "--unet_config", file], file),
            (
                [
                    "textual-inversion", "--train_data_dir", "x", "--placeholder_token", "sks", "--initializer_token",
                    "ball",
                    "--max_train_steps", "0",
                ], "must be a whole number ≥ 1"
            ),
        ]
        for (args, expected) in cases {
            let r = try run("dreambooth", args)
            XCTAssertNotEqual(r.status, 0, args.joined(separator: " "))
            XCTAssertTrue(r.output.contains(expected), "\(args.joined(separator: " ")): \(r.output)")
            XCTAssertFalse(r.output.contains("NSCocoaErrorDomain"), r.output)
        }
    }

    func testWorldCommandWritesAnImagefolder() throws {
        let dir = temporaryDirectory("worldcli")
        let r = try run(
            "dreambooth",
            [
                "world", "--out", dir, "--count", "10", "--seed", "3", "--split", "heldout", "--full_captions",
                "--resolution", "64",
            ])
        XCTAssertEqual(r.status, 0, r.output)
        let lines = try String(contentsOfFile: dir + "/metadata.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 10)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/00009.png"))
    }

    /// A workshop participant's drawing becomes an instance folder; drawings that cannot be one are
    /// refused with the file and the reason, and nothing is written.
    func testWorldPlacesADrawingOfYourOwnAndRefusesBadOnes() throws {
        let dir = temporaryDirectory("sprite")
        // A 40×30 drawing: an opaque rectangle in the middle, transparent around it.
        var rgba = [UInt8](repeating: 0, count: 40 * 30 * 4)
        for y in 5..<25 {
            for x in 8..<32 {
                rgba.replaceSubrange((4 * (y * 40 + x))..<(4 * (y * 40 + x) + 4), with: [200, 40, 220, 255])
            }
        }
        try PNG.writeRaw(rgba, width: 40, height: 30, format: .rgba8, to: dir + "/robot.png")
        let out = dir + "/photos"
        let r = try run(
            "dreambooth", ["world", "--sprite", dir + "/robot.png", "--noun", "box", "--count", "4", "--out", out])
        XCTAssertEqual(r.status, 0, r.output)
        let lines = try String(contentsOfFile: out + "/metadata.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        XCTAssertTrue(
            lines[0].contains("\"text\": \"a sks box on grass\"") && lines[0].contains("\"subject\": \"robot\""))
        let contexts = lines.map { $0.components(separatedBy: "\"context\": \"")[1].prefix { $0 != "\"" } }
        XCTAssertEqual(Set(contexts).count, 4, "four photos in four contexts: \(contexts)")
        // Each photo's mask is the drawing's footprint: where the photo shows the drawing's purple.
        XCTAssertTrue(lines[0].contains("\"mask_file_name\": \"masks/00000.png\""))
        let mask = try PNG.read(out + "/masks/00000.png")
        let photo = try PNG.read(out + "/00000.png")
        for i in 0..<(32 * 32) where mask.scalars[i] == 1 || mask.scalars[i] == 0 {
            let purple = abs(photo.scalars[i] - 200 / 255) < 0.02 && abs(photo.scalars[1024 + i] - 40 / 255) < 0.02
            XCTAssertEqual(purple, mask.scalars[i] == 1, "pixel \(i): mask \(mask.scalars[i])")
        }
        // The folder trains with the trainer's defaults (a few steps here) and the result samples:
        // the workshop path end to end, on the shipped base.
        let model = dir + "/model"
        let trained = try run(
            "dreambooth",
            [
                "train", "--pretrained_model_name_or_path", Fixtures.inRepository("Checkpoints/base"),
                "--instance_data_dir", out, "--instance_prompt", "a sks box", "--class_prompt", "a box",
                "--with_prior_preservation", "--class_data_dir", dir + "/class", "--num_class_images", "5",
                "--max_train_steps", "2", "--output_dir", model,
            ])
        XCTAssertEqual(trained.status, 0, trained.output)
        XCTAssertTrue(trained.output.contains("its own caption"), trained.output)
        let night = try run(
            "dreambooth",
            [
                "sample", "--model", model, "--prompt", "a sks box at night", "--num_images", "2",
                "--num_inference_steps", "3", "--out", dir + "/night",
            ])
        XCTAssertEqual(night.status, 0, night.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/night/0001.png"))
        try PNG.writeRaw(
            [UInt8](repeating: 255, count: 16 * 16 * 3), width: 16, height: 16, format: .rgb8, to: dir + "/flat.png")
        try PNG.writeRaw(
            [UInt8](repeating: 0, count: 16 * 16 * 4), width: 16, height: 16, format: .rgba8, to: dir + "/empty.png")
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: dir + "/text.png"))
        for (args, expected) in [
            (["--sprite", dir + "/flat.png", "--noun", "box"], "no alpha channel"),
            (["--sprite", dir + "/empty.png", "--noun", "box"], "every pixel is transparent"),
            (["--sprite", dir + "/text.png", "--noun", "box"], "not a PNG"),
            (["--sprite", dir + "/robot.png", "--noun", "robot"], "not one of the world's nouns"),
            (["--sprite", dir + "/robot.png"], "--sprite needs --noun"),
            (["--sprite", dir + "/robot.png", "--noun", "box", "--contexts", "grass,moon"], "'moon' is not a context"),
        ] {
            let bad = dir + "/bad"
            let r = try run("dreambooth", ["world", "--out", bad] + args)
            XCTAssertNotEqual(r.status, 0, args.joined(separator: " "))
            XCTAssertTrue(r.output.contains(expected), "\(args.joined(separator: " ")): \(r.output)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: bad), "nothing written for \(args)")
        }
    }

    func testTokenizeCommandPrintsIdsPerText() throws {
        let r = try run(
            "dreambooth",
            ["tokenize", "--tokenizer", Fixtures.inRepository("Checkpoints/base/tokenizer"), "a red cup", "xqzt"])
        XCTAssertEqual(r.status, 0, r.output)
        let lines = r.output.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let ids = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [Int]
        XCTAssertEqual(ids.count, 5)  // start, a, red, cup, end
    }

    /// `dreambooth judge` reads exported world images as their ground truth says, and names a file it
    /// cannot read before reading any.
    func testJudgeCommandReadsWorldImages() throws {
        let dir = temporaryDirectory("judgecli")
        let world = try run("dreambooth", ["world", "--split", "heldout", "--count", "6", "--out", dir])
        XCTAssertEqual(world.status, 0, world.output)
        let r = try run("dreambooth", ["judge", dir, "--checkpoints", Fixtures.inRepository("Checkpoints")])
        XCTAssertEqual(r.status, 0, r.output)
        let metadata = try String(contentsOfFile: dir + "/metadata.jsonl", encoding: .utf8).split(separator: "\n")
        let lines = r.output.split(separator: "\n").filter { $0.contains(".png") }
        XCTAssertEqual(lines.count, 6, r.output)
        for (line, row) in zip(lines, metadata) {
            let truth = try JSONSerialization.jsonObject(with: Data(row.utf8)) as! [String: Any]
            XCTAssertTrue(line.contains(truth["file_name"] as! String), String(line))
            XCTAssertTrue(line.contains("class \(truth["class"] as! String),"), "\(line) against \(row)")
            XCTAssertTrue(line.contains("context \(truth["context"] as! String),"), "\(line) against \(row)")
        }
        let small = try run("dreambooth", ["world", "--count", "1", "--resolution", "16", "--out", dir + "-16"])
        XCTAssertEqual(small.status, 0, small.output)
        let bad = try run("dreambooth", ["judge", dir, dir + "-16/00000.png"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.output.contains("00000.png: the judge reads 32×32 images"), bad.output)
        XCTAssertFalse(bad.output.contains("class "), bad.output)
    }

    func testSampleCommandWritesImagesGridAndMetadata() throws {
        let dir = temporaryDirectory("samplecli")
        let r = try run(
            "dreambooth",
            [
                "sample", "--model", Fixtures.inRepository("Checkpoints/base"), "--prompt", "a red cup", "--num_images",
                "2",
                "--num_inference_steps", "3", "--out", dir, "--save_tensors", "--scheduler", "ddpm",
            ])
        XCTAssertEqual(r.status, 0, r.output)
        for f in ["0000.png", "0001.png", "grid.png", "metadata.jsonl", "samples.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + f), f)
        }
        let line = try String(contentsOfFile: dir + "/metadata.jsonl", encoding: .utf8).split(separator: "\n")[0]
        let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        XCTAssertEqual(o["prompt"] as? String, "a red cup")
        XCTAssertEqual(o["num_inference_steps"] as? Int, 3)
        // Latents of the wrong shape are named.
        let bad = try run(
            "dreambooth",
            [
                "sample", "--prompt", "a cup", "--num_images", "2", "--out", dir, "--latents",
                dir + "/samples.safetensors",
            ])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.output.contains("no tensor named 'latents'"), bad.output)
    }
}
