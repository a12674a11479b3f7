package lint

import "github.com/ngxlint/ngxlint/rules/rule"

// Meta rules keep suppressions honest. The driver reports them: a
// suppression is only worth trusting when it says why and still matches
// something.
var (
	NGX001 = rule.Register(&rule.Rule{
		ID:       "NGX001",
		Slug:     "ignore-without-reason",
		Severity: rule.Warning,
		Summary:  "ngxlint:ignore comment without a reason",
		Doc: rule.Doc{
			Problem:  "A `# ngxlint:ignore NGX101` comment gives no reason.",
			Why:      "Suppressions outlive the people who wrote them. A reason tells the next reader whether the finding is still safe to ignore. The suppression still applies.",
			Bad:      "# ngxlint:ignore NGX101  # want NGX001\nproxy_pass https://d1234567890.cloudfront.net;",
			Good:     "# ngxlint:ignore NGX101 the edge accepts no-SNI clients on this IP\nproxy_pass https://d1234567890.cloudfront.net;",
			Context:  "location",
			Versions: "Not version-specific.",
		},
	})
	NGX002 = rule.Register(&rule.Rule{
		ID:       "NGX002",
		Slug:     "ignore-unused",
		Severity: rule.Warning,
		Summary:  "ngxlint:ignore comment that suppresses nothing",
		Doc: rule.Doc{
			Problem:  "A `# ngxlint:ignore` comment names a rule that reports nothing on the statement it covers.",
			Why:      "A stale suppression hides the next real finding in the same place. Remove it.",
			Bad:      "# ngxlint:ignore NGX101 legacy edge  # want NGX002\nproxy_pass http://127.0.0.1:8080;",
			Good:     "proxy_pass http://127.0.0.1:8080;",
			Context:  "location",
			Versions: "Not version-specific.",
		},
	})
	NGX003 = rule.Register(&rule.Rule{
		ID:       "NGX003",
		Slug:     "ignore-unknown-rule",
		Severity: rule.Warning,
		Summary:  "ngxlint:ignore comment names an unknown rule",
		Doc: rule.Doc{
			Problem:  "A `# ngxlint:ignore` comment names a rule ID or slug that does not exist.",
			Why:      "A typo in a suppression suppresses nothing and hides that fact.",
			Bad:      "# ngxlint:ignore NGX999 typo  # want NGX003\nproxy_pass http://127.0.0.1:8080;",
			Good:     "proxy_pass http://127.0.0.1:8080;",
			Context:  "location",
			Versions: "Not version-specific.",
		},
	})
)
