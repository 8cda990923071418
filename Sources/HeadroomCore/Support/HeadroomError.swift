/// An error that prints as one clear line for a person, with a stable code for scripts.
public struct HeadroomError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A stable machine-readable category.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let badInput = Code("bad-input")
        public static let notFound = Code("not-found")
        public static let store = Code("store")
        public static let process = Code("process")
        public static let missingTool = Code("missing-tool")
        public static let git = Code("git")
        public static let refused = Code("refused")
        public static let validation = Code("validation")
        public static let config = Code("config")
        /// A component answered in a shape its declared type does not allow: a bug in Headroom, not in the input.
        public static let contract = Code("contract")
    }

    public var code: Code
    public var message: String
    /// The lower-level cause, kept for logs; never printed in the one-line form.
    public var underlying: String?

    public init(_ code: Code, _ message: String, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }
}

extension HeadroomError {
    /// Renders any error as one line (newlines folded), for stderr.
    public static func oneLine(_ error: any Error) -> String {
        let text = (error as? HeadroomError)?.message ?? String(describing: error)
        return text.split(whereSeparator: \.isNewline).map(String.init).joined(separator: " ")
    }
}
