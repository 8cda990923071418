/// Settings of `headroom demo`.
public struct DemoOptions: Sendable {
    /// A fresh folder for the example repository, profiles, store and PR description.
    public var workdir: String
    /// The bundled example (`Examples/shop`); nil finds it next to the executable or the current directory.
    public var example: String?
    /// The store; nil puts it in the workdir (`.headroom/headroom.sqlite`).
    public var store: String?
    /// Seconds of load profiled per deploy.
    public var profileSeconds: Double
    /// py-spy sampling rate, Hz.
    public var sampleRate: Int
    /// A/B runs of each side.
    public var abRuns: Int
    /// The Skills folder; nil finds it like the example.
    public var skills: String?

    /// Options; nil paths take the demo's defaults.
    public init(
        workdir: String = "headroom-demo", example: String? = nil, store: String? = nil, profileSeconds: Double = 4,
        sampleRate: Int = 250, abRuns: Int = 12, skills: String? = nil
    ) {
        self.skills = skills
        self.workdir = workdir
        self.example = example
        self.store = store
        self.profileSeconds = profileSeconds
        self.sampleRate = sampleRate
        self.abRuns = abRuns
    }
}
