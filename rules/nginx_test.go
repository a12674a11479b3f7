package rules_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ngxlint/ngxlint/internal/rulestest"
	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/fix"
	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// TestFixturesNginx runs `nginx -t` on every rule fixture and on what all
// the rules' fixes turn it into. A fixture nginx rejects proves nothing
// about real configurations, and a fix nginx rejects (a proxy_ssl_* inside
// if, a second proxy_ssl_server_name in one location) breaks the very
// reload it was meant to repair.
//
// nginx resolves literal proxy_pass and upstream server hosts while it
// loads, and the fixtures name hosts that do not resolve, so each run gets
// a private /etc/hosts mapping them to 127.0.0.1: `unshare -m` plus a bind
// mount, which needs root (or unprivileged user namespaces).
func TestFixturesNginx(t *testing.T) {
	bin := nginxBinary(t)
	unshare := unshareArgs(t)
	roots := fixtureRoots(t)
	for _, root := range roots {
		name, _ := filepath.Rel(filepath.Join("..", "fixtures", "rules"), root)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := fixtureFiles(t, root)
			for _, b := range src {
				if bytes.Contains(b, []byte("_by_lua_block")) {
					t.Skip("needs OpenResty's lua-nginx-module, which Debian's nginx lacks")
				}
			}
			tree, diags := config.Load(context.Background(), root, config.Options{})
			if config.HasErrors(diags) {
				t.Fatalf("fixture does not load: %v", diags)
			}
			if v, ok, err := lint.DeclaredVersion(tree); err != nil {
				t.Fatalf("fixture's nginx version: %v", err)
			} else if local := localVersion(t, bin); ok && local.Less(v) {
				t.Skipf("SKIPPED: the fixture is for nginx %s, newer than the local nginx %s; not checked with nginx -t", v, local)
			}
			rejects := rejection(tree)
			if rejects != "" {
				// The fixture shows a configuration nginx refuses: it must
				// refuse it with that message, and the expected fix
				// results must load.
				nginxReject(t, bin, unshare, root, tree.Context, src, rejects)
			} else {
				nginxCheck(t, bin, unshare, root, tree.Context, src, "fixture")
			}
			checkExpected(t, bin, unshare, root, tree.Context, src)
			if rejects != "" && !hasExpected(root) {
				return // no fix repairs it: what the fixes converge to need not load
			}

			res, err := fix.Converge(context.Background(),
				func(ctx context.Context, overlay map[string][]byte) (*config.Tree, []config.Diagnostic) {
					return config.Load(ctx, root, config.Options{Overlay: overlay})
				},
				// a one-certificate bundle: nginx -t parses the system
				// bundle once per location that verifies, 30 ms each
				func(tr *config.Tree) []rule.Finding {
					return lint.Run(tr, lint.Options{Settings: rule.Settings{TrustedCA: testCA}}).Findings
				},
				10)
			if err != nil {
				t.Fatalf("fix: %v", err)
			}
			if len(res.Files) == 0 {
				return
			}
			fixed := map[string][]byte{}
			for rel, b := range src {
				fixed[rel] = b
			}
			base := fixtureBase(root)
			for p, b := range res.Files {
				rel, err := filepath.Rel(base, absOf(p))
				if err != nil || strings.HasPrefix(rel, "..") {
					t.Fatalf("a fix edits %s, outside the fixture", p)
				}
				fixed[rel] = b
			}
			nginxCheck(t, bin, unshare, root, tree.Context, fixed, "fixed configuration")
		})
	}
}

// rejection returns the message of a `# nginx -t: MESSAGE` comment among
// the root file's leading comments: the fixture is a configuration nginx
// refuses, with an error that contains MESSAGE.
func rejection(tree *config.Tree) string {
	first := int32(len(tree.Root.Src))
	if len(tree.Root.Top) > 0 {
		first = tree.Root.Top[0].Start
	}
	for _, c := range tree.Root.Comments {
		if c.Start > first {
			break
		}
		if msg, ok := strings.CutPrefix(strings.TrimSpace(c.Text()), "nginx -t:"); ok {
			return strings.TrimSpace(msg)
		}
	}
	return ""
}

// hasExpected reports whether a fixture has a .golden or a fixed/ tree.
func hasExpected(root string) bool {
	if _, err := os.Stat(strings.TrimSuffix(root, ".conf") + ".golden"); err == nil {
		return true
	}
	if filepath.Base(root) == "nginx.conf" {
		if _, err := os.Stat(filepath.Join(filepath.Dir(root), "fixed")); err == nil {
			return true
		}
	}
	return false
}

// testCA is the trusted-certificate path the fixes propose in
// TestFixturesNginx, relative to the scratch prefix.
const testCA = "ngxlint-test-ca.pem"

var (
	caOnce sync.Once
	caPEM  []byte
)

// testCAPEM is a throwaway self-signed CA certificate.
func testCAPEM(t *testing.T) []byte {
	t.Helper()
	caOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ngxlint test CA"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			return
		}
		caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	})
	if caPEM == nil {
		t.Fatal("cannot create the test CA")
	}
	return caPEM
}

var (
	localOnce sync.Once
	local     nginx.Version
	localErr  error
)

// localVersion is the version of the nginx that checks the fixtures.
func localVersion(t *testing.T, bin string) nginx.Version {
	t.Helper()
	localOnce.Do(func() {
		out, err := exec.Command(bin, "-v").CombinedOutput()
		if err != nil {
			localErr = fmt.Errorf("%s -v: %v %s", bin, err, out)
			return
		}
		s := string(out)
		if i := strings.Index(s, "nginx/"); i >= 0 {
			local, localErr = nginx.ParseVersion(strings.Fields(s[i:])[0])
			return
		}
		localErr = fmt.Errorf("%s -v: no version in %q", bin, s)
	})
	if localErr != nil {
		t.Fatal(localErr)
	}
	return local
}

// checkExpected runs nginx -t on a fixture's expected fix results: the
// root's .golden, and a case directory's fixed/ tree laid over its files.
func checkExpected(t *testing.T, bin string, unshare []string, root, context string, src map[string][]byte) {
	t.Helper()
	want := map[string][]byte{}
	for rel, b := range src {
		want[rel] = b
	}
	changed := false
	if b, err := os.ReadFile(strings.TrimSuffix(root, ".conf") + ".golden"); err == nil {
		want[filepath.Base(root)] = b
		changed = true
	}
	if filepath.Base(root) == "nginx.conf" {
		fixed := filepath.Join(filepath.Dir(root), "fixed")
		_ = filepath.WalkDir(fixed, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(fixed, p)
			if b, err := os.ReadFile(p); err == nil {
				want[rel] = b
				changed = true
			}
			return nil
		})
	}
	if changed {
		nginxCheck(t, bin, unshare, root, context, want, "expected fix result")
	}
}

func nginxBinary(t *testing.T) string {
	t.Helper()
	if bin, err := exec.LookPath("nginx"); err == nil {
		return bin
	}
	for _, p := range []string{"/usr/sbin/nginx", "/usr/local/sbin/nginx"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("SKIPPED: nginx is not installed; the rule fixtures were not checked with `nginx -t` (apt-get install nginx libnginx-mod-stream, as scripts/setup.sh does)")
	return ""
}

// unshareArgs returns the command prefix that runs a shell in a private
// mount namespace, or skips when this machine does not allow one.
func unshareArgs(t *testing.T) []string {
	t.Helper()
	args := []string{"unshare", "-m"}
	if os.Getuid() != 0 {
		args = []string{"unshare", "-r", "-m"}
	}
	probe := append(append([]string{}, args...), "sh", "-c", "mount --bind /dev/null /dev/null")
	if out, err := exec.Command(probe[0], probe[1:]...).CombinedOutput(); err != nil {
		t.Skipf("SKIPPED: cannot give nginx -t a private /etc/hosts here (%s: %v %s); the rule fixtures were not checked with nginx -t (run as root, as CI does)", strings.Join(probe, " "), err, out)
	}
	return args
}

// fixtureRoots lists the fixtures of every rule directory.
func fixtureRoots(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("..", "fixtures", "rules", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range dirs {
		roots, err := rulestest.Roots(d)
		if err != nil {
			continue
		}
		out = append(out, roots...)
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatal("no rule fixtures")
	}
	return out
}

// fixtureBase is the directory a fixture's files are relative to: the case
// directory for a multi-file fixture, else the single file's directory.
func fixtureBase(root string) string { return absOf(filepath.Dir(root)) }

func absOf(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// fixtureFiles reads a fixture's files by path relative to fixtureBase:
// the one file, or every file of a case directory but its fixed/ tree.
func fixtureFiles(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	if filepath.Base(root) != "nginx.conf" {
		b, err := os.ReadFile(root)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(root)] = b
		return out
	}
	dir := filepath.Dir(root)
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if rel == "fixed" {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	dottedHostRE = regexp.MustCompile(`\b[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)+\b`)
	serverHostRE = regexp.MustCompile(`\bserver\s+([A-Za-z][\w-]*):\d+`)
	passHostRE   = regexp.MustCompile(`_pass\s+["']?(?:\w+://)?([A-Za-z][\w-]*)(?:[:/;"'\s]|$)`)
	numericRE    = regexp.MustCompile(`^[\d.]+$`)
)

// nginxCheck runs nginx -t on files (see nginxTest) and fails the test
// when nginx rejects them.
func nginxCheck(t *testing.T, bin string, unshare []string, root, context string, files map[string][]byte, what string) {
	t.Helper()
	out, err := nginxTest(t, bin, unshare, root, context, files)
	if err != nil {
		msg := out
		if what != "fixture" {
			var b strings.Builder
			for _, rel := range sortedKeys(files) {
				fmt.Fprintf(&b, "--- %s\n%s\n", rel, files[rel])
			}
			msg += "\n" + b.String()
		}
		t.Errorf("nginx -t rejects the %s: %v\n%s", what, err, msg)
	}
}

// nginxReject runs nginx -t on files and fails the test unless nginx
// rejects them with an error containing want.
func nginxReject(t *testing.T, bin string, unshare []string, root, context string, files map[string][]byte, want string) {
	t.Helper()
	out, err := nginxTest(t, bin, unshare, root, context, files)
	switch {
	case err == nil:
		t.Errorf("nginx -t accepts the fixture, which says nginx rejects it with %q", want)
	case !strings.Contains(out, want):
		t.Errorf("nginx -t rejects the fixture, but not with %q:\n%s", want, out)
	}
}

// nginxTest writes files into a scratch prefix, wraps a snippet into the
// blocks its context stands for, and runs nginx -t on it. It returns
// nginx's output with the scratch prefix removed.
func nginxTest(t *testing.T, bin string, unshare []string, root, context string, files map[string][]byte) (string, error) {
	t.Helper()
	dir := t.TempDir()
	var all []byte
	for rel, b := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
		all = append(all, '\n')
	}
	if err := os.WriteFile(filepath.Join(dir, testCA), testCAPEM(t), 0o644); err != nil {
		t.Fatal(err)
	}
	inc := fmt.Sprintf("include %s;", filepath.Base(root))
	wrap := map[string]string{
		"main":            inc,
		"http":            "events {} http { " + inc + " }",
		"server":          "events {} http { server { listen 127.0.0.1:1; " + inc + " } }",
		"location":        "events {} http { server { listen 127.0.0.1:1; location / { " + inc + " } } }",
		"upstream":        "events {} http { upstream u { " + inc + " } }",
		"stream":          "events {} stream { " + inc + " }",
		"stream-server":   "events {} stream { server { listen 127.0.0.1:1; " + inc + " } }",
		"stream-upstream": "events {} stream { upstream u { " + inc + " } }",
	}[context]
	if wrap == "" {
		t.Fatalf("no nginx wrapper for context %q", context)
	}
	if bytes.Contains(all, []byte("stream")) {
		const mod = "/usr/lib/nginx/modules/ngx_stream_module.so"
		if _, err := os.Stat(mod); err != nil {
			t.Skipf("needs nginx's stream module (%s; apt-get install libnginx-mod-stream)", mod)
		}
		wrap = "load_module " + mod + "; " + wrap
	}
	if err := os.WriteFile(filepath.Join(dir, "ngxlint-wrap.conf"), []byte(wrap+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	hosts := map[string]bool{"localhost": true}
	for _, h := range dottedHostRE.FindAll(all, -1) {
		if !numericRE.Match(h) {
			hosts[string(h)] = true
		}
	}
	for _, re := range []*regexp.Regexp{serverHostRE, passHostRE} {
		for _, m := range re.FindAllSubmatch(all, -1) {
			hosts[string(m[1])] = true
		}
	}
	var hb strings.Builder
	for h := range hosts {
		fmt.Fprintf(&hb, "127.0.0.1 %s\n", h)
	}
	hostsFile := filepath.Join(dir, "ngxlint-hosts")
	if err := os.WriteFile(hostsFile, []byte(hb.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	script := fmt.Sprintf(`mount --bind %q /etc/hosts && exec %q -t -q -p %q -c %q -g %q`,
		hostsFile, bin, dir+"/", filepath.Join(dir, "ngxlint-wrap.conf"),
		"pid "+filepath.Join(dir, "nginx.pid")+"; error_log stderr;")
	args := append(append([]string{}, unshare...), "sh", "-c", script)
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	return strings.ReplaceAll(string(out), dir+"/", ""), err
}

func sortedKeys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
