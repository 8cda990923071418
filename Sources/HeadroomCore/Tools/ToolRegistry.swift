import Foundation

/// How a tool may affect the world, as MCP's tool annotations describe it.
public struct ToolAnnotations: Sendable, Equatable, Codable {
    /// Changes nothing anywhere.
    public var readOnly: Bool
    /// May destroy or overwrite something (only meaningful when not read-only).
    public var destructive: Bool
    /// Calling it twice with the same input has no further effect.
    public var idempotent: Bool
    /// Reaches beyond Headroom's own records: runs a repository's commands (tests, benchmarks), whose effects
    /// Headroom cannot bound.
    public var openWorld: Bool

    /// Annotations; a tool is idempotent and closed-world unless said otherwise.
    public init(readOnly: Bool, destructive: Bool = false, idempotent: Bool = true, openWorld: Bool = false) {
        self.readOnly = readOnly
        self.destructive = destructive
        self.idempotent = idempotent
        self.openWorld = openWorld
    }

    // Records stored before `openWorld` existed decode as closed-world.
    /// Reads records stored before `openWorld` existed as closed-world.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        readOnly = try c.decode(Bool.self, forKey: .readOnly)
        destructive = try c.decode(Bool.self, forKey: .destructive)
        idempotent = try c.decode(Bool.self, forKey: .idempotent)
        openWorld = try c.decodeIfPresent(Bool.self, forKey: .openWorld) ?? false
    }

    /// Reads only, changes nothing.
    public static let readOnly = ToolAnnotations(readOnly: true)
}

/// One tool: does one thing, described for people and models, with JSON-schema input and output.
public struct Tool: Sendable {
    /// The wire name (see ``ToolName``).
    public var name: String
    /// What it does, for people and models.
    public var description: String
    /// JSON Schema of its arguments; calls are validated against it.
    public var inputSchema: JSONValue
    /// JSON Schema of its answer's top-level fields (documented, not exhaustive).
    public var outputSchema: JSONValue
    /// How it may affect the world.
    public var annotations: ToolAnnotations
    /// Runs it on validated arguments.
    public var handler: @Sendable (JSONValue) throws -> JSONValue

    /// A tool answering in JSON it builds itself; prefer the typed initializer with a ``ToolSignature``.
    public init(
        name: String, description: String, inputSchema: JSONValue, outputSchema: JSONValue,
        annotations: ToolAnnotations, handler: @escaping @Sendable (JSONValue) throws -> JSONValue
    ) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.annotations = annotations
        self.handler = handler
    }

    /// A tool whose handler answers with its signature's type, encoded as every adapter sends it.
    public init<Output>(
        _ signature: ToolSignature<Output>, description: String, inputSchema: JSONValue, outputSchema: JSONValue,
        annotations: ToolAnnotations, handler: @escaping @Sendable (JSONValue) throws -> Output
    ) {
        self.init(
            name: signature.name.rawValue, description: description, inputSchema: inputSchema,
            outputSchema: outputSchema, annotations: annotations
        ) { arguments in
            let output = try handler(arguments)
            if let json = output as? JSONValue { return json }
            return try JSONValue(encoding: output)
        }
    }
}

/// The one registry the CLI, the agents and the MCP server call tools through.
public struct ToolRegistry: Sendable {
    /// The tools, in the order registered.
    public private(set) var tools: [Tool] = []

    /// A registry of `tools`.
    public init(_ tools: [Tool] = []) {
        for tool in tools { register(tool) }
    }

    /// Adds a tool, replacing one of the same name.
    public mutating func register(_ tool: Tool) {
        tools.removeAll { $0.name == tool.name }
        tools.append(tool)
    }

    /// The tool of that name, if registered.
    public func tool(named name: String) -> Tool? { tools.first { $0.name == name } }

    /// Validates `arguments` against the tool's input schema, then runs it. Unknown tools and bad arguments are
    /// `badInput` errors naming the problem.
    public func call(_ name: String, _ arguments: JSONValue = [:]) throws -> JSONValue {
        guard let tool = tool(named: name) else {
            throw HeadroomError(
                .badInput, "no tool named \(name) (tools: \(tools.map(\.name).joined(separator: ", ")))")
        }
        try SchemaCheck.validate(arguments, against: tool.inputSchema, at: "\(name)")
        return try tool.handler(arguments)
    }

    /// Calls a tool and decodes its answer into the tool's declared type.
    public func call<Output>(_ signature: ToolSignature<Output>, _ arguments: JSONValue = [:]) throws -> Output {
        try Self.decode(try call(signature.name.rawValue, arguments), as: signature)
    }

    /// A tool's JSON answer as its declared type; an answer that does not fit is a `contract` error naming the tool,
    /// never a silently defaulted field.
    public static func decode<Output>(_ answer: JSONValue, as signature: ToolSignature<Output>) throws -> Output {
        if let json = answer as? Output { return json }
        do {
            return try answer.decodeAnswer(Output.self)
        } catch {
            throw HeadroomError(
                .contract, "\(signature.name.rawValue) answered in an unexpected shape: \(error)")
        }
    }
}

/// The subset of JSON Schema the tools use: `type` (object, string, integer, number, boolean, array), `properties`,
/// `required`, `enum`, `items`, `minimum`, `additionalProperties: false`.
public enum SchemaCheck {
    /// Throws a `badInput` error naming the path of the first value that does not fit `schema`.
    public static func validate(_ value: JSONValue, against schema: JSONValue, at path: String) throws {
        func fail(_ message: String) -> HeadroomError { HeadroomError(.badInput, "\(path): \(message)") }
        if let type = schema["type"]?.stringValue {
            let ok: Bool
            switch (type, value) {
            case ("object", .object), ("string", .string), ("boolean", .bool), ("array", .array), ("null", .null):
                ok = true
            case ("number", .number): ok = true
            case ("integer", .number(let n)): ok = n.rounded() == n
            default: ok = false
            }
            guard ok else { throw fail("expected \(type), got \(value.description.prefix(40))") }
        }
        if let choices = schema["enum"]?.arrayValue, !choices.contains(value) {
            throw fail("must be one of \(choices.map(\.description).joined(separator: ", "))")
        }
        if let minimum = schema["minimum"]?.doubleValue, let n = value.doubleValue, n < minimum {
            throw fail("must be at least \(minimum)")
        }
        if case .object(let fields) = value {
            let properties = schema["properties"]?.objectValue ?? [:]
            for required in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            where fields[required] == nil {
                throw fail("missing required argument `\(required)`")
            }
            if schema["additionalProperties"] == .bool(false),
                let extra = fields.keys.sorted().first(where: { properties[$0] == nil })
            {
                throw fail(
                    "unknown argument `\(extra)` (arguments: \(properties.keys.sorted().joined(separator: ", ")))")
            }
            for (key, field) in fields {
                if let sub = properties[key], field != .null { try validate(field, against: sub, at: "\(path).\(key)") }
            }
        }
        if case .array(let items) = value, let itemSchema = schema["items"] {
            for (i, item) in items.enumerated() { try validate(item, against: itemSchema, at: "\(path)[\(i)]") }
        }
    }
}

/// Builders for the small schemas tools declare.
public enum Schema {
    /// An object schema with these properties; no others are allowed.
    public static func object(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        [
            "type": "object", "properties": .object(properties), "required": .array(required.map { .string($0) }),
            "additionalProperties": false,
        ]
    }
    /// A string schema, optionally limited to `choices`.
    public static func string(_ description: String, enum choices: [String]? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "string", "description": .string(description)]
        if let choices { schema["enum"] = .array(choices.map { .string($0) }) }
        return .object(schema)
    }
    /// An integer schema, optionally with a minimum.
    public static func integer(_ description: String, minimum: Int? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "integer", "description": .string(description)]
        if let minimum { schema["minimum"] = .number(Double(minimum)) }
        return .object(schema)
    }
    /// A number schema.
    public static func number(_ description: String) -> JSONValue {
        ["type": "number", "description": .string(description)]
    }
    /// A boolean schema.
    public static func boolean(_ description: String) -> JSONValue {
        ["type": "boolean", "description": .string(description)]
    }
    /// An output schema: an object with the named top-level fields (documented, not exhaustive).
    public static func output(_ properties: [String: JSONValue]) -> JSONValue {
        ["type": "object", "properties": .object(properties)]
    }
    /// An array schema of `items`.
    public static func array(_ items: JSONValue, _ description: String = "") -> JSONValue {
        ["type": "array", "items": items, "description": .string(description)]
    }
    /// Any value.
    public static let any: JSONValue = [:]
}
