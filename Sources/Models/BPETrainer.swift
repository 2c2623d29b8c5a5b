// Learning byte-pair merges (Sennrich et al. 2016), as CLIP's vocabulary was learned.
//
// Start from every word as a sequence of byte characters, the last one marked "</w>"; count
// every adjacent pair of symbols, weighted by how often its word occurs; merge the most frequent
// pair everywhere into one new symbol; repeat until the vocabulary has its size. Ties go to the
// pair whose two symbols sort first, so the merges do not depend on hash order: same words, same
// merges, every run.
//
// Only the words holding the merged pair change, so the pair counts are updated from those words
// alone (an index from pair to words), not recounted over everything.

import Foundation

public enum BPETrainer {
    /// Merges learned from `wordCounts` (pieces after CLIPTokenizer.clean/preTokenize, as raw text)
    /// until `vocabularySize` tokens (CLIP's layout: 512 byte tokens, the merges, 2 special tokens).
    public static func train(wordCounts: [String: Int], vocabularySize: Int, progress: (Int, Int) -> Void = { _, _ in })
        -> [(String, String)]
    {
        let wanted = max(0, vocabularySize - 2 * 256 - 2)
        // Symbols are ids into `names`; every byte character and its "</w>" form to start.
        var names: [String] = ByteLevel.alphabet + ByteLevel.alphabet.map { $0 + "</w>" }
        var idOf = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        var words: [[Int]] = []
        var counts: [Int] = []
        for (word, count) in wordCounts.sorted(by: { $0.key < $1.key }) {
            let chars = ByteLevel.encode(word).map { String($0) }
            guard !chars.isEmpty else { continue }
            var symbols = chars.map { idOf[$0]! }
            symbols[symbols.count - 1] = idOf[chars.last! + "</w>"]!
            words.append(symbols)
            counts.append(count)
        }
        @inline(__always) func key(_ a: Int, _ b: Int) -> Int { a << 32 | b }
        var pairCount: [Int: Int] = [:]
        var pairWords: [Int: Set<Int>] = [:]
        for (w, symbols) in words.enumerated() {
            for i in 0..<max(0, symbols.count - 1) {
                let k = key(symbols[i], symbols[i + 1])
                pairCount[k, default: 0] += counts[w]
                pairWords[k, default: []].insert(w)
            }
        }
        var merges: [(String, String)] = []
        while merges.count < wanted {
            // The most frequent pair; ties to the pair whose symbols sort first.
            var best = -1
            var bestCount = 0
            for (k, c) in pairCount {
                if c > bestCount {
                    best = k
                    bestCount = c
                    continue
                }
                if c == bestCount {
                    let (a, b) = (k >> 32, k & 0xffff_ffff)
                    let (ba, bb) = (best >> 32, best & 0xffff_ffff)
                    if (names[a], names[b]) < (names[ba], names[bb]) { best = k }
                }
            }
            guard best >= 0 else { break }  // nothing left to merge
            let a = best >> 32
            let b = best & 0xffff_ffff
            let merged = names[a] + names[b]
            // A symbol already made from other halves ("a"+"bc" after "ab"+"c") would be a second
            // vocabulary entry for one string: that pair is not merged.
            guard idOf[merged] == nil else {
                pairCount[best] = nil
                pairWords[best] = nil
                continue
            }
            let m = names.count
            names.append(merged)
            idOf[merged] = m
            merges.append((names[a], names[b]))
            for w in pairWords[best] ?? [] {
                let old = words[w]
                var new: [Int] = []
                new.reserveCapacity(old.count)
                var i = 0
                while i < old.count {
                    if i < old.count - 1 && old[i] == a && old[i + 1] == b {
                        new.append(m)
                        i += 2
                    } else {
                        new.append(old[i])
                        i += 1
                    }
                }
                guard new.count != old.count else { continue }  // a stale index entry
                for i in 0..<(old.count - 1) {
                    let k = key(old[i], old[i + 1])
                    let c = pairCount[k]! - counts[w]
                    if c == 0 { pairCount[k] = nil } else { pairCount[k] = c }
                }
                for i in 0..<max(0, new.count - 1) {
                    let k = key(new[i], new[i + 1])
                    pairCount[k, default: 0] += counts[w]
                    pairWords[k, default: []].insert(w)
                }
                words[w] = new
            }
            pairCount[best] = nil
            pairWords[best] = nil
            if merges.count % 256 == 0 { progress(merges.count, wanted) }
        }
        progress(merges.count, wanted)
        return merges
    }

    /// Word counts of texts after CLIP's cleaning and pre-tokenization.
    public static func countWords<S: Sequence>(_ texts: S, weight: Int = 1, into counts: inout [String: Int])
    where S.Element == String {
        for t in texts {
            for piece in CLIPTokenizer.preTokenize(CLIPTokenizer.clean(t)) { counts[piece, default: 0] += weight }
        }
    }
}
