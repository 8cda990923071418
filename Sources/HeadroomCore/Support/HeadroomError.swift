/// An error that prints as one clear line for a person, with a stable code for scripts.
public struct HeadroomError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A stable machine-readable category.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's text, as scripts and JSON errors see it.
        public let rawValue: String
        /// A code from its text.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's text.
        public var description: String { rawValue }

        /// The input (a file, an argument, a request) is wrong; the message says how.
        public static let badInput = Code("bad-input")
        /// What was asked for does not exist (a service, a regression, a patch).
        public static let notFound = Code("not-found")
        /// The store could not be opened, read or written.
        public static let store = Code("store")
        /// A process Headroom ran failed or timed out.
        public static let process = Code("process")
        /// A program Headroom needs is not installed (git, py-spy, perf, python3).
        public static let missingTool = Code("missing-tool")
        /// A git command failed.
        public static let git = Code("git")
        /// Headroom declined on purpose (a guardrail, a dirty tree, a forge's refusal).
        public static let refused = Code("refused")
        /// Validation could not judge a patch.
        public static let validation = Code("validation")
        /// A settings file (`headroom.toml`) or environment setting is wrong.
        public static let config = Code("config")
        /// A component answered in a shape its declared type does not allow: a bug in Headroom, not in the input.
        public static let contract = Code("contract")
    }

    /// The category, for scripts and HTTP statuses.
    public var code: Code
    /// The one line a person reads.
    public var message: String
    /// The lower-level cause, kept for logs; never printed in the one-line form.
    public var underlying: String?

    /// An error of `code` with its one-line `message`; `underlying` is kept for logs only.
    public init(_ code: Code, _ message: String, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// The one-line message.
    public var description: String { message }
}

extension HeadroomError {
    /// Renders any error as one line (newlines folded), for stderr.
    public static func oneLine(_ error: any Error) -> String {
        let text = (error as? HeadroomError)?.message ?? String(describing: error)
        return text.split(whereSeparator: \.isNewline).map(String.init).joined(separator: " ")
    }
}
