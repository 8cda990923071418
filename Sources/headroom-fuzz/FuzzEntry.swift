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
    public func fuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
        fuzzOne(bytes.map { Data(bytes: $0, count: count) } ?? Data())
        return 0
    }

    /// libFuzzer's driver, called from our own `main`: SwiftPM links executables with `main` aliased to the module's
    /// entry symbol, so libFuzzer's own `main` never links in.
    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    @_cdecl("headroom_fuzz_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var arguments = argv
        return runFuzzerDriver(&count, &arguments) { bytes, size in fuzzerTestOneInput(bytes, size) }
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
