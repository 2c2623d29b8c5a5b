// The shipped results of chapters 06–08 (Results/experiments/) must be what `--from-scratch`
// recomputes. Two checks: on a small case, a result computed from scratch is shipped, read back by a
// study that does not train, and recomputed to the same bytes; and every run shipped in the
// repository carries the key the current base model and run protocol give its spec, so a changed
// base or trainer protocol cannot leave stale results in place.

import DreamBooth
import Evaluation
import Experiments
import Foundation
import TensorCore
import TestSupport
import XCTest

final class ShippedResultsTests: XCTestCase {
    let base = Fixtures.inRepository("Checkpoints/base")
    let judges = Fixtures.inRepository("Checkpoints/judges")

    func files(_ root: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: root)
        while let f = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            let path = root + "/" + f
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue {
                out[f] = FileManager.default.contents(atPath: path)
            }
        }
        return out
    }

    func testShippedResultsAreWhatFromScratchRecomputesAndAreReadWithoutTraining() throws {
        let root = temporaryDirectory("shipped")
        func study(_ work: String, shipped: String, fromScratch: Bool) throws -> Study {
            try Study(
                work: root + "/" + work, shipped: root + "/" + shipped, fromScratch: fromScratch, base: base,
                judgesFolder: judges, quick: true, log: { _ in })
        }
        let spec = RunSpec()
        let probe = { (s: Study) in
            try s.images("runs/\(s.runner.key(spec))/probe.png") {
                let (model, _) = try s.runner.pipeline(spec)
                return model.images(["a sks ball at night"], steps: 2, guidance: 3, sampler: .ddim, seed: 1)
            }
        }
        // From scratch: trained, evaluated, shipped.
        let first = try study("work-a", shipped: "ship-a", fromScratch: true)
        let computed = try first.result(spec)
        let computedProbe = try probe(first)
        let shipped = files(root + "/ship-a")
        XCTAssertEqual(
            Set(shipped.keys),
            Set(
                [
                    "run.json", "evaluation-\(SubjectEvaluator.version).json",
                    "samples-\(SubjectEvaluator.version).png",
                    "class-samples-\(SubjectEvaluator.version).png", "probe.png",
                ].map { "runs/\(first.runner.key(spec))/" + $0 }))
        // Read back by a study with nothing of its own: nothing is trained, the same numbers and images come out.
        let reader = try study("work-b", shipped: "ship-a", fromScratch: false)
        let read = try reader.result(spec)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/work-b/runs"), "the reader trained a run")
        XCTAssertEqual(read.metrics.dino, computed.metrics.dino)
        XCTAssertEqual(read.metrics.perPrompt, computed.metrics.perPrompt)
        XCTAssertEqual(read.record.steps, computed.record.steps)
        XCTAssertEqual(read.images.map(\.scalars), computed.images.map(\.scalars))
        XCTAssertEqual(read.classImages.map(\.scalars), computed.classImages.map(\.scalars))
        XCTAssertEqual(try probe(reader).map(\.scalars), computedProbe.map(\.scalars))
        // From scratch again, elsewhere: the same bytes (run.json aside, which records the seconds the run took).
        let again = try study("work-c", shipped: "ship-c", fromScratch: true)
        _ = try again.result(spec)
        _ = try probe(again)
        let recomputed = files(root + "/ship-c")
        XCTAssertEqual(Set(recomputed.keys), Set(shipped.keys))
        for (name, data) in shipped where !name.hasSuffix("run.json") {
            XCTAssertEqual(recomputed[name], data, "\(name) differs when recomputed")
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    func testEveryShippedRunHasTheKeyOfTheCurrentBaseAndProtocol() throws {
        let runs = Fixtures.inRepository(Study.shippedResults + "/runs")
        let folders = try FileManager.default.contentsOfDirectory(atPath: runs).sorted()
        XCTAssertFalse(folders.isEmpty, "no shipped runs in \(runs)")
        let runner = ExperimentRunner(work: temporaryDirectory("keys"), base: base, quick: false, log: { _ in })
        for folder in folders where folder.hasPrefix("db-") || folder.hasPrefix("ti-") {
            let data = try Data(contentsOf: URL(fileURLWithPath: runs + "/" + folder + "/run.json"))
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(
                positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            let record = try decoder.decode(RunRecord.self, from: data)
            XCTAssertEqual(
                runner.key(record.spec), folder,
                "\(folder) was shipped by another base model or run protocol: `make figures FROM_SCRATCH=1` ships anew")
        }
        let baselines = try FileManager.default.contentsOfDirectory(
            atPath: Fixtures.inRepository(Study.shippedResults + "/baseline"))
        for file in baselines {
            XCTAssertTrue(file.contains("-" + runner.baseIdentity), "\(file) was measured on another base model")
        }
    }
}
