import Foundation
import HeadroomCore
import HeadroomSkills
import HeadroomSource
import HeadroomTesting
import Testing

/// The Go recipes on small packages: each edit passes the guardrails and `go vet`, and each refusal names its reason.
@Suite("Go skills: the helper, the six recipes and their refusals", .serialized, .ownThreads)
struct GoSkillTests {
    /// A one-package module committed in a scratch repository; `apply` runs a recipe on `file` and, when it
    /// delivers, checks the guardrails and that the patched package still vets and builds.
    struct Module {
        let repository: ScratchRepository
        let base: String
        let files: [String: String]

        init(_ files: [String: String]) throws {
            repository = try ScratchRepository()
            var all = files
            all["go.mod"] = "module example.com/m\n\ngo 1.19\n"
            base = try repository.commit(all, message: "module")
            self.files = all
        }

        func apply(_ recipe: String, file: String, function: String) throws -> SourceEdit {
            let edit = try GoRecipe(name: recipe).apply(
                RecipeInput(
                    repository: repository.path, baseCommit: base, path: file, source: files[file]!,
                    function: function))
            try Guardrails().check(edit, recipe: GoRecipe(name: recipe))
            try edit.patched.write(toFile: repository.directory.file(file), atomically: true, encoding: .utf8)
            let vet = try Shell.run(["go", "vet", "./..."], in: repository.path, timeout: 300)
            #expect(vet.succeeded, "go vet: \(vet.stderr)\n\(edit.patched)")
            return edit
        }

        func refusal(_ recipe: String, file: String, function: String) throws -> String {
            do {
                _ = try GoRecipe(name: recipe).apply(
                    RecipeInput(
                        repository: repository.path, baseCommit: base, path: file, source: files[file]!,
                        function: function))
                return "(delivered)"
            } catch let refusal as Refusal {
                return refusal.reason
            }
        }
    }

    @Test("pprof names map to declared functions: package path, receivers, closures and wrappers")
    func names() {
        #expect(GoNames.local("example.com/shop/cart.(*Cart).Total") == "(*Cart).Total")
        #expect(GoNames.enclosing("example.com/shop/cart.(*Cart).Total.func1.2") == "(*Cart).Total")
        #expect(GoNames.enclosing("main.handle.gowrap1") == "handle")
        #expect(GoNames.short("example.com/shop/cart.Price.Add") == "Add")
        #expect(GoNames.enclosing("regexp.MustCompile") == "MustCompile")
        #expect(FunctionRef.goPlain("example.com/shop/cart.(*Cart).Total.func1") == "cart.Cart.Total")
        #expect(FunctionRef.goPlain("(*Cart).Total") == "Cart.Total")
        #expect(FunctionRef.goPlain("shop.cart.Cart.total") == "shop.cart.Cart.total")  // not Go: unchanged
        #expect(FunctionRef.goPlain("ns::f(void (*)(int))") == "ns::f(void (*)(int))")
    }

    @Test("go test -bench output: seconds per op from ns/op, summed over benchmarks; nil without one")
    func benchmarkOutput() {
        let output = """
            goos: linux
            BenchmarkParse-2   \t     150\t  38430656 ns/op\t  120 B/op
            BenchmarkOther-2   \t    1000\t   1569344 ns/op
            PASS
            ok  \texample.com/x\t5.9s
            """
        #expect(abs(Validator.goBenchmarkSeconds(output)! - 0.040_000_000) < 1e-9)
        #expect(Validator.goBenchmarkSeconds("PASS\nok x 0.1s\n") == nil)
    }

    @Test("functions are named as pprof names them; a file that does not parse is listed with its error")
    func functions() throws {
        let (spans, errors) = try GoAST().functions(files: [
            (
                "a.go",
                "package a\n\ntype T struct{}\n\nfunc (t *T) M() {}\n\nfunc (t T) N() int {\n\treturn 1\n}\n\nfunc F() {}\n"
            ),
            ("b.go", "package a\n\nfunc {\n"),
        ])
        #expect(spans["a.go"]?.map(\.name) == ["(*T).M", "T.N", "F"])
        #expect(spans["a.go"]?[1] == FunctionSpan(name: "T.N", start: 7, end: 9))
        #expect(errors["b.go"] != nil)
        #expect(try GoAST().syntaxError(source: "package a\nfunc f( {}\n", path: "a.go") != nil)
        // Call sites resolve methods by type: U.M is another method, v.M calls (*T).M through an addressable value.
        let sites = try GoAST().callSites(
            of: "(*T).M",
            files: [
                (
                    "a.go",
                    "package a\n\ntype T struct{}\n\nfunc (t *T) M(x int) int { return x }\n\ntype U struct{}\n\n"
                        + "func (U) M(x int) int { return x }\n"
                ),
                (
                    "b.go",
                    "package a\n\nfunc F(t *T, u U, xs []int) int {\n\ts := t.M(1)\n\tfor _, x := range xs {\n"
                        + "\t\ts += t.M(x) + u.M(x)\n\t}\n\tvar v T\n\treturn s + v.M(2)\n}\n"
                ),
            ])
        #expect(sites.map(\.line) == [4, 6, 9] && sites.map(\.inLoop) == [false, true, false])
        #expect(sites.allSatisfy { $0.path == "b.go" && $0.caller == "F" } && sites[1].arguments == ["x"])
    }

    @Test("go-regex-hoist: constant patterns become package vars; Compile keeps its error; run-time patterns refused")
    func regexHoist() throws {
        let source = """
            package m

            import "regexp"

            // Valid says whether s is a dotted quad with a known verb.
            func Valid(s, verb string) (bool, error) {
            \tif !regexp.MustCompile(`^\\d+(\\.\\d+){3}$`).MatchString(s) {
            \t\treturn false, nil
            \t}
            \tre, err := regexp.Compile(`^(GET|PUT)$`)
            \tif err != nil {
            \t\treturn false, err
            \t}
            \treturn re.MatchString(verb), nil
            }

            // Route matches a path under prefix.
            func Route(prefix, path string) bool {
            \treturn regexp.MustCompile("^" + prefix + `/\\d+$`).MatchString(path)
            }

            """
        let module = try Module(["m.go": source])
        let edit = try module.apply("go-regex-hoist", file: "m.go", function: "Valid")
        #expect(edit.patched.contains("validRE  = regexp.MustCompile(`^\\d+(\\.\\d+){3}$`)"))
        #expect(edit.patched.contains("re, err := validRE2, error(nil)"))
        #expect(edit.patched.contains("if !validRE.MatchString(s) {"))
        #expect(try module.refusal("go-regex-hoist", file: "m.go", function: "Route").contains("built at run time"))
    }

    @Test("go-log-guard: eager debug calls wrapped in Enabled(LevelDebug) with their feeders; side effects refused")
    func logGuard() throws {
        let logger = """
            package m

            // Level orders messages.
            type Level int

            // Levels.
            const (
            \tLevelDebug Level = iota
            \tLevelInfo
            )

            // Logger writes messages at or above Min.
            type Logger struct{ Min Level }

            // Enabled says whether level is written.
            func (l *Logger) Enabled(level Level) bool { return level >= l.Min }

            // Debugf logs at debug level.
            func (l *Logger) Debugf(format string, args ...interface{}) {}

            """
        let work = """
            package m

            import (
            \t"encoding/json"
            \t"fmt"
            )

            // Work logs each item.
            func Work(log *Logger, items []int) int {
            \ttotal := 0
            \tfor _, it := range items {
            \t\traw, _ := json.Marshal(it)
            \t\tlog.Debugf("item %s", string(raw))
            \t\tlog.Debugf("total %s", fmt.Sprint(total))
            \t\ttotal += it
            \t}
            \treturn total
            }

            type counter struct{ n int }

            func (c *counter) next() int {
            \tc.n++
            \treturn c.n
            }

            // Count logs an id per item.
            func Count(log *Logger, c *counter, items []int) {
            \tfor range items {
            \t\tlog.Debugf("id %d", c.next())
            \t}
            }

            """
        let module = try Module(["log.go": logger, "work.go": work])
        let edit = try module.apply("go-log-guard", file: "work.go", function: "Work")
        #expect(
            edit.patched.contains(
                "\t\tif log.Enabled(LevelDebug) {\n\t\t\traw, _ := json.Marshal(it)\n\t\t\tlog.Debugf(\"item %s\", string(raw))\n\t\t}"
            ))
        #expect(
            edit.patched.contains("\t\tif log.Enabled(LevelDebug) {\n\t\t\tlog.Debugf(\"total %s\", fmt.Sprint(total))")
        )
        #expect(try module.refusal("go-log-guard", file: "work.go", function: "Count").contains("side effects"))
    }

    @Test("go-string-builder: += in a loop becomes one builder, strings imported; reads inside the loop refused")
    func stringBuilder() throws {
        let source = """
            package m

            import "fmt"

            // Lines renders one line per item.
            func Lines(items []int) string {
            \tout := ""
            \tfor _, it := range items {
            \t\tout += fmt.Sprint(it) + "\\n"
            \t}
            \treturn out
            }

            // Joined separates items by commas.
            func Joined(items []string) string {
            \tout := ""
            \tfor _, it := range items {
            \t\tif out != "" {
            \t\t\tout += ","
            \t\t}
            \t\tout += it
            \t}
            \treturn out
            }

            """
        let module = try Module(["m.go": source])
        let edit = try module.apply("go-string-builder", file: "m.go", function: "Lines")
        #expect(edit.patched.contains("import \"fmt\"\nimport \"strings\"\n"))  // a new line: nothing else changes
        #expect(edit.patched.contains("\tvar outBuilder strings.Builder\n\tfor _, it := range items {"))
        #expect(!edit.patched.contains("outBuilder.WriteString(out)"))  // provably empty before the loop
        #expect(edit.patched.contains("\tout = outBuilder.String()\n\treturn out"))
        #expect(
            try module.refusal("go-string-builder", file: "m.go", function: "Joined").contains("read inside the loop"))
    }

    @Test("go-preallocate: nil slices stay nil, empty ones get a capacity; conditional appends refused")
    func preallocate() throws {
        let source = """
            package m

            // Doubles doubles each value.
            func Doubles(xs []int) []int {
            \tvar out []int
            \tfor _, x := range xs {
            \t\tout = append(out, 2*x)
            \t}
            \treturn out
            }

            // Names lists the keys.
            func Names(m map[string]int) []string {
            \tout := []string{}
            \tfor k := range m {
            \t\tout = append(out, k)
            \t}
            \treturn out
            }

            // Evens keeps the even values.
            func Evens(xs []int) []int {
            \tvar out []int
            \tfor _, x := range xs {
            \t\tif x%2 == 0 {
            \t\t\tout = append(out, x)
            \t\t}
            \t}
            \treturn out
            }

            """
        let module = try Module(["m.go": source])
        let nilEdit = try module.apply("go-preallocate", file: "m.go", function: "Doubles")
        #expect(nilEdit.patched.contains("\tif n := len(xs); n > 0 {\n\t\tout = make([]int, 0, n)\n\t}"))
        let fresh = try Module(["m.go": source])
        let mapEdit = try fresh.apply("go-preallocate", file: "m.go", function: "Names")
        #expect(mapEdit.patched.contains("out := make([]string, 0, len(m))"))
        #expect(try fresh.refusal("go-preallocate", file: "m.go", function: "Evens").contains("conditional"))
    }

    @Test("go-loop-invariant: pure calls, map reads and json.Marshal hoisted; inputs assigned in the loop refused")
    func loopInvariant() throws {
        let source = """
            package m

            import (
            \t"encoding/json"
            \t"fmt"
            \t"strings"
            )

            // Config is a settings record.
            type Config struct{ Name string }

            // Tag marks items that start with prefix, with the config attached.
            func Tag(items []string, prefix string, cfg Config, weights map[string]int) ([]string, int, error) {
            \tvar out []string
            \tsum := 0
            \tfor _, it := range items {
            \t\tdata, err := json.Marshal(cfg)
            \t\tif err != nil {
            \t\t\treturn nil, 0, err
            \t\t}
            \t\tif strings.HasPrefix(it, strings.ToLower(prefix)) {
            \t\t\tout = append(out, it+string(data))
            \t\t}
            \t\tsum += weights[prefix]
            \t}
            \treturn out, sum, nil
            }

            // Check fails on the first bad value; the message is built only then.
            func Check(values []int, name string) error {
            \tfor _, v := range values {
            \t\tif v < 0 {
            \t\t\treturn fmt.Errorf("%s: %s", strings.ToUpper(name), "negative")
            \t\t}
            \t}
            \treturn nil
            }

            // Sections lower-cases the running section name per token.
            func Sections(tokens []string) []string {
            \tsection := "intro"
            \tvar out []string
            \tfor _, t := range tokens {
            \t\tif strings.HasPrefix(t, "#") {
            \t\t\tsection = t
            \t\t}
            \t\tout = append(out, strings.ToLower(section))
            \t}
            \treturn out
            }

            """
        let module = try Module(["m.go": source])
        let edit = try module.apply("go-loop-invariant", file: "m.go", function: "Tag")
        #expect(edit.patched.contains("\tcachedData, cachedErr := json.Marshal(cfg)\n"))
        #expect(edit.patched.contains("\t\tdata, err := cachedData, cachedErr\n"))
        #expect(edit.patched.contains("toLowerPrefix := strings.ToLower(prefix)"))
        #expect(edit.patched.contains("sum += weightsPrefix"))
        #expect(
            try module.refusal("go-loop-invariant", file: "m.go", function: "Sections").contains(
                "`section` is assigned inside the loop"))
        // Only what runs on every iteration: the error path's message is not computed up front.
        #expect(
            try module.refusal("go-loop-invariant", file: "m.go", function: "Check").contains("nothing loop-invariant"))
    }

    @Test("go-defer-loop: defers run at the end of the iteration in reverse order; an early continue refused")
    func deferLoop() throws {
        let source = """
            package m

            import "sync"

            var pool = sync.Pool{New: func() interface{} { return new([]byte) }}

            // Sizes reads each item under the lock, with a pooled scratch slice.
            func Sizes(mu *sync.Mutex, items []string) int {
            \ttotal := 0
            \tfor _, it := range items {
            \t\tmu.Lock()
            \t\tdefer mu.Unlock()
            \t\tbuf := pool.Get().(*[]byte)
            \t\tdefer pool.Put(buf)
            \t\ttotal += len(it)
            \t}
            \treturn total
            }

            // Skip is the same but skips empty items.
            func Skip(items []string) int {
            \ttotal := 0
            \tfor _, it := range items {
            \t\tbuf := pool.Get().(*[]byte)
            \t\tdefer pool.Put(buf)
            \t\tif it == "" {
            \t\t\tcontinue
            \t\t}
            \t\ttotal += len(it)
            \t}
            \treturn total
            }

            """
        let module = try Module(["m.go": source])
        let edit = try module.apply("go-defer-loop", file: "m.go", function: "Sizes")
        #expect(edit.patched.contains("\t\ttotal += len(it)\n\t\tpool.Put(buf)\n\t\tmu.Unlock()\n\t}"))
        #expect(!edit.patched.contains("defer mu.Unlock()") && !edit.patched.contains("defer pool.Put(buf)\n\t\ttotal"))
        #expect(try module.refusal("go-defer-loop", file: "m.go", function: "Skip").contains("`continue` at line"))
    }

    @Test("a Go recipe refuses a test file and a function that is not there")
    func safety() throws {
        let module = try Module(["m_test.go": "package m\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n"])
        let input = RecipeInput(
            repository: module.repository.path, baseCommit: module.base, path: "m_test.go",
            source: module.files["m_test.go"]!, function: "Missing")
        #expect(throws: Refusal.self) { try GoRecipe(name: "go-regex-hoist").apply(input) }
    }

    /// The Go fixture repositories end to end (Tests/Fixtures/skills-go): real `go test -cpuprofile` profiles, the
    /// scanner, `resolve` with `go vet`/`go test` and the ns/op A/B; every outcome as expected.json says.
    @Test("resolve on the 12 Go fixture repositories: 6 delivered, 6 refused for the expected reasons")
    func fixtures() async throws {
        let run = try await AsyncBridge.onOwnThread {
            try Shell.run(
                [
                    "python3", (Checkout.root as NSString).appendingPathComponent("Benchmarks/skills/acceptance.py"),
                    "--go", "--bin", Checkout.binary, "--check",
                ], timeout: 1500)
        }
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
    }

    /// A Go module with no headroom.toml: validation runs `go vet` and `go test` on the module and the benchmarks of
    /// the patched package, so `record`, `opportunities` and `resolve` need nothing configured.
    @Test("a Go module without settings is validated with go vet, go test and its package's benchmarks")
    func goDefaults() throws {
        let dir = try TemporaryDirectory(prefix: "headroom-go-defaults")
        defer { dir.cleanup() }
        let repo = dir.file("repo")
        let copy = try Shell.run(
            [
                "cp", "-r", (Checkout.root as NSString).appendingPathComponent("Tests/Fixtures/skills-go/regex-hot"),
                repo,
            ])
        try #require(copy.succeeded)
        try FileManager.default.removeItem(atPath: (repo as NSString).appendingPathComponent("headroom.toml"))
        for step in [["init", "-q", "-b", "main"], ["add", "-A"]] {
            _ = try Shell.run(["git", "-C", repo] + step)
        }
        _ = try Shell.run(
            ["git", "-C", repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "init"])
        let store = dir.file("s.sqlite")
        let record = try Checkout.headroom(
            [
                "record", "--store", store, "--service", "lp", "--", "go", "test", "-run", "^$", "-bench", ".",
                "-benchtime", "40x", "./logparse",
            ], in: repo)
        #expect(record.succeeded, "\(record.stderr)")
        let scan = try Checkout.headroom(
            ["opportunities", "--store", store, "--service", "lp", "--repo", repo, "--format", "json"])
        #expect(scan.succeeded && scan.stdout.contains("go-regex-hoist"), "\(scan.stdout)\(scan.stderr)")
        let resolve = try Checkout.headroom(["resolve", "1", "--store", store, "--format", "json"], in: repo)
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(resolve.stdout.utf8)) as? [String: Any])
        #expect(answer["status"] as? String == "delivered", "\(resolve.stdout)\(resolve.stderr)")
        let validation = answer["validation"] as? [String: Any]
        #expect((validation?["speedup"] as? Double ?? 0) > 2)
        let untracked = try Shell.run(["git", "-C", repo, "status", "--porcelain"]).stdout
        #expect(!untracked.contains(".test"), "the test binary was left in the work tree: \(untracked)")
    }

    /// Cases written apart from the Go fixtures (Benchmarks/skills/heldout_go.py): at least 90% must be delivered
    /// where the fix is safe and faster, and refused or not offered where it is not.
    @Test("held-out Go cases: at least 90% behave as required")
    func heldOut() async throws {
        let run = try await AsyncBridge.onOwnThread {
            try Shell.run(
                [
                    "python3", (Checkout.root as NSString).appendingPathComponent("Benchmarks/skills/heldout_go.py"),
                    "--bin", Checkout.binary, "--check",
                ], timeout: 1500)
        }
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
    }

    /// A real Go service with net/http/pprof: `record --pprof-url` fetches a CPU profile while it burns CPU, and the
    /// busy function leads the ingested profile; a URL that answers 404 is one error line and nothing stored.
    @Test("record --pprof-url ingests a live Go service's CPU profile")
    func pprofURL() throws {
        let folder = try TemporaryDirectory(prefix: "headroom-gosvc")
        defer { folder.cleanup() }
        try folder.write("go.mod", "module example.com/svc\n\ngo 1.19\n")
        try folder.write(
            "main.go",
            """
            package main

            import (
            \t"fmt"
            \t"net"
            \t"net/http"
            \t_ "net/http/pprof"
            \t"os"
            )

            var sink int

            func busyHash(n int) int {
            \th := 0
            \tfor i := 0; i < n; i++ {
            \t\th = h*31 + i
            \t}
            \treturn h
            }

            func main() {
            \tln, err := net.Listen("tcp", "127.0.0.1:0")
            \tif err != nil {
            \t\tos.Exit(1)
            \t}
            \tfmt.Println(ln.Addr().(*net.TCPAddr).Port)
            \tgo func() {
            \t\tfor {
            \t\t\tsink += busyHash(1 << 20)
            \t\t}
            \t}()
            \t_ = http.Serve(ln, nil)
            }
            """)
        let build = try Shell.run(["go", "build", "-o", "svc", "."], in: folder.path, timeout: 300)
        try #require(build.succeeded, "\(build.stderr)")
        let portFile = folder.file("port")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: folder.file("svc"))
        _ = FileManager.default.createFile(atPath: portFile, contents: nil)
        server.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: portFile))
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        var port = ""
        for _ in 0..<100 where port.isEmpty {
            Thread.sleep(forTimeInterval: 0.05)
            port =
                (try? String(contentsOfFile: portFile, encoding: .utf8))?.trimmingCharacters(
                    in: .whitespacesAndNewlines) ?? ""
        }
        try #require(!port.isEmpty)
        let store = folder.file("s.sqlite")
        let record = try Checkout.headroom([
            "record", "--store", store, "--service", "gosvc", "--pprof-url",
            "http://127.0.0.1:\(port)/debug/pprof/profile?seconds=2",
        ])
        #expect(record.succeeded, "\(record.stderr)")
        #expect(record.stdout.contains("under go"))
        let top = try Checkout.headroom(["top", "--store", store, "--service", "gosvc", "--format", "json"])
        #expect(top.succeeded && top.stdout.contains("main.busyHash"), "\(top.stdout)")
        let missing = try Checkout.headroom([
            "record", "--store", store, "--service", "gosvc", "--pprof-url", "http://127.0.0.1:\(port)/nothing-here",
        ])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("answered 404"), "\(missing.stderr)")
        #expect(missing.stderr.split(separator: "\n").count == 1)
    }
}
