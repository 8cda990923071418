import Foundation
import HeadroomCore
import HeadroomLLM
import Testing

/// The credential catalogue on a corpus of samples (all fake, in the providers' documented shapes), each in the
/// kind of line a model would read: code, configuration, a commit message, a tool result. Every positive must lose
/// its secret (false-negative rate 0 on the corpus); every negative must come through unchanged.
@Suite("redaction corpus", .ownThreads)
struct RedactionTests {
    /// (line, the secret part that must not survive).
    static let positives: [(String, String)] = [
        ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
        (
            "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        ),
        // Source text inside JSON (a tool result as sent): its quotes arrive escaped (found by the injection corpus).
        (
            #"{"added_text":"AWS_SECRET_ACCESS_KEY = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCY7d0b3794be\"\nX = 1"}"#,
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCY7d0b3794be"
        ),
        (#"{"text":"password = \"correct horse battery\""}"#, "correct horse battery"),
        (#"{"text":"API_KEY: \"Zx81mQ0pL2vB7nC4kD9sE3fG6hJ\""}"#, "Zx81mQ0pL2vB7nC4kD9sE3fG6hJ"),
        (
            #"{"aws_secret_access_key": "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"}"#,
            "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
        ),
        ("SLACK_BOT=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-123456789012"),
        ("notify via xoxp-1111111111-2222222222-3333333333-abcdef0123456789", "xoxp-1111111111"),
        (
            "webhook https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "T00000000/B00000000"
        ),
        (
            "Authorization token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "eyJzdWIiOiIxMjM0NTY3ODkwIn0"
        ),
        ("DATABASE_URL=postgres://app:s3cr3t-Pa55@db.internal:5432/shop", "s3cr3t-Pa55"),
        ("redis://default:hunter2hunter2@cache:6379/0", "hunter2hunter2"),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----",
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"
        ),
        (
            "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oE\n-----END EC PRIVATE KEY-----",
            "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oE"
        ),
        ("SECRET_KEY=django-insecure-9x#k2lm0qz", "django-insecure-9x#k2lm0qz"),
        ("app.config['SECRET_KEY'] = 'a-b-c-d-e-f-g-h'", "a-b-c-d-e-f-g-h"),
        (#"password = "correct horse battery staple""#, "correct horse battery staple"),
        ("db_password: hunter22hunter", "hunter22hunter"),
        ("GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx1234", "glpat-xxxxxxxxxxxxxxxxxxxx1234"),
        ("maps key AIzaSyA1234567890abcdefghijklmnopqrstuv", "AIzaSyA1234567890abcdefghijklmnopqrstuv"),
        ("stripe.api_key = \"sk_live_4eC39HqLyjWDarjtT1zdp7dc\"", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
        ("rk_test_51H8abcdefghijklmnop used in ci", "rk_test_51H8abcdefghijklmnop"),
        ("signing whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz012345", "sk-proj-abcdefghijklmnop"),
        ("key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789", "sk-ant-api03-abcdefghij"),
        ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghijklmnop"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "github_pat_11ABCDEFG"),
        ("curl -H 'Authorization: Bearer abc.def-ghi_jkl1234567'", "abc.def-ghi_jkl1234567"),
        ("client_credential: Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5", "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5"),
        // No secret-looking name: the entropy catch-all for a long random token in an assignment.
        ("SESSION_COOKIE_VALUE=Q2x8vT4nZr7Lk1Pw9sYb3MdF6hJc0NeG", "Q2x8vT4nZr7Lk1Pw9sYb3MdF6hJc0NeG"),
        (#"{"signing": "7fGh2KLm9QwErTy8UiOp3AsDfGhJkL4ZxCvBn"}"#, "7fGh2KLm9QwErTy8UiOp3AsDfGhJkL4ZxCvBn"),
    ]

    /// Lines a model must see as they are: code, shas, paths, tool results, numbers.
    static let negatives: [String] = [
        #"{"ref":"45cfb28fa5c3e1d2b4a6f8e0d1c2b3a4f5e6d7c8","author":"Frank Moreau","score":1}"#,
        "culprit = 45cfb28fa5c3e1d2b4a6f8e0d1c2b3a4f5e6d7c8",
        "def apply_discounts(lines, rules):",
        #"logger.debug(f"discount {rule['id']} on {line}: amount={amount} best={best}")"#,
        "apply_discounts (shop/pricing.py): self share 4.19% → 27.32% (+552%), p = 2.4e-11",
        "file = /usr/lib/x86_64-linux-gnu/libc-2.15.so",
        "total_samples = 24029",
        "token_count = len(tokens)",
        "password_hint = None",
        "Catalog.search.<locals>.<genexpr> (shop/catalog.py:61)",
        "request_id = 123e4567-e89b-12d3-a456-426614174000",
        "branch = headroom/regression-1",
        #"{"timestamp":"2026-11-02T20:45:00Z","previous_timestamp":"2026-11-02T20:30:00Z"}"#,
        "url = https://example.com/api/v1/regressions",
        "handler = io/netty/channel/AbstractChannelHandlerContext:.flush",
        #"{"repository":"/tmp/headroom-test-4A8FF9BB/demo/shop","path":"shop/pricing.py"}"#,
        "workdir: /var/folders/Xy/T9k2LmQ7Pw3RzV8bN1cD4fGh0000gn/T/headroom-demo",
    ]

    @Test("every positive sample loses its secret (false-negative rate 0 on the corpus)")
    func positives() {
        let redactor = Redactor()
        var missed: [String] = []
        for (line, secret) in Self.positives {
            let out = redactor.redact(line)
            if out.contains(secret) || !out.contains("[REDACTED]") { missed.append("\(line) → \(out)") }
        }
        #expect(missed.isEmpty, "\(missed.count) of \(Self.positives.count) missed:\n\(missed.joined(separator: "\n"))")
    }

    @Test("a transcript step is redacted inside its JSON input and output and its note")
    func transcriptStep() {
        let step = TranscriptStep(
            kind: .tool, tool: "get_change", input: ["sha": "45cfb28fa5c3e1d2b4a6f8e0d1c2b3a4f5e6d7c8"],
            output: ["functions": [["added_text": ["    token = \"ghp_abcdefghijklmnopqrstuvwxyz0123456789\""]]]],
            note: "added DATABASE_URL=postgres://app:s3cr3t-Pa55@db/shop")
        let redacted = Redactor().redact(step)
        let text = "\(redacted.output ?? .null) \(redacted.note)"
        #expect(!text.contains("ghp_abcdefghij") && !text.contains("s3cr3t-Pa55"), "\(text)")
        #expect(redacted.input == step.input)  // a commit sha is evidence, not a secret
    }

    @Test("negative samples come through unchanged")
    func negatives() {
        let redactor = Redactor()
        for line in Self.negatives {
            #expect(redactor.redact(line) == line)
        }
    }
}
