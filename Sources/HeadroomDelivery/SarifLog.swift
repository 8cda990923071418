import HeadroomCore

/// The subset of SARIF 2.1.0 (OASIS) that Headroom writes: one run, its rules, results with physical locations and
/// properties, and fixes with artifact changes. Property names are the specification's; optional ones are left out
/// when nil (the encoder skips nil optionals), so every object is valid as written.
public struct SarifLog: Sendable, Codable, Equatable {
    /// The SARIF 2.1.0 schema's address (`$schema`).
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    /// `$schema`.
    public var schema: String = SarifLog.schemaURI
    /// The SARIF version, `2.1.0`.
    public var version: String = "2.1.0"
    /// One run per repository.
    public var runs: [Run]

    /// A log of `runs`.
    public init(runs: [Run]) { self.runs = runs }

    enum CodingKeys: String, CodingKey {
        case schema = "$schema"
        case version, runs
    }

    /// One analysis of one repository (SARIF `run`).
    public struct Run: Sendable, Codable, Equatable {
        /// Headroom, with its rules.
        public var tool: Tool
        /// The findings.
        public var results: [Result]
        /// Where `uriBaseId` `SRCROOT` points: the repository's root, so locations stay repository-relative.
        public var originalUriBaseIds: [String: ArtifactLocation]?
        /// Identifies the run's category to code scanning.
        public var automationDetails: AutomationDetails?
        /// The repository, commit and branch analysed.
        public var versionControlProvenance: [VersionControlDetails]?
        /// Headroom's own figures for the run.
        public var properties: [String: JSONValue]?

        /// A run from its fields.
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

    /// SARIF `automationDetails`.
    public struct AutomationDetails: Sendable, Codable, Equatable {
        /// `category/instance`: GitHub code scanning keeps one analysis per category.
        public var id: String
        /// Details with the run's `id` (`category/instance`).
        public init(id: String) { self.id = id }
    }

    /// SARIF `versionControlDetails`.
    public struct VersionControlDetails: Sendable, Codable, Equatable {
        /// The repository's address.
        public var repositoryUri: String
        /// The commit analysed.
        public var revisionId: String?
        /// The branch analysed.
        public var branch: String?
        /// Details from their fields.
        public init(repositoryUri: String, revisionId: String?, branch: String?) {
            self.repositoryUri = repositoryUri
            self.revisionId = revisionId
            self.branch = branch
        }
    }

    /// SARIF `tool`.
    public struct Tool: Sendable, Codable, Equatable {
        /// The analysis tool itself.
        public var driver: Driver
        /// A tool with its `driver`.
        public init(driver: Driver) { self.driver = driver }
    }

    /// SARIF `toolComponent` for the driver.
    public struct Driver: Sendable, Codable, Equatable {
        /// `Headroom`.
        public var name: String
        /// Headroom's version.
        public var version: String
        /// The same, as a semantic version.
        public var semanticVersion: String
        /// Where to read about Headroom.
        public var informationUri: String
        /// The kinds of finding, one rule each.
        public var rules: [Rule]
        /// A driver from its fields; `semanticVersion` is `version`.
        public init(name: String, version: String, informationUri: String, rules: [Rule]) {
            self.name = name
            self.version = version
            self.semanticVersion = version
            self.informationUri = informationUri
            self.rules = rules
        }
    }

    /// SARIF `message`.
    public struct Message: Sendable, Codable, Equatable {
        /// Plain text.
        public var text: String
        /// The same as Markdown, where viewers render it.
        public var markdown: String?
        /// A message from its text and, optionally, Markdown.
        public init(_ text: String, markdown: String? = nil) {
            self.text = text
            self.markdown = markdown
        }
    }

    /// SARIF `reportingDescriptor`: one kind of finding.
    public struct Rule: Sendable, Codable, Equatable {
        /// SARIF `reportingConfiguration`.
        public struct Configuration: Sendable, Codable, Equatable {
            /// `none`, `note`, `warning` or `error`.
            public var level: String
            /// A configuration at `level`.
            public init(level: String) { self.level = level }
        }
        /// The rule's stable id.
        public var id: String
        /// Its name.
        public var name: String
        /// One line on what it finds.
        public var shortDescription: Message
        /// A paragraph on what it finds.
        public var fullDescription: Message
        /// What to do about a finding.
        public var help: Message?
        /// Its default level.
        public var defaultConfiguration: Configuration
        /// Tags and precision for code scanning.
        public var properties: [String: JSONValue]?
        /// A rule from its fields.
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

    /// SARIF `result`: one finding.
    public struct Result: Sendable, Codable, Equatable {
        /// The rule it is of.
        public var ruleId: String
        /// The rule's index in the driver's rules.
        public var ruleIndex: Int
        /// `fail`: the result is a problem to act on (SARIF's default kind for a level).
        public var kind: String
        /// `warning` (the rules' default level).
        public var level: String
        /// What was found, with its figures.
        public var message: Message
        /// Where: the function's lines.
        public var locations: [Location]
        /// Other places that matter (the culprit's lines).
        public var relatedLocations: [Location]?
        /// Stable across runs, so code scanning tracks one alert per target: `headroom/v1` → a hash of the rule,
        /// service, path and function.
        public var partialFingerprints: [String: String]
        /// The validated patch as replacements, when there is one.
        public var fixes: [Fix]?
        /// Headroom's figures for the finding.
        public var properties: [String: JSONValue]?

        /// A result from its fields.
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

    /// SARIF `location`.
    public struct Location: Sendable, Codable, Equatable {
        /// Its id among a result's related locations.
        public var id: Int?
        /// The file and region.
        public var physicalLocation: PhysicalLocation
        /// The function.
        public var logicalLocations: [LogicalLocation]?
        /// What is at this place.
        public var message: Message?
        /// A location from its fields.
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

    /// SARIF `logicalLocation`: a function.
    public struct LogicalLocation: Sendable, Codable, Equatable {
        /// The function's short name.
        public var name: String
        /// Its qualified name.
        public var fullyQualifiedName: String
        /// `function`.
        public var kind: String
        /// A function's logical location.
        public init(name: String, fullyQualifiedName: String) {
            self.name = name
            self.fullyQualifiedName = fullyQualifiedName
            self.kind = "function"
        }
    }

    /// SARIF `physicalLocation`.
    public struct PhysicalLocation: Sendable, Codable, Equatable {
        /// The file.
        public var artifactLocation: ArtifactLocation
        /// The lines in it.
        public var region: Region?
        /// A physical location from its fields.
        public init(artifactLocation: ArtifactLocation, region: Region?) {
            self.artifactLocation = artifactLocation
            self.region = region
        }
    }

    /// SARIF `artifactLocation`.
    public struct ArtifactLocation: Sendable, Codable, Equatable {
        /// The file, relative to `uriBaseId`'s root.
        public var uri: String
        /// `%SRCROOT%`: the repository's root.
        public var uriBaseId: String?
        /// A file location.
        public init(uri: String, uriBaseId: String? = nil) {
            self.uri = uri
            self.uriBaseId = uriBaseId
        }
    }

    /// Lines and columns are 1-based; `endColumn` is exclusive. A region with only lines covers them whole.
    public struct Region: Sendable, Codable, Equatable {
        /// The first line, 1-based.
        public var startLine: Int
        /// The first column, 1-based.
        public var startColumn: Int?
        /// The last line.
        public var endLine: Int?
        /// The column after the last character.
        public var endColumn: Int?
        /// A region from its fields.
        public init(startLine: Int, startColumn: Int? = nil, endLine: Int? = nil, endColumn: Int? = nil) {
            self.startLine = startLine
            self.startColumn = startColumn
            self.endLine = endLine
            self.endColumn = endColumn
        }
    }

    /// SARIF `fix`: a validated patch.
    public struct Fix: Sendable, Codable, Equatable {
        /// What the fix does and what it measured.
        public var description: Message
        /// The files it changes.
        public var artifactChanges: [ArtifactChange]
        /// A fix from its fields.
        public init(description: Message, artifactChanges: [ArtifactChange]) {
            self.description = description
            self.artifactChanges = artifactChanges
        }
    }

    /// SARIF `artifactChange`: one file's replacements.
    public struct ArtifactChange: Sendable, Codable, Equatable {
        /// The file.
        public var artifactLocation: ArtifactLocation
        /// Its replacements, in order.
        public var replacements: [Replacement]
        /// A change from its fields.
        public init(artifactLocation: ArtifactLocation, replacements: [Replacement]) {
            self.artifactLocation = artifactLocation
            self.replacements = replacements
        }
    }

    /// Deletes `deletedRegion` (whole lines: from the start of `startLine` to the start of `endLine`, exclusive,
    /// expressed with columns so an empty region is a pure insertion) and inserts `insertedContent` there.
    public struct Replacement: Sendable, Codable, Equatable {
        /// SARIF `artifactContent`.
        public struct Content: Sendable, Codable, Equatable {
            /// The text inserted.
            public var text: String
            /// Content of `text`.
            public init(text: String) { self.text = text }
        }
        /// The lines replaced.
        public var deletedRegion: Region
        /// What replaces them; nil deletes them.
        public var insertedContent: Content?
        /// A replacement from its fields.
        public init(deletedRegion: Region, insertedContent: Content?) {
            self.deletedRegion = deletedRegion
            self.insertedContent = insertedContent
        }
    }
}
