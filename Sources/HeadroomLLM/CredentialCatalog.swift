import Foundation

/// Credential formats that must never reach a model or a stored transcript, each a named pattern whose match (or
/// the group named `secret`) is replaced by `[REDACTED]`; then a catch-all for long random tokens in assignment
/// context. `Tests/HeadroomTests/RedactionTests.swift` holds a corpus of positive and negative samples: every
/// positive must be caught, every negative left alone.
///
/// Sources for the formats: the providers' own documentation of their key prefixes (AWS access key ids, GitHub
/// `gh*_`/`github_pat_`, GitLab `glpat-`, Slack `xox*-`, Stripe `sk_live_`/`rk_`/`whsec_`, Google `AIza`, OpenAI and
/// Anthropic `sk-`), RFC 7519 (JWT: three base64url parts, the first two JSON objects starting `eyJ`), RFC 3986
/// (user:password in a URL's authority) and RFC 7468 (PEM blocks).
enum CredentialCatalog {
    struct Pattern {
        var name: String
        var regex: NSRegularExpression
        /// The named groups the pattern has, in the order they are tried (asking a regex for a group it lacks is an
        /// error on some platforms).
        var groups: [String]
    }

    static let patterns: [Pattern] = [
        (
            "PEM private key",
            #"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"#
        ),
        ("URL credentials", #"(?i)\b[a-z][a-z0-9+.\-]*://[^\s:/@"']+:(?<secret>[^\s@/"']+)@"#),
        ("JWT", #"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"#),
        ("AWS access key id", #"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b"#),
        (
            "AWS secret access key",
            #"(?i)aws[\w.\-]{0,30}?(?:secret|access)[\w.\-]{0,30}?\\?["']?\s*[:=]\s*\\?["']?(?<secret>[A-Za-z0-9/+]{40})\b"#
        ),
        ("GitHub token", #"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{22,})"#),
        ("GitLab token", #"\bgl(?:pat|dt|rt|ptt|cbt|imt|oas)-[A-Za-z0-9_\-]{20,}"#),
        ("Slack token", #"\bxox[abposr]-[A-Za-z0-9\-]{10,}"#),
        ("Slack webhook", #"https://hooks\.slack\.com/services/[A-Za-z0-9/]+"#),
        ("Google API key", #"\bAIza[0-9A-Za-z_\-]{35}"#),
        ("Stripe key", #"\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,}|\bwhsec_[0-9A-Za-z]{16,}"#),
        ("OpenAI or Anthropic key", #"\bsk-(?:ant-(?:api\d\d-)?|proj-)?[A-Za-z0-9_\-]{16,}"#),
        ("bearer token", #"(?i)\bbearer\s+(?<secret>[A-Za-z0-9._~+/=\-]{12,})"#),
        // `password = "two words"`, `SECRET_KEY=...`, `"api_key": "..."`, `config['SECRET_KEY'] = '...'`: a
        // secret-named key, then its value (quoted values may hold spaces, and the quotes may be escaped, as in JSON
        // text inside a string; an unquoted value that is a call, such as
        // `token_count = len(tokens)`, is code, not a secret).
        (
            "secret-named assignment",
            #"(?i)\b[\w.\-]*(?:api[_\-]?key|secret|token|passw(?:or)?d|pwd|credential|private[_\-]?key|auth[_\-]?key)[\w.\-]*\\?["']?\]?\s*[:=]\s*(?:\\"(?<eq>[^"\\\n]{4,})\\"|"(?<dq>[^"\n]{4,})"|'(?<sq>[^'\n]{4,})'|(?<secret>[^\s"',;()\[\]{}]{6,})(?![(\w]))"#
        ),
    ].map { name, pattern in
        Pattern(
            name: name, regex: try! NSRegularExpression(pattern: pattern),
            groups: ["secret", "dq", "sq", "eq"].filter { pattern.contains("(?<\($0)>") })
    }

    /// `name = value` where the value is a long token: a candidate for the entropy catch-all. `/` is not part of a
    /// token here, so paths (`/tmp/headroom-test-4A8FF9BB/shop`) are never taken for one.
    static let assignment = Pattern(
        name: "random token in an assignment",
        regex: try! NSRegularExpression(
            pattern: #"[\w.\-]+\\?["']?\s*[:=]\s*\\?["']?(?<secret>[A-Za-z0-9+_=\-]{24,})(?![A-Za-z0-9+_=\-/])"#),
        groups: ["secret"])

    /// Whether a token looks machine-generated: mixed case and digits, and at least 4 bits of Shannon entropy per
    /// character (English identifiers and words sit near 3–3.5; hex digests have no upper case and are left alone,
    /// since commit shas are evidence, not secrets).
    static func looksRandom(_ token: Substring) -> Bool {
        let hasUpper = token.contains { $0.isUppercase }
        let hasLower = token.contains { $0.isLowercase }
        let hasDigit = token.contains { $0.isNumber }
        guard hasUpper, hasLower, hasDigit else { return false }
        var counts: [Character: Int] = [:]
        for c in token { counts[c, default: 0] += 1 }
        let n = Double(token.count)
        let entropy = counts.values.reduce(0.0) { sum, k in
            let p = Double(k) / n
            return sum - p * log2(p)
        }
        return entropy >= 4.0
    }

    /// `text` with every catalogued credential and every random-looking assigned token replaced by `[REDACTED]`.
    static func redact(_ text: String) -> String {
        var out = text
        for pattern in patterns { out = replace(pattern, in: out) { _ in true } }
        return replace(assignment, in: out) { looksRandom($0) }
    }

    /// Replaces each match's secret group (`secret`, `dq` or `sq`), or the whole match when it has none, when
    /// `accept` agrees; from the end, so earlier ranges stay valid.
    private static func replace(_ pattern: Pattern, in text: String, accept: (Substring) -> Bool) -> String {
        var out = text
        let matches = pattern.regex.matches(in: text, range: NSRange(text.startIndex..., in: text))
        for match in matches.reversed() {
            var target = match.range
            for name in pattern.groups {
                let group = match.range(withName: name)
                if group.location != NSNotFound {
                    target = group
                    break
                }
            }
            guard let range = Range(target, in: out), accept(out[range]) else { continue }
            out.replaceSubrange(range, with: "[REDACTED]")
        }
        return out
    }
}
