package directives

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// This file generates the differential test's cases from the table; see
// TestNginxDifferential.

// verdict is what nginx -t (or the model) says of one configuration.
type verdict struct {
	ok   bool
	msg  string
	line int
}

func (v verdict) String() string {
	if v.ok {
		return "accepts"
	}
	return strconv.Quote(v.msg) + " at line " + strconv.Itoa(v.line)
}

var (
	emergRe  = regexp.MustCompile(`\[emerg\] (?:\d+#\d+: )?(.*)$`)
	emergPos = regexp.MustCompile(` in (\S+):(\d+)$`)
)

// debianModuleVersion asks dpkg which package ships a module and its
// version; third-party directives are then judged for that version.
func debianModuleVersion(so string) (Version, bool) {
	out, err := exec.Command("dpkg", "-S", so).Output()
	if err != nil {
		return Version{}, false
	}
	pkg, _, ok := strings.Cut(strings.TrimSpace(string(out)), ":")
	if !ok {
		return Version{}, false
	}
	out, err = exec.Command("dpkg-query", "-W", "-f", "${Version}", pkg).Output()
	if err != nil {
		return Version{}, false
	}
	v, err := ParseVersion(string(out))
	return v, err == nil
}

// caseEnv holds the files generated configurations may name.
type caseEnv struct {
	dir, file, empty, cert, key, js, json, hosts string
}

func newCaseEnv(t *testing.T, tmp string) *caseEnv {
	e := &caseEnv{dir: filepath.Join(tmp, "d"), file: filepath.Join(tmp, "f.txt"), empty: filepath.Join(tmp, "empty.conf"),
		js: filepath.Join(tmp, "m.js"), json: filepath.Join(tmp, "o.json"),
		cert: filepath.Join(tmp, "cert.pem"), key: filepath.Join(tmp, "key.pem"), hosts: filepath.Join(tmp, "hosts")}
	require.NoError(t, os.MkdirAll(e.dir, 0o755))
	require.NoError(t, os.WriteFile(e.file, []byte("x\n"), 0o644))
	require.NoError(t, os.WriteFile(e.empty, nil, 0o644))
	require.NoError(t, os.WriteFile(e.js, []byte("function f(r) { return 1; }\nexport default {f};\n"), 0o644))
	require.NoError(t, os.WriteFile(e.json, []byte("{}\n"), 0o644))
	require.NoError(t, os.WriteFile(e.hosts, []byte("127.0.0.1 localhost\n::1 localhost\n"), 0o644))
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kb, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(e.cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	require.NoError(t, os.WriteFile(e.key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600))
	return e
}

func (e *caseEnv) expand(s string) string {
	return strings.NewReplacer("{dir}", e.dir, "{file}", e.file, "{empty}", e.empty, "{cert}", e.cert, "{key}", e.key,
		"{js}", e.js, "{json}", e.json).Replace(s)
}

// example is a valid argument list (and what it needs) for one directive,
// from data/examples.tsv.
type example struct {
	args  []string
	setup string // statements for the top block of the case's group
	body  string // raw block body
	skip  string // why no valid case can run here
}

func loadExamples(t *testing.T) map[string]example {
	f, err := os.Open("data/examples.tsv")
	require.NoError(t, err)
	defer f.Close()
	out := map[string]example{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		require.GreaterOrEqual(t, len(f), 3, "examples.tsv: %q", line)
		ex := example{args: splitExampleArgs(f[2])}
		if f[2] == "(none)" {
			ex.args = []string{}
		}
		if skip, ok := strings.CutPrefix(f[2], "SKIP "); ok {
			ex = example{skip: skip}
		}
		if len(f) > 3 {
			ex.setup = f[3]
		}
		if len(f) > 4 {
			ex.body = f[4]
		}
		key := f[0]
		if f[1] != "*" {
			key = f[1] + "/" + f[0]
		}
		require.NotContains(t, out, key, "examples.tsv: %s twice", key)
		out[key] = ex
	}
	require.NoError(t, sc.Err())
	return out
}

// splitExampleArgs splits on blanks; "double quotes" keep blanks.
func splitExampleArgs(s string) []string {
	var out []string
	for len(s) > 0 {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			break
		}
		if s[0] == '"' {
			end := strings.IndexByte(s[1:], '"')
			out = append(out, s[1:1+end])
			s = s[2+end:]
			continue
		}
		end := strings.IndexByte(s, ' ')
		if end < 0 {
			end = len(s)
		}
		out = append(out, s[:end])
		s = s[end:]
	}
	return out
}

// validArgs is what a valid case uses: the example if there is one, else
// arguments built from the value kind.
func validArgs(d *Directive, ex map[string]example) example {
	if e, ok := ex[d.Module+"/"+d.Name]; ok {
		return e
	}
	if e, ok := ex[d.Name]; ok {
		return e
	}
	var a []string
	switch d.Kind {
	case KindFlag:
		a = []string{"on"}
	case KindSize, KindComplexSize:
		a = []string{"8k"}
	case KindOffset:
		a = []string{"1m"}
	case KindMsec, KindSec:
		a = []string{"5s"}
	case KindNumber:
		a = []string{"2"}
	case KindEnum, KindBitmask:
		a = []string{d.Values[0]}
	case KindKeyVal:
		a = []string{"a", "b"}
	case KindBufs:
		a = []string{"4", "8k"}
	case KindPath:
		a = []string{"{dir}"}
	case KindAccess:
		a = []string{"user:rw"}
	default:
		a = []string{"x"}
	}
	for len(a) < d.Args.Min() {
		a = append(a, "x")
	}
	if d.Args.Max() >= 0 && len(a) > d.Args.Max() {
		a = a[:d.Args.Max()]
	}
	return example{args: a}
}

// invalidCount is an argument count the rule refuses, or -1.
func invalidCount(a Args) int {
	if a&ArgsAny != 0 {
		return -1
	}
	if !a.Allows(0) {
		return 0
	}
	for n := 1; n <= maxArgs+1; n++ {
		if !a.Allows(n) {
			return n
		}
	}
	return -1
}

// invalidValue is a value the kind refuses, or "".
func invalidValue(k Kind) string {
	switch k {
	case KindFlag:
		return "yes"
	case KindSize, KindOffset, KindComplexSize:
		return "1x"
	case KindMsec:
		return "1y"
	case KindSec:
		return "5ms"
	case KindNumber:
		return "-1"
	case KindEnum, KindBitmask:
		return "bogus"
	}
	return ""
}

// groupOf is the module group whose block a context belongs to.
func groupOf(c Context) string {
	switch {
	case c&(Stream|StreamServer|StreamUpstream) != 0:
		return "stream"
	case c&(Mail|MailServer) != 0:
		return "mail"
	case c&(Main|Events) != 0:
		return "core"
	}
	return "http"
}

// needs lists, in load order, the shared objects a module needs on this
// machine: its group's (stream, mail) and, for the Lua and set-misc
// modules, the devel kit's.
func needs(module string, installed map[string]string, static map[string]bool) []string {
	if static[module] {
		return nil
	}
	so, ok := installed[module]
	if !ok {
		return nil
	}
	var out []string
	if m, _ := LookupModule(module); (m.Group == "stream" || m.Group == "mail") && module != "ngx_"+m.Group+"_module" {
		out = needs("ngx_"+m.Group+"_module", installed, static)
	}
	if module == "ngx_http_lua_module" || module == "ngx_http_set_misc_module" {
		if ndk, ok := installed["ndk_http_module"]; ok {
			out = append(out, ndk)
		}
	}
	return appendOnce(out, so)
}

// generate makes the cases for every directive the local nginx can have.
func generate(t *testing.T, build *Build, installed map[string]string, full bool) []*dcase {
	ex := loadExamples(t)
	avail := &Build{Version: build.Version, Modules: map[string]bool{}, Features: build.Features,
		ModuleVersions: build.ModuleVersions}
	for m, on := range build.Modules {
		avail.Modules[m] = on
	}
	for m := range installed {
		avail.Modules[m] = true
	}
	avail.derive()
	set := NewSet(avail)
	only := regexp.MustCompile(os.Getenv("NGXLINT_DIRECTIVES_ONLY"))
	kinds := os.Getenv("NGXLINT_DIRECTIVES_KINDS")
	var out []*dcase
	add := func(c *dcase) {
		if kinds != "" && !strings.Contains(","+kinds+",", ","+c.kind+",") {
			return
		}
		c.id = strconv.Itoa(len(out) + 1)
		c.thirdPt = c.dir.ThirdParty()
		out = append(out, c)
	}
	for _, name := range set.Names() {
		if !only.MatchString(name) {
			continue
		}
		for _, d := range set.LookupAll(name) {
			e := validArgs(d, ex)
			args := e.args
			if e.skip != "" {
				args = make([]string, d.Args.Min())
				for i := range args {
					args[i] = "x"
				}
			}
			loads := func(ctx Context) []string {
				var l []string
				switch groupOf(ctx) {
				case "stream":
					l = needs("ngx_stream_module", installed, build.Modules)
				case "mail":
					l = needs("ngx_mail_module", installed, build.Modules)
				}
				for _, so := range needs(d.Module, installed, build.Modules) {
					l = appendOnce(l, so)
				}
				return l
			}
			mk := func(kind string, ctx Context, args []string, twice bool) *dcase {
				s := stmt{name: d.Name, args: args, block: d.Block, raw: e.body}
				body := []stmt{s}
				if twice {
					body = append(body, s)
				}
				c := &dcase{kind: kind, dir: d, ctx: ctx, sos: loads(ctx), setup: map[Context]string{}, body: body}
				if e.setup != "" && kind != "notallowed" {
					c.setup[setupContext(ctx)] = e.setup
				}
				c.top = skeleton(ctx, body, d.Name)
				return c
			}
			first := true
			for _, ctx := range Contexts() {
				if d.Contexts&ctx == 0 {
					continue
				}
				if e.skip == "" {
					add(mk("valid", ctx, args, false))
				}
				if n := invalidCount(d.Args); n >= 0 && (full || first) {
					a := append([]string(nil), args...)
					for len(a) < n {
						a = append(a, "x")
					}
					add(mk("arity", ctx, a[:n], false))
				}
				if first {
					if v := invalidValue(d.Kind); v != "" {
						a := append([]string(nil), args...)
						if len(a) == 0 {
							a = []string{""}
						}
						a[0] = v
						add(mk("value", ctx, a, false))
					}
					if e.skip == "" {
						add(mk("dup", ctx, args, true))
					}
				}
				first = false
			}
			// Not allowed: by default one context — of the directive's own
			// group where there is one (proxy_pass at http level), else
			// main (or http for main's own directives); with full, every
			// context it is not allowed in.
			var bad []Context
			for _, ctx := range Contexts() {
				if _, other := set.Find(d.Name, ctx); other {
					continue // another module's directive of that name is allowed there
				}
				if d.Contexts&ctx == 0 && (full || groupOf(ctx) == groupOf(d.Contexts)) {
					bad = append(bad, ctx)
				}
			}
			if len(bad) == 0 {
				for _, ctx := range []Context{Main, HTTP} {
					if _, ok := set.Find(d.Name, ctx); !ok {
						bad = []Context{ctx}
						break
					}
				}
			}
			if !full && len(bad) > 1 {
				bad = bad[:1] // none at all: allowed everywhere (include)
			}
			for _, ctx := range bad {
				add(mk("notallowed", ctx, args, false))
			}
		}
	}
	return out
}
