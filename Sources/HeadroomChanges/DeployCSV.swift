import Foundation
import HeadroomCore

/// One row of a deploy file.
public struct DeployRow: Sendable, Equatable {
    public var line: Int
    public var time: Int64
    public var service: String
    /// A full sha or a unique prefix, resolved against imported commits later.
    public var commit: String
}

/// Reads `timestamp,service,commit` deploy files (header required, columns in any order, extra columns ignored).
///
/// Each service's rows must be in time order: a deploy makes live the commits since that service's previous deploy,
/// so an out-of-order row would silently assign commits to the wrong deploy. Errors name the line.
public enum DeployCSV {
    public static func parse(_ text: String, name: String) throws -> [DeployRow] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
            (number: $0.offset + 1, text: $0.element.trimmingCharacters(in: CharacterSet(charactersIn: "\r \t")))
        }.filter { !$0.text.isEmpty && !$0.text.hasPrefix("#") }[...]
        guard let header = lines.popFirst() else { throw HeadroomError(.badInput, "\(name): empty deploy file") }
        let columns = header.text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let t = columns.firstIndex(of: "timestamp"), let s = columns.firstIndex(of: "service"),
            let c = columns.firstIndex(of: "commit")
        else {
            throw HeadroomError(
                .badInput,
                "\(name):\(header.number): the header must name timestamp, service and commit "
                    + "(got '\(header.text.prefix(80))')")
        }
        var rows: [DeployRow] = []
        var last: [String: (time: Int64, line: Int)] = [:]
        for (number, text) in lines {
            let cells = text.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count >= columns.count else {
                throw HeadroomError(.badInput, "\(name):\(number): expected \(columns.count) cells, got \(cells.count)")
            }
            guard let time = Timestamps.parse(cells[t]) else {
                throw HeadroomError(
                    .badInput, "\(name):\(number): '\(cells[t].prefix(40))' is not a time (ISO-8601 or Unix seconds)")
            }
            let service = cells[s]
            guard !service.isEmpty else { throw HeadroomError(.badInput, "\(name):\(number): empty service") }
            guard !cells[c].isEmpty else { throw HeadroomError(.badInput, "\(name):\(number): empty commit") }
            if let previous = last[service], time < previous.time {
                throw HeadroomError(
                    .badInput,
                    "\(name):\(number): deploy of \(service) at \(Timestamps.format(time)) is "
                        + "earlier than line \(previous.line) (\(Timestamps.format(previous.time))); list each service's deploys in time order"
                )
            }
            last[service] = (time, number)
            rows.append(DeployRow(line: number, time: time, service: service, commit: cells[c]))
        }
        return rows
    }
}
