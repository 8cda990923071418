import HeadroomCore

/// The subset of SARIF 2.1.0 (OASIS) that Headroom writes: one run, its rules, results with physical locations and
/// properties, and fixes with artifact changes. Property names are the specification's; optional ones are left out
/// when nil (the encoder skips nil optionals), so every object is valid as written.
public struct SarifLog: Sendable, Codable, Equatable {
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    public var schema: String = SarifLog.schemaURI
    public var version: String = "2.1.0"
    public var runs: [Run]

    public init(runs: [Run]) { self.runs = runs }

    enum CodingKeys: String, CodingKey {
        case schema = "$schema"
        case version, runs
    }

    public struct Run: Sendable, Codable, Equatable {
        public var tool: Tool
        public var results: [Result]
        /// Where `uriBaseId` `SRCROOT` points: the repository's root, so locations stay repository-relative.
        public var originalUriBaseIds: [String: ArtifactLocation]?
        public var automationDetails: AutomationDetails?
        public var versionControlProvenance: [VersionControlDetails]?
        public var properties: [String: JSONValue]?

        public init(
            tool: Tool, results: [Result], originalUriBaseIds: [String: ArtifactLocation]? = nil,
            automationDetails: AutomationDetails? = nil, versionControlProvenance: [VersionControlDetails]? = nil,
            properties: [String: JSONValue]? = nil
        ) {
            self.tool = tool
            self.results = results
            self.originalUriBaseIds = originalUriBaseIds
            self.automationDetails = automationDetails
            self.versionControlProvenance = versionControlProvenance
            self.properties = properties
        }
    }

    public struct AutomationDetails: Sendable, Codable, Equatable {
        /// `category/instance`: GitHub code scanning keeps one analysis per category.
        public var id: String
        public init(id: String) { self.id = id }
    }

    public struct VersionControlDetails: Sendable, Codable, Equatable {
        public var repositoryUri: String
        public var revisionId: String?
        public var branch: String?
        public init(repositoryUri: String, revisionId: String?, branch: String?) {
            self.repositoryUri = repositoryUri
            self.revisionId = revisionId
            self.branch = branch
        }
    }

    public struct Tool: Sendable, Codable, Equatable {
        public var driver: Driver
        public init(driver: Driver) { self.driver = driver }
    }

    public struct Driver: Sendable, Codable, Equatable {
        public var name: String
        public var version: String
        public var semanticVersion: String
        public var informationUri: String
        public var rules: [Rule]
        public init(name: String, version: String, informationUri: String, rules: [Rule]) {
            self.name = name
            self.version = version
            self.semanticVersion = version
            self.informationUri = informationUri
            self.rules = rules
        }
    }

    public struct Message: Sendable, Codable, Equatable {
        public var text: String
        public var markdown: String?
        public init(_ text: String, markdown: String? = nil) {
            self.text = text
            self.markdown = markdown
        }
    }

    public struct Rule: Sendable, Codable, Equatable {
        public struct Configuration: Sendable, Codable, Equatable {
            /// `none`, `note`, `warning` or `error`.
            public var level: String
            public init(level: String) { self.level = level }
        }
        public var id: String
        public var name: String
        public var shortDescription: Message
        public var fullDescription: Message
        public var help: Message?
        public var defaultConfiguration: Configuration
        public var properties: [String: JSONValue]?
        public init(
            id: String, name: String, short: String, full: String, help: String?, level: String,
            properties: [String: JSONValue]? = nil
        ) {
            self.id = id
            self.name = name
            self.shortDescription = Message(short)
            self.fullDescription = Message(full)
            self.help = help.map { Message($0, markdown: $0) }
            self.defaultConfiguration = Configuration(level: level)
            self.properties = properties
        }
    }

    public struct Result: Sendable, Codable, Equatable {
        public var ruleId: String
        public var ruleIndex: Int
        public var kind: String
        public var level: String
        public var message: Message
        public var locations: [Location]
        public var relatedLocations: [Location]?
        /// Stable across runs, so code scanning tracks one alert per target: `headroom/v1` → a hash of the rule,
        /// service, path and function.
        public var partialFingerprints: [String: String]
        public var fixes: [Fix]?
        public var properties: [String: JSONValue]?

        public init(
            ruleId: String, ruleIndex: Int, level: String, message: Message, locations: [Location],
            relatedLocations: [Location]? = nil, partialFingerprints: [String: String], fixes: [Fix]? = nil,
            properties: [String: JSONValue]? = nil
        ) {
            self.ruleId = ruleId
            self.ruleIndex = ruleIndex
            self.kind = "fail"
            self.level = level
            self.message = message
            self.locations = locations
            self.relatedLocations = relatedLocations
            self.partialFingerprints = partialFingerprints
            self.fixes = fixes
            self.properties = properties
        }
    }

    public struct Location: Sendable, Codable, Equatable {
        public var id: Int?
        public var physicalLocation: PhysicalLocation
        public var logicalLocations: [LogicalLocation]?
        public var message: Message?
        public init(
            id: Int? = nil, physicalLocation: PhysicalLocation, logicalLocations: [LogicalLocation]? = nil,
            message: Message? = nil
        ) {
            self.id = id
            self.physicalLocation = physicalLocation
            self.logicalLocations = logicalLocations
            self.message = message
        }
    }

    public struct LogicalLocation: Sendable, Codable, Equatable {
        public var name: String
        public var fullyQualifiedName: String
        public var kind: String
        public init(name: String, fullyQualifiedName: String) {
            self.name = name
            self.fullyQualifiedName = fullyQualifiedName
            self.kind = "function"
        }
    }

    public struct PhysicalLocation: Sendable, Codable, Equatable {
        public var artifactLocation: ArtifactLocation
        public var region: Region?
        public init(artifactLocation: ArtifactLocation, region: Region?) {
            self.artifactLocation = artifactLocation
            self.region = region
        }
    }

    public struct ArtifactLocation: Sendable, Codable, Equatable {
        public var uri: String
        public var uriBaseId: String?
        public init(uri: String, uriBaseId: String? = nil) {
            self.uri = uri
            self.uriBaseId = uriBaseId
        }
    }

    /// Lines and columns are 1-based; `endColumn` is exclusive. A region with only lines covers them whole.
    public struct Region: Sendable, Codable, Equatable {
        public var startLine: Int
        public var startColumn: Int?
        public var endLine: Int?
        public var endColumn: Int?
        public init(startLine: Int, startColumn: Int? = nil, endLine: Int? = nil, endColumn: Int? = nil) {
            self.startLine = startLine
            self.startColumn = startColumn
            self.endLine = endLine
            self.endColumn = endColumn
        }
    }

    public struct Fix: Sendable, Codable, Equatable {
        public var description: Message
        public var artifactChanges: [ArtifactChange]
        public init(description: Message, artifactChanges: [ArtifactChange]) {
            self.description = description
            self.artifactChanges = artifactChanges
        }
    }

    public struct ArtifactChange: Sendable, Codable, Equatable {
        public var artifactLocation: ArtifactLocation
        public var replacements: [Replacement]
        public init(artifactLocation: ArtifactLocation, replacements: [Replacement]) {
            self.artifactLocation = artifactLocation
            self.replacements = replacements
        }
    }

    /// Deletes `deletedRegion` (whole lines: from the start of `startLine` to the start of `endLine`, exclusive,
    /// expressed with columns so an empty region is a pure insertion) and inserts `insertedContent` there.
    public struct Replacement: Sendable, Codable, Equatable {
        public struct Content: Sendable, Codable, Equatable {
            public var text: String
            public init(text: String) { self.text = text }
        }
        public var deletedRegion: Region
        public var insertedContent: Content?
        public init(deletedRegion: Region, insertedContent: Content?) {
            self.deletedRegion = deletedRegion
            self.insertedContent = insertedContent
        }
    }
}
