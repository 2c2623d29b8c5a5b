// The threads that run `Parallel.forEach`.
//
// Dispatch's `concurrentPerform` wakes a sleeping worker for every call, and on Linux that takes
// about 50 µs (`bench threads`): a kernel of less work than that ran on one core, and every larger one
// lost the wake-up. Many ops of a UNet step at this size are that short (`bench unet --profile`, the
// base config at batch 32: 118 linear layers forward in 16 ms, 0.14 ms each), so here the workers stay
// awake between calls: after a job each one spins, watching for the next, for a quarter of a
// millisecond, and only then sleeps on a semaphore. A caller publishes a job (the body, the number of
// iterations) by bumping a generation counter, takes iterations itself from a shared counter as the
// workers do, and returns once all are done. Which thread runs which iteration changes nothing:
// every kernel writes each output from one iteration only (Parallel.swift), so the bytes are the same.
//
// One job at a time: a call made while the pool is busy (a kernel inside another kernel's
// iteration, or the second job of `Parallel.concurrently`) gets `false` and runs on Dispatch.

import Dispatch
import Foundation
import Synchronization

@usableFromInline
final class WorkerPool: @unchecked Sendable {
    /// Helper threads (the caller is the other participant).
    let helpers: Int
    /// How long an idle helper spins before it sleeps.
    static let spinNanoseconds: UInt64 = 250_000

    private let generation = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// Whether helpers may still join the current job (closed before the caller returns).
    private let accepting = Atomic<Bool>(false)
    /// Helpers inside the current job: the caller waits for none before it returns.
    private let inJob = Atomic<Int>(0)
    private let nextIteration = Atomic<Int>(0)
    private let finishedIterations = Atomic<Int>(0)
    /// The job, written by the caller before it bumps `generation`, read by helpers after.
    private var iterations = 0
    private var participatingHelpers = 0
    private var body: UnsafePointer<(Int) -> Void>? = nil
    /// Per helper: whether it sleeps (or is about to), so a caller must signal it.
    private final class Flag: Sendable { let value = Atomic<Bool>(false) }
    private let parked: [Flag]
    private let wakeUps: [DispatchSemaphore]

    init(helpers: Int) {
        self.helpers = helpers
        parked = (0..<helpers).map { _ in Flag() }
        wakeUps = (0..<helpers).map { _ in DispatchSemaphore(value: 0) }
        for id in 0..<helpers {
            let thread = Thread { [unowned self] in self.helperLoop(id) }
            thread.name = "TensorCore worker \(id + 1)"
            thread.start()
        }
    }

    /// Runs body(i) for i in 0..<count on the caller and up to `threads − 1` helpers; returns false
    /// (running nothing) when the pool is busy with another job.
    @usableFromInline
    func run(_ count: Int, threads: Int, _ body: (Int) -> Void) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        defer { busy.store(false, ordering: .releasing) }
        return withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { pointer in
                self.body = pointer
                iterations = count
                participatingHelpers = Swift.min(helpers, threads - 1, count - 1)
                nextIteration.store(0, ordering: .relaxed)
                finishedIterations.store(0, ordering: .relaxed)
                accepting.store(true, ordering: .sequentiallyConsistent)
                generation.add(1, ordering: .sequentiallyConsistent)
                for id in 0..<participatingHelpers
                where parked[id].value.exchange(false, ordering: .sequentiallyConsistent) {
                    wakeUps[id].signal()
                }
                takeIterations(pointer, count)
                // Close the job, then wait for the helpers inside it to leave.
                accepting.store(false, ordering: .sequentiallyConsistent)
                while finishedIterations.load(ordering: .acquiring) < count
                    || inJob.load(ordering: .sequentiallyConsistent) > 0
                {}
                self.body = nil
                return true
            }
        }
    }

    /// Runs iterations from the shared counter until none are left, then counts them as finished.
    private func takeIterations(_ body: UnsafePointer<(Int) -> Void>, _ count: Int) {
        var done = 0
        while true {
            let i = nextIteration.add(1, ordering: .relaxed).oldValue
            if i >= count { break }
            body.pointee(i)
            done += 1
        }
        finishedIterations.add(done, ordering: .releasing)
    }

    private func helperLoop(_ id: Int) {
        var seen = 0
        while true {
            var g = generation.load(ordering: .acquiring)
            if g == seen {
                let start = DispatchTime.now().uptimeNanoseconds
                var spins = 0
                while g == seen {
                    spins += 1
                    if spins & 255 == 0 && DispatchTime.now().uptimeNanoseconds - start > Self.spinNanoseconds {
                        // Sleep. A caller that bumps the generation after `parked` is set signals; one that
                        // bumped it before is seen by the second load.
                        parked[id].value.store(true, ordering: .sequentiallyConsistent)
                        if generation.load(ordering: .sequentiallyConsistent) == seen {
                            wakeUps[id].wait()
                        } else if !parked[id].value.exchange(false, ordering: .sequentiallyConsistent) {
                            wakeUps[id].wait()  // the caller took the flag and signals: consume it
                        }
                        spins = 0
                    }
                    g = generation.load(ordering: .acquiring)
                }
            }
            seen = g
            inJob.add(1, ordering: .sequentiallyConsistent)
            if accepting.load(ordering: .sequentiallyConsistent)
                && generation.load(ordering: .sequentiallyConsistent) == g
                && id < participatingHelpers, let body
            {
                takeIterations(body, iterations)
            }
            inJob.subtract(1, ordering: .sequentiallyConsistent)
        }
    }
}
