// Package rules holds ngxlint's checks. Each check is a small rule.Rule
// value (ID, slug, severity, doc page, Run) in a file of its own, named
// after its ID and slug, with its fixtures under fixtures/rules/<ID>/;
// importing the package registers them with the framework (rules/rule).
// Helpers that several checks share live in named files of their own:
// edits.go (fix edits), tls.go (upstream TLS semantics) and upstreams.go
// (upstream blocks and DNS). nginx semantics are asked of nginx/model.
package rules
