/// The version Headroom reports to MCP clients and in transcripts.
public enum HeadroomVersion {
    public static let string = "0.7.0"
}
