/// The result of an ingest.
public enum IngestOutcome: Sendable, Equatable {
    case ingested(bucket: Int64)
    /// The same content was ingested for this service before; nothing changed.
    case duplicate
}
