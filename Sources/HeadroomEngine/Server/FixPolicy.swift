import HeadroomCore

/// Whether the server attempts a regression's fix by itself or leaves it to a person. An attempt needs all of:
/// automatic fixes on (the operator's `serve --auto-fix`, and the repository's `[policy] auto_fix`, default true); a
/// repository registered for the service (`headroom repos add SERVICE DIR`); a ranked culprit whose confidence is at
/// least `min_confidence` (default 0.5); and a cost of at least `min_cores` cores (default 1.0). The reason says
/// which held it back, with the numbers.
public struct FixPolicy: Sendable, Equatable {
    /// The root-cause confidence an automatic attempt needs unless `[policy] min_confidence` says otherwise.
    public static let defaultMinConfidence = 0.5
    /// The cores a regression must cost unless `[policy] min_cores` says otherwise.
    public static let defaultMinCores = 1.0

    /// The operator's switch.
    public var enabled: Bool

    /// A policy; disabled, every regression is held for a person.
    public init(enabled: Bool = true) { self.enabled = enabled }

    /// What the policy decided, and why.
    public enum Decision: Sendable, Equatable {
        case attempt(String)
        case hold(String)

        /// The reason, whichever the decision.
        public var reason: String {
            switch self {
            case .attempt(let reason), .hold(let reason): reason
            }
        }
    }

    /// Attempt, or hold with the first rule that failed: a registered repository, the service's `[policy]`, the culprit's confidence, the cores.
    public func decide(
        service: String, culprit: RootCauseCandidate?, cores: Double, repository: RegisteredRepository?,
        settings: ProjectSettings.Policy
    ) -> Decision {
        guard enabled else { return .hold("automatic fixes are off (headroom serve --auto-fix off)") }
        guard let repository else {
            return .hold("no repository is registered for \(service) (headroom repos add \(service) DIR)")
        }
        if settings.autoFix == false {
            return .hold("\(repository.name)'s headroom.toml sets policy.auto_fix = false")
        }
        guard let culprit else { return .hold("no culprit was ranked (import its changes and deploys)") }
        let minConfidence = settings.minConfidence ?? Self.defaultMinConfidence
        let minCores = settings.minCores ?? Self.defaultMinCores
        let ref = String(culprit.ref.prefix(12))
        if culprit.confidence < minConfidence {
            return .hold(
                String(
                    format: "the culprit %@ has confidence %.2f, below policy.min_confidence %.2f", ref,
                    culprit.confidence, minConfidence))
        }
        guard cores.isFinite, cores >= minCores else {
            return .hold(String(format: "it costs %.2f cores, below policy.min_cores %.2f", cores, minCores))
        }
        return .attempt(
            String(
                format: "culprit %@ at confidence %.2f (≥ %.2f), %.1f cores (≥ %.1f)", ref, culprit.confidence,
                minConfidence, cores, minCores))
    }
}
