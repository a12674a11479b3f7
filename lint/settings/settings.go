// Package settings reads .ngxlint.yaml, the project configuration that CI
// and pre-commit share with the command line. Command-line flags override
// it field by field.
package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/goccy/go-yaml"
	"github.com/invopop/jsonschema"
)

// FileName is the configuration file looked up from the working directory
// upwards.
const FileName = ".ngxlint.yaml"

// File is the content of .ngxlint.yaml. Paths are relative to the file's
// directory.
type File struct {
	// Roots are the main nginx configs of the repository. Changed files
	// passed by pre-commit are linted in the context of the roots that
	// include them.
	Roots []string `yaml:"roots,omitempty" json:"roots,omitempty" jsonschema:"description=Main nginx configuration files (or directories holding nginx.conf)"`
	// Prefix overrides nginx's conf prefix.
	Prefix string `yaml:"prefix,omitempty" json:"prefix,omitempty" jsonschema:"description=nginx conf prefix: relative includes resolve against it (default: the main file's directory)"`
	// Map maps deployed paths to repository paths.
	Map []string `yaml:"map,omitempty" json:"map,omitempty" jsonschema:"description=Path mappings FROM=TO so absolute includes resolve inside the repository,example=/etc/nginx=./nginx"`
	// Context declares what the roots are when they are snippets.
	Context string `yaml:"context,omitempty" json:"context,omitempty" jsonschema:"enum=main,enum=http,enum=server,enum=location,enum=upstream,enum=stream,enum=stream-server,enum=stream-upstream"`
	// NginxVersion switches version-dependent defaults and advice.
	NginxVersion string `yaml:"nginx-version,omitempty" json:"nginx-version,omitempty" jsonschema:"pattern=^[0-9]+\\.[0-9]+(\\.[0-9]+)?$,example=1.27.3"`
	// FailOn is the lowest severity that fails the run.
	FailOn string `yaml:"fail-on,omitempty" json:"fail-on,omitempty" jsonschema:"enum=error,enum=warning,enum=info"`
	// Enable and Disable list rule IDs or slugs.
	Enable  []string `yaml:"enable,omitempty" json:"enable,omitempty" jsonschema:"description=Rules (ID or slug) to enable"`
	Disable []string `yaml:"disable,omitempty" json:"disable,omitempty" jsonschema:"description=Rules (ID or slug) to disable"`
	// Rules holds per-rule settings keyed by ID or slug.
	Rules map[string]RuleSettings `yaml:"rules,omitempty" json:"rules,omitempty" jsonschema:"description=Per-rule settings keyed by rule ID or slug"`
	// TrustedCA is the CA bundle proposed by verification fixes.
	TrustedCA string `yaml:"trusted-ca,omitempty" json:"trusted-ca,omitempty" jsonschema:"description=CA bundle path proposed by proxy_ssl_verify fixes,default=/etc/ssl/certs/ca-certificates.crt"`

	// Dir is the directory the file was found in.
	Dir string `yaml:"-" json:"-"`
	// Path is the file's path.
	Path string `yaml:"-" json:"-"`
}

// RuleSettings tune one rule.
type RuleSettings struct {
	Enabled  *bool  `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	Severity string `yaml:"severity,omitempty" json:"severity,omitempty" jsonschema:"enum=error,enum=warning,enum=info"`
}

// Error is a configuration-file error with a position.
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %v", e.Path, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Find looks for .ngxlint.yaml in dir and its parents. It returns nil and
// no error when there is none.
func Find(dir string) (*File, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for {
		p := filepath.Join(dir, FileName)
		if _, err := os.Stat(p); err == nil {
			return Load(p)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, nil
		}
		dir = parent
	}
}

// Load reads one configuration file. Unknown keys are errors: a typo in
// a CI gate's configuration must not silently turn a rule off.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}
	var f File
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict()); err != nil {
			return nil, &Error{Path: path, Err: errors.New(yaml.FormatError(err, false, true))}
		}
	}
	abs, _ := filepath.Abs(path)
	f.Path = abs
	f.Dir = filepath.Dir(abs)
	return &f, nil
}

// Resolve makes a path from the file relative to the file's directory.
func (f *File) Resolve(p string) string {
	if p == "" || p == "-" || filepath.IsAbs(p) || f == nil {
		return p
	}
	return filepath.Join(f.Dir, p)
}

// Schema returns the JSON Schema of .ngxlint.yaml, for editor completion.
func Schema() ([]byte, error) {
	r := &jsonschema.Reflector{FieldNameTag: "json", DoNotReference: true}
	s := r.Reflect(&File{})
	s.Title = "ngxlint configuration (.ngxlint.yaml)"
	s.ID = "https://github.com/ngxlint/ngxlint/schema/ngxlint.json"
	return json.MarshalIndent(s, "", "  ")
}
