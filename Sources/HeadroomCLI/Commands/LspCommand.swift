import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomLSP

struct LspCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract:
            "A Language Server (LSP 3.17 over stdio) for any editor: regressions and opportunities as diagnostics, hot functions' cost as code lenses, delivered fixes as quick fixes."
    )
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var skills: SkillsOptions
    @Option(help: "The repository (default: the editor's workspace folder).") var repo: String?
    @Option(help: "Interleaved A/B runs per side when an opportunity is fixed from the editor.") var runs: Int?

    func run() async throws {
        let context = try toolContext(store: storeOptions, skills: skills, output: nil, runs: runs)
        let root = try repo.map { try Git(path: $0).root }
        let writer = LSPWriter(handle: FileHandle.standardOutput)
        let agent = AgentService(context: context)
        let server = LanguageServer(
            findings: EditorFindingsService(store: context.store, costs: context.costModel), root: root,
            resolver: { id, progress in
                try JSONValue(encoding: try await agent.resolve(opportunity: id, progress: progress))
            },
            send: { writer.send($0) })
        // Standard input is read on its own thread: the cooperative pool stays free for fixes run from the editor.
        let status: Int32 = await withCheckedContinuation { continuation in
            let reader = Thread {
                var buffer = Data()
                let input = FileHandle.standardInput
                while true {
                    let chunk = input.availableData
                    if chunk.isEmpty { return continuation.resume(returning: 1) }  // the editor went away
                    buffer.append(chunk)
                    let messages: [Data]
                    do {
                        messages = try LSPFraming.take(from: &buffer)
                    } catch {
                        FileHandle.standardError.write(Data("headroom lsp: \(HeadroomError.oneLine(error))\n".utf8))
                        return continuation.resume(returning: 1)
                    }
                    for message in messages {
                        server.handle(message)
                        if let status = server.exitStatus { return continuation.resume(returning: status) }
                    }
                }
            }
            reader.start()
        }
        if status != 0 { throw ExitCode(status) }
    }
}
