import Foundation
import HeadroomCore

/// Parses folded stacks: one `root;caller;leaf COUNT` per line, as written by py-spy `-f raw`, Brendan Gregg's
/// `stackcollapse-*` scripts and Pyroscope.
public enum FoldedParser {
    /// Stacks deeper than this are refused: no real program has them, and they are a cheap way to exhaust memory.
    public static let maximumDepth = 10_000

    /// Parses the whole text. `source` names the file in error messages.
    public static func parse(_ data: Data, source: String) throws -> StackProfile {
        guard let text = String(data: data, encoding: .utf8) else {
            throw HeadroomError(.badInput, "\(source): not valid UTF-8 text, so not a folded-stacks profile")
        }
        var profile = StackProfile()
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            guard let space = line.lastIndex(of: " ") else {
                throw HeadroomError(.badInput, "\(source):\(lineNumber): expected 'frame;frame COUNT'")
            }
            let countText = line[line.index(after: space)...]
            guard let count = Int64(countText), count >= 0 else {
                throw HeadroomError(.badInput, "\(source):\(lineNumber): bad sample count '\(countText.prefix(40))'")
            }
            let stackText = line[..<space]
            // py-spy writes samples with no Python frame (e.g. in native code before the interpreter starts) as
            // an empty stack; they count toward the total but belong to no function.
            let frames = stackText.isEmpty ? [] : stackText.split(separator: ";", omittingEmptySubsequences: false)
            guard frames.count <= maximumDepth else {
                throw HeadroomError(.badInput, "\(source):\(lineNumber): stack deeper than \(maximumDepth) frames")
            }
            guard profile.totalSamples.addingReportingOverflow(count).overflow == false else {
                throw HeadroomError(.badInput, "\(source):\(lineNumber): sample counts overflow")
            }
            profile.add(stack: frames.map { FrameNormalizer.normalize($0) }, count: count)
        }
        guard lineNumber > 0, profile.totalSamples > 0 else {
            throw HeadroomError(.badInput, "\(source): empty profile (no samples)")
        }
        return profile
    }
}
