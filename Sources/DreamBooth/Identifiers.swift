// Rare-token identifiers (DreamBooth §4.1).
//
// The identifier is a word the model has a weak prior for. A random string of letters ("xqzt")
// is split by the tokenizer into several frequent pieces, each with a meaning of its own; an
// ordinary word ("green") carries its meaning into the subject. The paper instead looks the
// identifier up in the vocabulary: tokens of at most three characters from a band of rare ones
// (T5-XXL ids 5000–10000 of 32,000), decoded back to text. Here the rule is the same in our
// vocabulary: a whole word (a token ending in </w>), three letters or fewer, that never occurs in
// the pretraining captions, so that neither the text encoder nor the UNet ever learned anything
// about it. For this text encoder, trained on captions alone, every such token is equally
// unknown, common English ("use", "our") as much as "sks"; the band of late ids only mirrors the
// paper's rule, whose T5 had read the web and so knew some tokens better than others.

import Models

public enum Identifiers {
    /// How often each token id occurs in `captions`.
    public static func tokenCounts(_ tokenizer: CLIPTokenizer, captions: [String]) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for caption in captions {
            for id in tokenizer.encode(caption, truncation: false).dropFirst().dropLast() {
                counts[id, default: 0] += 1
            }
        }
        return counts
    }

    /// Candidate identifiers: whole-word tokens of 1…`maxCharacters` lowercase letters that no
    /// caption uses, in vocabulary order, with their text ("sks").
    public static func rareCandidates(_ tokenizer: CLIPTokenizer, captions: [String], maxCharacters: Int = 3) -> [(
        id: Int, text: String
    )] {
        let counts = tokenCounts(tokenizer, captions: captions)
        return tokenizer.tokens.enumerated().compactMap { id, token -> (id: Int, text: String)? in
            guard token.hasSuffix("</w>") else { return nil }
            let word = String(token.dropLast(4))
            guard (1...maxCharacters).contains(word.count), word.allSatisfy({ $0.isASCII && $0.isLowercase }),
                counts[id] == nil
            else { return nil }
            // One token when the word is written alone, as it will be in a prompt.
            guard tokenizer.encode(word).count == 3 else { return nil }
            return (id, word)
        }
    }

    /// The rare band: candidates from the last `fraction` of the vocabulary's ids (the latest merges).
    public static func rareBand(_ candidates: [(id: Int, text: String)], vocabularySize: Int, fraction: Double = 0.7)
        -> [(id: Int, text: String)]
    {
        let start = Int(Double(vocabularySize) * (1 - fraction))
        return candidates.filter { $0.id >= start }
    }
}
