import Foundation
import HeadroomCore

/// Writes a simulated fleet: `series.csv` (long format `series,timestamp,value`, value = CPU share of the
/// service's samples, sorted by series then time), `truth.csv` (one row per series), and optionally folded
/// profiles `profiles/SERVICE/TIMESTAMP.folded` (`main;handlerH;FUNCTION count` plus `main;other count`) for the
/// store path. Services are simulated on all cores in chunks and written in order, so the files depend only on the
/// seed.
public struct FleetSimulationWriter: Sendable {
    public var simulator: FleetSimulator
    public var writeProfiles: Bool

    public init(configuration: SimulationConfiguration, writeProfiles: Bool = false) {
        simulator = FleetSimulator(configuration: configuration)
        self.writeProfiles = writeProfiles
    }

    public struct Summary: Sendable {
        public var series = 0
        public var points = 0
        public var kinds: [SimulatedKind: Int] = [:]
    }

    public func write(to directory: String) throws -> Summary {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let seriesPath = (directory as NSString).appendingPathComponent("series.csv")
        let truthPath = (directory as NSString).appendingPathComponent("truth.csv")
        guard fm.createFile(atPath: seriesPath, contents: nil), fm.createFile(atPath: truthPath, contents: nil),
            let seriesFile = FileHandle(forWritingAtPath: seriesPath),
            let truthFile = FileHandle(forWritingAtPath: truthPath)
        else { throw HeadroomError(.badInput, "\(directory): cannot write there") }
        defer {
            try? seriesFile.close()
            try? truthFile.close()
        }
        try seriesFile.write(contentsOf: Data("series,timestamp,value\n".utf8))
        try truthFile.write(
            contentsOf: Data("series,kind,index,end_index,size_mde,before,after,seasonal,partner\n".utf8))
        let c = simulator.configuration
        let threads = ProcessInfo.processInfo.activeProcessorCount
        let chunk = max(1, min(64, c.services / (threads * 4) + 1))
        var summary = Summary()
        var next = 0
        while next < c.services {
            let count = min(threads * chunk, c.services - next)
            let parts = Results(count: count)
            let first = next
            let simulator = simulator
            let profiles = writeProfiles ? (directory as NSString).appendingPathComponent("profiles") : nil
            DispatchQueue.concurrentPerform(iterations: count) { i in
                let sample = simulator.service(first + i)
                parts.set(i, Self.encode(sample, configuration: c))
                if let profiles { parts.fail(i, Self.writeProfiles(sample, configuration: c, root: profiles)) }
            }
            if let error = parts.error { throw error }
            for part in parts.items {
                try seriesFile.write(contentsOf: part.series)
                try truthFile.write(contentsOf: part.truth)
                summary.series += part.truths.count
                summary.points += part.truths.count * c.points
                for truth in part.truths { summary.kinds[truth.kind, default: 0] += 1 }
            }
            next += count
        }
        return summary
    }

    struct Encoded: Sendable {
        var series = Data()
        var truth = Data()
        var truths: [SimulatedTruth] = []
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var items: [Encoded]
        private(set) var error: (any Error)?
        init(count: Int) { items = Array(repeating: Encoded(), count: count) }
        func set(_ i: Int, _ value: Encoded) {
            lock.lock()
            items[i] = value
            lock.unlock()
        }
        func fail(_ i: Int, _ failure: (any Error)?) {
            guard let failure else { return }
            lock.lock()
            error = failure
            lock.unlock()
        }
    }

    static func encode(_ sample: FleetSimulator.ServiceSample, configuration c: SimulationConfiguration) -> Encoded {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sample.functionNames.count * c.points * 36)
        var stamps: [[UInt8]] = []
        for t in 0..<c.points { stamps.append(Array(String(c.start + Int64(t) * c.interval).utf8)) }
        for (f, name) in sample.functionNames.enumerated() {
            let nameBytes = Array(name.utf8)
            for t in 0..<c.points {
                bytes += nameBytes
                bytes.append(0x2C)
                bytes += stamps[t]
                bytes.append(0x2C)
                appendShare(Double(sample.counts[f][t]) / Double(sample.totals[t]), to: &bytes)
                bytes.append(0x0A)
            }
        }
        var truth = ""
        for row in sample.truths {
            let fields: [String] = [
                row.series, row.kind.rawValue, row.index.map(String.init) ?? "", row.endIndex.map(String.init) ?? "",
                row.sizeMDE.map { String($0) } ?? "", String(format: "%.9f", row.before),
                String(format: "%.9f", row.after),
                row.seasonal ? "1" : "0", row.partner ?? "",
            ]
            truth += fields.joined(separator: ",") + "\n"
        }
        return Encoded(series: Data(bytes), truth: Data(truth.utf8), truths: sample.truths)
    }

    /// A share in [0, 1] as `0.ddddddddd` (nine decimals), without going through String formatting.
    static func appendShare(_ share: Double, to bytes: inout [UInt8]) {
        let scaled = Int((min(max(share, 0), 1) * 1e9).rounded())
        bytes.append(scaled >= 1_000_000_000 ? 0x31 : 0x30)
        bytes.append(0x2E)
        var digits = scaled % 1_000_000_000
        var buffer = [UInt8](repeating: 0x30, count: 9)
        var i = 8
        while digits > 0 {
            buffer[i] = 0x30 + UInt8(digits % 10)
            digits /= 10
            i -= 1
        }
        bytes += buffer
    }

    static func writeProfiles(
        _ sample: FleetSimulator.ServiceSample, configuration c: SimulationConfiguration, root: String
    )
        -> (any Error)?
    {
        let directory = (root as NSString).appendingPathComponent(sample.service)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for t in 0..<c.points {
                var text = ""
                var reported: Int64 = 0
                for (f, name) in sample.functionNames.enumerated() where sample.counts[f][t] > 0 {
                    let function = name.split(separator: ":").last.map(String.init) ?? name
                    text += "main;\(sample.parents[f]);\(function) \(sample.counts[f][t])\n"
                    reported += sample.counts[f][t]
                }
                let other = sample.totals[t] - reported
                if other > 0 { text += "main;other \(other)\n" }
                let path = (directory as NSString).appendingPathComponent("\(c.start + Int64(t) * c.interval).folded")
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            }
            return nil
        } catch {
            return error
        }
    }
}
