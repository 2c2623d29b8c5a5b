// Work split over the machine's cores.
//
// Kernels split their *outputs* between threads, never a reduction, so every output element is
// summed in the same order whatever the thread count: results are bit-identical with 1 or N threads.

import Dispatch
import Foundation
import Synchronization

public enum Parallel {
    /// Threads used by kernels: the environment variable DREAMBOOTH_THREADS, else all cores; inside a job of
    /// `concurrently`, the cores shared among the jobs still working (one each of two, both once the other
    /// is done or idle).
    public static var threads: Int {
        get {
            guard inSharedJob else { return configuredThreads }
            return Swift.max(1, configuredThreads / Swift.max(1, workingJobs.load(ordering: .relaxed)))
        }
        set { configuredThreads = newValue }
    }
    nonisolated(unsafe) static var configuredThreads: Int = {
        configureAllocator()
        if let s = ProcessInfo.processInfo.environment["DREAMBOOTH_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()
    /// True on the thread of a `concurrently` job (a task-local value, thread-local outside tasks).
    @TaskLocal static var inSharedJob = false
    /// The jobs of `concurrently` running now and not `idle`.
    static let workingJobs = Atomic<Int>(0)

    /// Runs `first` and `second` at once on two threads, sharing the cores: two jobs that each use two cores
    /// poorly finish sooner side by side, and when one ends (or waits in `idle`) the other gets every core.
    /// The bytes are the same as one after the other: kernels give the same results on any number of threads.
    /// Returns when both have; the first error thrown (by `first`, else `second`) is rethrown after both finish.
    public static func concurrently(_ first: @Sendable () throws -> Void, _ second: @Sendable () throws -> Void)
        throws
    {
        let errors = UnsafeMutableBufferPointer<Error?>.allocate(capacity: 2)  // one slot per job: no race
        errors.initialize(repeating: nil)
        defer { errors.deallocate() }
        workingJobs.add(2, ordering: .relaxed)
        withoutActuallyEscaping(first) { first in
            withoutActuallyEscaping(second) { second in
                DispatchQueue.concurrentPerform(iterations: 2) { i in
                    defer { workingJobs.subtract(1, ordering: .relaxed) }
                    $inSharedJob.withValue(true) {
                        do { try (i == 0 ? first : second)() } catch { errors[i] = error }
                    }
                }
            }
        }
        if let error = errors[0] ?? errors[1] { throw error }
    }

    /// Runs `body` (a wait for the other job) without counting this job as working, so the other job's
    /// kernels get every core meanwhile. Outside `concurrently`, just runs `body`.
    public static func idle<T>(_ body: () throws -> T) rethrows -> T {
        guard inSharedJob else { return try body() }
        workingJobs.subtract(1, ordering: .relaxed)
        defer { workingJobs.add(1, ordering: .relaxed) }
        return try body()
    }

    /// Runs `body(i)` for i in 0..<count, spread over `threads` workers; serial when count ≤ 1
    /// or when one thread is configured.
    @inlinable
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 || threads <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        if workerPool.run(count, threads: threads, body) { return }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: count) { i in body(i) }
        }
    }
    /// The helper threads of `forEach` (WorkerPool.swift): one per core beyond the caller's.
    @usableFromInline static let workerPool = WorkerPool(
        helpers: Swift.max(configuredThreads, ProcessInfo.processInfo.activeProcessorCount) - 1)

    /// Σ over `rows` of per-row contributions to a vector of `width` sums, bit-identical for any
    /// thread count: rows go in fixed blocks of 64, each block summed in order into its own partial
    /// vector (in parallel), and the partials are then added in block order. `addRow(r, acc)` adds
    /// row r's contribution into acc.
    public static func rowSums(rows: Int, width: Int, _ addRow: (Int, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        let block = 64
        let blocks = (rows + block - 1) / block
        var partial = [Float](repeating: 0, count: blocks * width)
        partial.withUnsafeMutableBufferPointer { pp in
            chunks(blocks) { range in
                for bi in range {
                    let acc = pp.baseAddress! + bi * width
                    for r in (bi * block)..<Swift.min(rows, (bi + 1) * block) { addRow(r, acc) }
                }
            }
        }
        var total = [Float](repeating: 0, count: width)
        for bi in 0..<blocks { for j in 0..<width { total[j] += partial[bi * width + j] } }
        return total
    }

    /// Splits 0..<n into at most `threads` contiguous chunks, at multiples of `grain`, and runs
    /// `body(range)` on each in parallel.
    @inlinable
    public static func chunks(_ n: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        let units = (n + grain - 1) / grain
        let parts = max(1, min(threads, units))
        if parts == 1 {
            body(0..<n)
            return
        }
        forEach(parts) { p in
            let lo = min(n, (units * p / parts) * grain)
            let hi = min(n, (units * (p + 1) / parts) * grain)
            if lo < hi { body(lo..<hi) }
        }
    }
}

#if canImport(Glibc)
    import Glibc
    /// glibc hands allocations above 128 KB–32 MB straight to mmap and returns them on free, so every
    /// training step would page-fault its activation buffers in afresh (measured: 12–17% of a UNet
    /// step in the kernel's clear_page). Serving every allocation from the heap and never trimming it
    /// keeps freed buffers for the next step. Runs once, before the first kernel.
    public func configureAllocator() {
        _ = glibcMallopt(-4, 0)  // M_MMAP_MAX = 0: no mmap-backed allocations (malloc.h)
        _ = glibcMallopt(-1, Int32.max)  // M_TRIM_THRESHOLD: never give the heap back
    }
    @_silgen_name("mallopt") func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#else
    public func configureAllocator() {}
#endif
