import Foundation
import HeadroomCore
import HeadroomProfiles

/// Feeds one input to every parser: forced pprof, folded and perf, and autodetection (which also takes the gzip
/// path when the input starts with gzip's magic). Any outcome but a crash or a hang is a pass: bad input must
/// end in a `HeadroomError`.
func fuzzOne(_ data: Data) {
    for format in [ProfileFormat?.none, .pprof, .folded, .perf] {
        _ = try? ProfileReader.read(data: data, source: "fuzz-input", options: ProfileReadOptions(format: format))
    }
}

#if HEADROOM_FUZZ
/// libFuzzer's entry point; scripts/fuzz.sh builds this target with `-sanitize=fuzzer -D HEADROOM_FUZZ`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    fuzzOne(Data(bytes: bytes, count: count))
    return 0
}
#else
/// Without the fuzzer: replays files (a corpus, a crash reproducer) through the parsers and prints each outcome.
@main
struct FuzzReplay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): cannot read")
                continue
            }
            fuzzOne(data)
            do {
                let read = try ProfileReader.read(data: data, source: path)
                print("\(path): \(read.format.rawValue), \(read.profile.totalSamples) samples")
            } catch {
                print(HeadroomError.oneLine(error))
            }
        }
    }
}
#endif
