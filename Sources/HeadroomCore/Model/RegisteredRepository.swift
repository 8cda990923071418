/// A repository an operator registered: tools name it by `name`, never by a path of the caller's choosing.
public struct RegisteredRepository: Sendable, Codable, Equatable {
    /// The id tools take (by default the service the repository builds).
    public var name: String
    /// The repository's top-level folder, symlinks resolved.
    public var root: String
    /// The service whose profiles it serves, if one was named.
    public var service: String?
    /// When it was registered, ISO-8601 UTC.
    public var addedAt: String

    /// A registration from its fields.
    public init(name: String, root: String, service: String?, addedAt: String) {
        self.name = name
        self.root = root
        self.service = service
        self.addedAt = addedAt
    }

    enum CodingKeys: String, CodingKey {
        case name, root, service
        case addedAt = "added_at"
    }

    /// `service` is written as null when unknown (every field is always present).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(root, forKey: .root)
        try c.encode(service, forKey: .service)
        try c.encode(addedAt, forKey: .addedAt)
    }
}
