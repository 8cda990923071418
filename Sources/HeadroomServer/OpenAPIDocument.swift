import HeadroomCore

/// The OpenAPI 3.1 description of `headroom serve`'s HTTP interface, served at `/api/v1/openapi.json` and checked
/// against the running server by schemathesis (`Tests/serve/openapi_test.py`). Objects allow added fields (the JSON
/// contract adds fields, never renames them); every field listed as required is always written (`null` where a
/// value is absent).
enum OpenAPIDocument {
    static func document() -> JSONValue {
        [
            "openapi": "3.1.0",
            "info": [
                "title": "Headroom", "version": .string(HeadroomVersion.string),
                "description":
                    "Continuous-profiling ingest (Pyroscope-compatible), regressions with their root causes, opportunities, patches and fix jobs. Every route but /healthz needs the server's token when one is set (Bearer, or Basic with the token as the password).",
            ],
            "servers": [["url": "/"]],
            "security": [["bearer": []], ["basic": []]],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer"],
                    "basic": ["type": "http", "scheme": "basic"],
                ],
                "schemas": schemas,
            ],
        ]
    }

    // MARK: Paths

    static var paths: JSONValue {
        [
            "/healthz": [
                "get": operation(
                    "health", summary: "Liveness; needs no token.", security: [],
                    responses: ["200": json(object(["status": string, "version": string]))])
            ],
            "/metrics": [
                "get": operation(
                    "metrics", summary: "Prometheus text format.",
                    responses: ["200": ["description": "metrics", "content": ["text/plain": ["schema": string]]]])
            ],
            "/ingest": [
                "post": operation(
                    "ingest", summary: "Pyroscope's ingest API: one profile for APP.TYPE{labels} over [from, until].",
                    parameters: [
                        query("name", string(minLength: 1), required: true),
                        query("from", string(pattern: "^[0-9]+$")), query("until", string(pattern: "^[0-9]+$")),
                        query("format", ["type": "string", "enum": ["folded", "lines", "pprof"]]),
                        query("sampleRate", string), query("spyName", string), query("units", string),
                        query("aggregationType", string),
                    ],
                    body: [
                        "required": true,
                        "content": [
                            "text/plain": ["schema": string],
                            "application/octet-stream": ["schema": ["type": "string", "format": "binary"]],
                        ],
                    ],
                    responses: ["200": json(ref("IngestOutcome")), "400": error, "413": error])
            ],
            "/push.v1.PusherService/Push": [
                "post": operation(
                    "push", summary: "The agents' Connect push (protobuf PushRequest, gzip allowed).",
                    body: [
                        "required": true,
                        "content": ["application/proto": ["schema": ["type": "string", "format": "binary"]]],
                    ],
                    responses: [
                        "200": ["description": "an empty PushResponse"], "400": error, "413": error, "415": error,
                    ])
            ],
            "/api/v1/openapi.json": [
                "get": operation(
                    "openapi", summary: "This document.", responses: ["200": json(["type": "object"])])
            ],
            "/api/v1/services": [
                "get": operation(
                    "listServices", summary: "Services with profiles.",
                    responses: ["200": json(object(["services": array(ref("Service"))]))])
            ],
            "/api/v1/regressions": [
                "get": operation(
                    "listRegressions", summary: "Stored regressions and improvements, largest first.",
                    parameters: [
                        query("service", string),
                        query("kind", ["type": "string", "enum": ["regression", "improvement"]]),
                    ],
                    responses: ["200": json(object(["regressions": array(ref("Regression"))])), "400": error])
            ],
            "/api/v1/regressions/{id}": [
                "get": operation(
                    "getRegression", summary: "One regression with its stored root-cause candidates.",
                    parameters: [idParameter],
                    responses: ["200": json(ref("RegressionDetail")), "400": error, "404": error])
            ],
            "/api/v1/regressions/{id}/rootcause": [
                "get": operation(
                    "rankRootCauses", summary: "Ranks the changes behind a regression (and stores the ranking).",
                    parameters: [idParameter],
                    responses: ["200": json(ref("RootCauseReport")), "400": error, "404": error])
            ],
            "/api/v1/regressions/{id}/ack": verdict("acknowledge", "A person says: a real regression, known."),
            "/api/v1/regressions/{id}/invalid": verdict("invalidate", "A person says: not a regression."),
            "/api/v1/regressions/{id}/snooze": [
                "post": operation(
                    "snooze", summary: "A person says: not now. Quiet for `seconds`, then open and routed again.",
                    parameters: [idParameter],
                    body: [
                        "required": true,
                        "content": [
                            "application/json": [
                                "schema": object(
                                    ["seconds": ["type": "integer", "minimum": 60, "maximum": 315_360_000]],
                                    optional: ["note": nullable(string(maxLength: 2000))])
                            ]
                        ],
                    ],
                    responses: [
                        "200": json(ref("Regression")), "400": error, "403": error, "404": error, "415": error,
                    ])
            ],
            "/api/v1/inbox/{person}": [
                "get": operation(
                    "inbox",
                    summary:
                        "One person's queue, ranked by cores: regressions they caused or whose code they own, fixes awaiting their review, opportunities in their code.",
                    parameters: [["name": "person", "in": "path", "required": true, "schema": string(minLength: 1)]],
                    responses: ["200": json(ref("Inbox")), "400": error])
            ],
            "/api/v1/program/metrics": [
                "get": operation(
                    "programMetrics",
                    summary: "The program's figures: detection and false positives, fixes and acceptance, savings.",
                    parameters: [query("since", dateTime), query("until", dateTime)],
                    responses: [
                        "200": json(
                            object([
                                "regressions": ["type": "object"], "fixes": ["type": "object"],
                                "savings": ["type": "object"],
                            ])),
                        "400": error,
                    ])
            ],
            "/api/v1/services/{name}/plan": [
                "get": operation(
                    "capacityPlan", summary: "The service's measured cores forecast with 80% and 95% intervals.",
                    parameters: [
                        ["name": "name", "in": "path", "required": true, "schema": string(minLength: 1)],
                        query("horizon", ["type": "integer", "minimum": 1, "maximum": 3650]),
                        query("step", ["type": "string", "enum": ["day", "hour"]]),
                    ],
                    responses: [
                        "200": json(object(["unit": string, "forecast": array(["type": "object"])])), "400": error,
                        "404": error,
                    ])
            ],
            "/api/v1/services/{name}/experiment": [
                "get": operation(
                    "experiment",
                    summary:
                        "The service's profiles with label=control against label=treatment, per function, with significance; with function, a canary check of a fix.",
                    parameters: [
                        ["name": "name", "in": "path", "required": true, "schema": string(minLength: 1)],
                        query("label", string(minLength: 1), required: true),
                        query("control", string(minLength: 1), required: true),
                        query("treatment", string(minLength: 1), required: true),
                        query("function", string), query("metric", ["type": "string", "enum": ["self", "total"]]),
                        query("since", dateTime), query("until", dateTime),
                    ],
                    responses: [
                        "200": json(object(["verdict": string, "functions": array(["type": "object"])])),
                        "400": error, "404": error,
                    ])
            ],
            "/api/v1/opportunities": [
                "get": operation(
                    "listOpportunities", summary: "Ranked opportunities.", parameters: [query("service", string)],
                    responses: ["200": json(object(["opportunities": array(ref("Opportunity"))])), "400": error])
            ],
            "/api/v1/patches": [
                "get": operation(
                    "listPatches", summary: "Patches, newest first.",
                    parameters: [
                        query(
                            "status",
                            [
                                "type": "string",
                                "enum": .array(PatchRecord.Status.allCases.map { .string($0.rawValue) }),
                            ]),
                        query("skill", string),
                    ],
                    responses: ["200": json(object(["patches": array(ref("Patch"))])), "400": error])
            ],
            "/api/v1/patches/{id}/apply": review(
                "applyPatch", "Cherry-picks the patch onto the checked-out branch (or, mark_only, records it).",
                body: ["mark_only": ["type": ["boolean", "null"]], "note": nullable(string(maxLength: 2000))]),
            "/api/v1/patches/{id}/reject": review(
                "rejectPatch", "Records why and deletes the patch's branch (unless keep_branch).",
                body: ["reason": nullable(string(maxLength: 2000)), "keep_branch": ["type": ["boolean", "null"]]]),
            "/api/v1/patches/{id}/publish": [
                "post": operation(
                    "publishPatch",
                    summary:
                        "Pushes a delivered patch's branch and opens (or updates) its pull request on the repository's [forge].",
                    parameters: [idParameter],
                    body: [
                        "required": false,
                        "content": [
                            "application/json": [
                                "schema": object([:], optional: ["remote": nullable(string(maxLength: 200))])
                            ]
                        ],
                    ],
                    responses: [
                        "200": json(ref("Publication")), "400": error, "403": error, "404": error, "409": error,
                        "415": error, "502": error,
                    ])
            ],
            "/api/v1/services/{name}/flame.svg": [
                "get": operation(
                    "serviceFlameGraph", summary: "The service's flame graph over a range (default all time), as SVG.",
                    parameters: [
                        ["name": "name", "in": "path", "required": true, "schema": string(minLength: 1)],
                        query("range", string),
                    ],
                    responses: ["200": svgResponse, "400": error, "404": error])
            ],
            "/api/v1/regressions/{id}/flame.svg": [
                "get": operation(
                    "regressionFlameGraph",
                    summary: "Differential flame graph: after the regression's onset against before it, as SVG.",
                    parameters: [idParameter], responses: ["200": svgResponse, "400": error, "404": error])
            ],
            "/api/v1/jobs": [
                "get": operation(
                    "listJobs", summary: "Fix jobs, newest first.",
                    parameters: [
                        query(
                            "state",
                            ["type": "string", "enum": .array(Job.State.allCases.map { .string($0.rawValue) })])
                    ],
                    responses: ["200": json(object(["jobs": array(ref("Job"))])), "400": error])
            ],
        ]
    }

    static func verdict(_ id: String, _ summary: String) -> JSONValue {
        [
            "post": operation(
                id, summary: summary, parameters: [idParameter],
                body: [
                    "required": false,
                    "content": [
                        "application/json": [
                            "schema": object([:], optional: ["note": nullable(string(maxLength: 2000))])
                        ]
                    ],
                ],
                responses: ["200": json(ref("Regression")), "400": error, "403": error, "404": error, "415": error])
        ]
    }

    static func review(_ id: String, _ summary: String, body: [String: JSONValue]) -> JSONValue {
        [
            "post": operation(
                id, summary: summary, parameters: [idParameter],
                body: ["required": false, "content": ["application/json": ["schema": object([:], optional: body)]]],
                responses: [
                    "200": json(ref("Patch")), "400": error, "403": error, "404": error, "409": error, "415": error,
                ])
        ]
    }

    // MARK: Schemas

    static var schemas: JSONValue {
        let nullableNumber: JSONValue = ["type": ["number", "null"]]
        let time: JSONValue = ["type": "string", "format": "date-time"]
        let regression = object([
            "id": ["type": ["integer", "null"]], "series": string, "service": string, "function": string,
            "file": ["type": ["string", "null"]], "metric": string, "index": integer, "timestamp": time,
            "previous_timestamp": time, "onset": time, "before": nullableNumber, "after": nullableNumber,
            "relative_change": nullableNumber, "absolute_change": nullableNumber,
            "kind": ["type": "string", "enum": ["regression", "improvement"]], "confidence": nullableNumber,
            "p_value": nullableNumber, "mde": nullableNumber, "effect_mde": nullableNumber, "cores": nullableNumber,
            "watts": nullableNumber, "fleet_cores": nullableNumber, "members": array(string),
            "member_changes": array(["type": "object"]),
            "triage": [
                "oneOf": [
                    ["type": "null"],
                    object(
                        [
                            "verdict": [
                                "type": "string", "enum": .array(Triage.Verdict.allCases.map { .string($0.rawValue) }),
                            ],
                            "note": string, "decided_at": time,
                        ], optional: ["snooze_until": ["type": ["string", "null"]]]),
                ]
            ],
        ])
        let candidate = object([
            "kind": string, "ref": string, "author": string, "email": string, "message": string,
            "score": nullableNumber, "confidence": nullableNumber, "evidence": array(string),
        ])
        let inboxItem = object([
            "kind": string, "id": integer, "service": string, "function": string,
            "path": ["type": ["string", "null"]], "cores": nullableNumber, "because": string, "summary": string,
        ])
        var detail = regression
        if case .object(var fields) = detail, case .object(var properties)? = fields["properties"] {
            properties["candidates"] = array(candidate)
            fields["properties"] = .object(properties)
            detail = .object(fields)
        }
        return [
            "Error": object(["error": string]),
            "IngestOutcome": object([
                "services": array(string), "profiles": integer, "duplicates": integer, "samples": integer,
            ]),
            "Service": object(["service": string, "samples": integer, "from": time, "to": time, "buckets": integer]),
            "Regression": regression,
            "RegressionDetail": detail,
            "Candidate": candidate,
            "RootCauseReport": object(["regression": integer, "candidates": array(candidate)]),
            "Opportunity": object(["id": integer], optional: ["service": string, "function": string]),
            "Patch": object(
                ["patch": integer, "status": string, "skill": string],
                optional: ["branch": ["type": ["string", "null"]], "review": string]),
            "Publication": object(
                [
                    "patch": integer, "forge": string, "repo": string, "number": integer, "url": string,
                    "created": ["type": "boolean"], "branch": string, "base": string, "remote": string,
                    "commit": string, "labels": array(string), "seconds": ["type": "number"],
                ],
                optional: ["reviewer": ["type": ["string", "null"]], "reviewer_note": ["type": ["string", "null"]]]),
            "Inbox": object([
                "person": string, "regressions": array(inboxItem), "patches": array(inboxItem),
                "opportunities": array(inboxItem),
            ]),
            "Job": object([
                "id": integer, "kind": string, "subject": string, "regression_id": ["type": ["integer", "null"]],
                "state": ["type": "string", "enum": .array(Job.State.allCases.map { .string($0.rawValue) })],
                "reason": string, "attempts": integer, "lease_owner": ["type": ["string", "null"]],
                "lease_until": ["type": ["string", "null"]], "result": ["type": ["object", "null"]],
                "created_at": time, "updated_at": time,
            ]),
        ]
    }

    // MARK: Building blocks

    static let string: JSONValue = ["type": "string"]
    /// A time in a query: ISO-8601 UTC, or Unix seconds (years 1 to 9999).
    static let dateTime: JSONValue = [
        "anyOf": [
            ["type": "string", "format": "date-time"],
            ["type": "number", "minimum": -62_135_596_800, "maximum": 253_402_300_799],
        ]
    ]
    static let svgResponse: JSONValue = [
        "description": "an SVG document", "content": ["image/svg+xml": ["schema": ["type": "string"]]],
    ]
    static let integer: JSONValue = ["type": "integer"]
    static let error: JSONValue = json(ref("Error"), description: "an error, as {\"error\": \"…\"}")
    static let idParameter: JSONValue = [
        "name": "id", "in": "path", "required": true,
        "schema": ["type": "integer", "format": "int64", "minimum": 1, "maximum": 9_007_199_254_740_992],
    ]

    static func string(minLength: Int? = nil, maxLength: Int? = nil, pattern: String? = nil) -> JSONValue {
        var fields: [String: JSONValue] = ["type": "string"]
        if let minLength { fields["minLength"] = .number(Double(minLength)) }
        if let maxLength { fields["maxLength"] = .number(Double(maxLength)) }
        if let pattern { fields["pattern"] = .string(pattern) }
        return .object(fields)
    }

    /// The schema, or `null` (an absent value).
    static func nullable(_ schema: JSONValue) -> JSONValue { ["oneOf": [["type": "null"], schema]] }

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }

    /// An object whose `required` properties are always present; more may be added.
    static func object(_ required: [String: JSONValue], optional: [String: JSONValue] = [:]) -> JSONValue {
        [
            "type": "object", "properties": .object(required.merging(optional) { a, _ in a }),
            "required": .array(required.keys.sorted().map { .string($0) }), "additionalProperties": true,
        ]
    }

    static func json(_ schema: JSONValue, description: String = "OK") -> JSONValue {
        ["description": .string(description), "content": ["application/json": ["schema": schema]]]
    }

    static func query(_ name: String, _ schema: JSONValue, required: Bool = false) -> JSONValue {
        ["name": .string(name), "in": "query", "required": .bool(required), "schema": schema]
    }

    static func operation(
        _ id: String, summary: String, security: JSONValue? = nil, parameters: [JSONValue] = [],
        body: JSONValue? = nil, responses: [String: JSONValue]
    ) -> JSONValue {
        var fields: [String: JSONValue] = ["operationId": .string(id), "summary": .string(summary)]
        if let security { fields["security"] = security }
        if !parameters.isEmpty { fields["parameters"] = .array(parameters) }
        if let body { fields["requestBody"] = body }
        var answers = responses
        if security == nil { answers["401"] = error }
        fields["responses"] = .object(answers)
        return .object(fields)
    }
}
