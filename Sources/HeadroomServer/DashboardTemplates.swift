/// The web pages' Mustache templates, compiled into the binary (no files to ship, no CDN, no script): one layout
/// (`page`) and one template per page. `{{x}}` escapes HTML; `{{{x}}}` is used only for SVG the server drew itself.
enum DashboardTemplates {
    static let all: [String: String] = [
        "page": page, "overview": overview, "regression": regression, "opportunities": opportunities,
        "flame": flame, "message": message, "inbox": inbox,
    ]

    static let page = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
        <title>{{title}} · Headroom</title>
        <style>
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
        header{background:#24292f;color:#fff;padding:10px 24px;display:flex;gap:22px;align-items:baseline}
        header a{color:#fff;text-decoration:none}header strong{font-size:17px;margin-right:12px}
        main{padding:18px 24px;max-width:1280px}h1{font-size:21px;margin:6px 0 14px}h2{font-size:16px;margin:22px 0 8px}
        table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de}
        th,td{text-align:left;padding:6px 9px;border-bottom:1px solid #eaeef2;vertical-align:top}
        th{background:#f6f8fa;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
        .cards{display:flex;gap:14px;flex-wrap:wrap}.card{background:#fff;border:1px solid #d0d7de;padding:12px 16px;min-width:190px}
        .card b{display:block;font-size:24px}.muted{color:#656d76}.box{background:#fff;border:1px solid #d0d7de;padding:12px}
        pre{background:#fff;border:1px solid #d0d7de;padding:10px;overflow:auto;font-size:12px}
        .state-open,.state-failed{color:#d1242f}.state-done,.state-delivered,.state-acknowledged{color:#1a7f37}
        form{display:inline}button{font:inherit;padding:4px 12px;margin-right:6px;cursor:pointer}
        ul{margin:4px 0 4px 18px;padding:0}
        </style></head><body>
        <header><strong>Headroom</strong><a href="/">Overview</a><a href="/opportunities">Opportunities</a><a href="/inbox">Inbox</a>
        <a href="/api/v1/openapi.json">API</a><a href="/metrics">Metrics</a></header>
        <main>{{$body}}{{/body}}</main></body></html>
        """

    static let overview = """
        {{<page}}{{$body}}
        <h1>Fleet overview</h1>
        <div class="cards">{{#cards}}<div class="card"><span class="muted">{{label}}</span><b>{{value}}</b>
        <span class="muted">{{note}}</span></div>{{/cards}}</div>
        <h2>Open regressions, by cores</h2>
        {{#hasRegressions}}<table><tr><th>#</th><th>Service</th><th>Function</th><th>Share</th><th>Change</th>
        <th class="num">Cores</th><th>Onset</th><th>Culprit</th><th>Verdict</th></tr>
        {{#regressions}}<tr><td><a href="/regressions/{{id}}">#{{id}}</a></td><td>{{service}}</td>
        <td><a href="/regressions/{{id}}">{{function}}</a> <span class="muted">{{metric}}</span></td><td>{{shares}}</td>
        <td>{{change}}</td><td class="num">{{cores}}</td><td>{{onset}}</td><td>{{culprit}}</td>
        <td class="state-{{triage}}">{{triage}}</td></tr>{{/regressions}}</table>{{/hasRegressions}}
        {{^hasRegressions}}<p class="box muted">No open regressions.</p>{{/hasRegressions}}
        <p class="muted">{{improvements}} improvement(s) detected as well.</p>
        <h2>Services</h2>
        {{#hasServices}}<table><tr><th>Service</th><th class="num">Samples</th><th class="num">Buckets</th><th>From</th>
        <th>To</th><th></th></tr>{{#services}}<tr><td>{{name}}</td><td class="num">{{samples}}</td>
        <td class="num">{{buckets}}</td><td>{{from}}</td><td>{{to}}</td>
        <td><a href="/services/{{path}}/flame">flame graph</a></td></tr>{{/services}}</table>{{/hasServices}}
        {{^hasServices}}<p class="box muted">No profiles yet: point a Pyroscope agent at this server.</p>{{/hasServices}}
        <h2>Jobs</h2>
        {{#hasJobs}}<table><tr><th>Job</th><th>Kind</th><th>Regression</th><th>State</th><th>Why</th><th>Updated</th></tr>
        {{#jobs}}<tr><td>{{id}}</td><td>{{kind}}</td><td>{{regression}}</td><td class="state-{{state}}">{{state}}</td>
        <td>{{reason}}</td><td>{{updated}}</td></tr>{{/jobs}}</table>{{/hasJobs}}
        {{^hasJobs}}<p class="box muted">No jobs yet.</p>{{/hasJobs}}
        {{/body}}{{/page}}
        """

    static let regression = """
        {{<page}}{{$body}}
        {{#row}}<h1>Regression #{{id}}: {{function}} in {{service}}
        <span class="state-{{triage}}">({{triage}})</span></h1>{{/row}}
        <div class="box">{{{chart}}}</div>
        <ul>{{#detail}}<li>{{.}}</li>{{/detail}}</ul>
        {{#note}}<p class="muted">Verdict note: {{.}}</p>{{/note}}
        <p><form method="post" action="/ui/regressions/{{row.id}}/ack"><input type="hidden" name="csrf" value="{{csrf}}">
        <button>Acknowledge</button></form><form method="post" action="/ui/regressions/{{row.id}}/invalid">
        <input type="hidden" name="csrf" value="{{csrf}}"><button>Not a regression</button></form>
        <a href="/regressions/{{row.id}}/flame">differential flame graph</a></p>
        <h2>Root cause</h2>
        {{#hasCandidates}}<table><tr><th>#</th><th>Change</th><th>Author</th><th>Confidence</th><th>Evidence</th></tr>
        {{#candidates}}<tr><td>{{rank}}</td><td>{{kind}} <code>{{ref}}</code><br>{{message}}</td><td>{{author}}</td>
        <td class="num">{{confidence}}</td><td><ul>{{#evidence}}<li>{{.}}</li>{{/evidence}}</ul></td></tr>{{/candidates}}
        </table>{{/hasCandidates}}
        {{^hasCandidates}}<p class="box muted">Not ranked: import the service's changes and deploys.</p>{{/hasCandidates}}
        <h2>Patches</h2>
        {{#hasPatches}}{{#patches}}<div class="box"><p><b>Patch #{{id}}</b> · {{skill}} ·
        <span class="state-{{status}}">{{status}}</span> · review {{review}} · branch <code>{{branch}}</code></p>
        <p>A/B: {{ab}}</p>{{#reason}}<p class="muted">{{reason}}</p>{{/reason}}
        {{#pending}}<p><form method="post" action="/ui/patches/{{id}}/apply"><input type="hidden" name="csrf" value="{{csrf}}">
        <button>Apply</button></form><form method="post" action="/ui/patches/{{id}}/reject">
        <input type="hidden" name="csrf" value="{{csrf}}"><button>Reject</button></form>{{#publishable}}<form method="post"
        action="/ui/patches/{{id}}/publish"><input type="hidden" name="csrf" value="{{csrf}}"><button>{{#pullRequest}}Update
        pull request{{/pullRequest}}{{^pullRequest}}Open pull request{{/pullRequest}}</button></form>{{/publishable}}</p>{{/pending}}
        {{#pullRequest}}<p>Pull request: <a href="{{.}}">{{.}}</a></p>{{/pullRequest}}
        <pre>{{diff}}</pre></div>{{/patches}}{{/hasPatches}}
        {{^hasPatches}}<p class="box muted">No patch yet.</p>{{/hasPatches}}
        {{/body}}{{/page}}
        """

    static let opportunities = """
        {{<page}}{{$body}}
        <h1>Opportunities, by watts saved</h1>
        {{#hasRows}}<table><tr><th>#</th><th>Service</th><th>Function</th><th>Where</th><th>Pattern</th>
        <th class="num">Share</th><th class="num">Saving</th><th class="num">Watts</th><th>Status</th></tr>
        {{#rows}}<tr><td>{{id}}</td><td>{{service}}</td><td>{{function}}</td><td>{{location}}</td><td>{{pattern}}</td>
        <td class="num">{{share}}</td><td class="num">{{saving}}</td><td class="num">{{watts}}</td><td>{{status}}</td>
        </tr>{{/rows}}</table>{{/hasRows}}
        {{^hasRows}}<p class="box muted">No opportunities found yet: registered repositories are scanned every
        --rescan-every seconds, or run headroom opportunities --repo DIR --service S.</p>{{/hasRows}}
        {{/body}}{{/page}}
        """

    static let inbox = """
        {{<page}}{{$body}}
        <h1>{{heading}}</h1>
        <form method="get" action="/inbox"><input name="for" value="{{person}}" size="32"
        placeholder="an email, an @handle or a name"> <button>Show</button></form>
        {{#hasPerson}}{{#sections}}<h2>{{title}}</h2>
        {{#hasItems}}<table><tr><th>#</th><th>Service</th><th>Function</th><th class="num">Cores</th><th>What to do</th>
        <th>Why it is yours</th></tr>{{#items}}<tr><td>{{#hasLink}}<a href="{{link}}">{{kind}} #{{id}}</a>{{/hasLink}}
        {{^hasLink}}{{kind}} #{{id}}{{/hasLink}}</td><td>{{service}}</td><td>{{function}}<br><span class="muted">{{path}}</span></td>
        <td class="num">{{cores}}</td><td>{{summary}}</td><td class="muted">{{because}}</td></tr>{{/items}}</table>{{/hasItems}}
        {{^hasItems}}<p class="box muted">Nothing here.</p>{{/hasItems}}{{/sections}}{{/hasPerson}}
        {{^hasPerson}}<p class="box muted">Code belongs to its CODEOWNERS owners, else to the recent authors of its
        lines; a regression also to its culprit's author. Name a person to see what waits for them.</p>{{/hasPerson}}
        {{/body}}{{/page}}
        """

    static let flame = """
        {{<page}}{{$body}}
        <h1>{{heading}}</h1><p class="muted">{{note}}</p>
        <div class="box">{{{svg}}}</div>
        {{/body}}{{/page}}
        """

    static let message = """
        {{<page}}{{$body}}<h1>{{heading}}</h1><p class="box">{{text}}</p>{{/body}}{{/page}}
        """
}
