/// A recipe's proposed change to one file.
public struct SourceEdit: Sendable, Equatable, Codable {
    /// Repository-relative path.
    public var path: String
    public var original: String
    public var patched: String
    /// The function the edit is meant to touch, and its span in the original (1-based, inclusive).
    public var function: String
    public var span: ClosedRange<Int>
    /// Original lines before which the recipe may insert new lines outside the function (an import, a module-level
    /// constant); pure insertions only, nothing there is replaced.
    public var insertionPoints: [Int]
    /// One line per change, for the commit message and PR description.
    public var summary: [String]

    public init(
        path: String, original: String, patched: String, function: String, span: ClosedRange<Int>,
        insertionPoints: [Int] = [], summary: [String]
    ) {
        self.path = path
        self.original = original
        self.patched = patched
        self.function = function
        self.span = span
        self.insertionPoints = insertionPoints
        self.summary = summary
    }
}

/// Why a recipe declined to produce a patch.
public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
