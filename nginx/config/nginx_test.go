package config

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nginxBin returns the nginx binary, or skips the test loudly: the
// differential tests against nginx -t are part of the acceptance suite and
// must not pass silently on a machine without nginx (.ci/run installs it).
func nginxBin(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		for _, p := range []string{"/usr/sbin/nginx", "/usr/local/sbin/nginx"} {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
		t.Skip("SKIPPED: nginx is not installed; the differential tests against `nginx -t` did not run (apt-get install nginx libnginx-mod-stream, as .ci/run does)")
	}
	return bin
}

type nginxErr struct {
	Level   string // emerg, crit, …
	Message string
	File    string
	Line    int
}

// The message may hold newlines (a name with backslash-newline in it).
var nginxErrRE = regexp.MustCompile(`(?s)\[(emerg|crit|alert)\] (?:\d+#\d+: )?(.*?) in (/[^\n]*?):(\d+)\n`)

// nginxTest runs `nginx -t` on conf with prefix dir and returns whether it
// accepted the configuration and the errors it printed.
func nginxTest(t *testing.T, bin, dir, conf string) (bool, []nginxErr, string) {
	t.Helper()
	cmd := exec.Command(bin, "-t", "-q", "-p", dir+"/", "-c", conf)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("running nginx: %v", err)
	}
	text := out.String()
	if strings.Contains(text, "Permission denied") && !strings.Contains(text, dir) {
		t.Skipf("SKIPPED: nginx -t cannot open its own files as this user (run as root, as CI does): %s", text)
	}
	var errs []nginxErr
	for _, m := range nginxErrRE.FindAllStringSubmatch(text, -1) {
		line, _ := strconv.Atoi(m[4])
		errs = append(errs, nginxErr{Level: m[1], Message: m[2], File: m[3], Line: line})
	}
	return err == nil, errs, text
}

// nginxSkip lists the valid fixtures nginx -t cannot check as they stand.
var nginxSkip = map[string]string{
	"lua-simple":      "needs OpenResty's lua-nginx-module, which Debian's nginx lacks",
	"lua-strings":     "needs OpenResty's lua-nginx-module, which Debian's nginx lacks",
	"lua-comments":    "needs OpenResty's lua-nginx-module, which Debian's nginx lacks",
	"lua-long":        "needs OpenResty's lua-nginx-module, which Debian's nginx lacks",
	"lua-stray-close": "needs OpenResty's lua-nginx-module, which Debian's nginx lacks",
	"lua-two-on-line": "needs OpenResty's lua-nginx-module, which Debian's nginx lacks",
	"lua-nospace":     "needs OpenResty's lua-nginx-module, which Debian's nginx lacks",
	"lua-quoted-name": "needs OpenResty's lua-nginx-module, which Debian's nginx lacks",
	"lua-set":         "needs OpenResty's lua-nginx-module, which Debian's nginx lacks",
	"pathmap":         "its includes name /etc/nginx, which only --map redirects",
	"prefix":          "a sites-enabled snippet, not a whole nginx.conf",
}

// nginxCannotCheck says why nginx -t cannot check a valid fixture here.
func nginxCannotCheck(name string) (string, bool) {
	if why, ok := nginxSkip[name]; ok {
		return why, true
	}
	const stream = "/usr/lib/nginx/modules/ngx_stream_module.so"
	src, err := os.ReadFile(fixturePath("valid", name, "nginx.conf"))
	if err == nil && bytes.Contains(src, []byte(stream)) {
		if _, err := os.Stat(stream); err != nil {
			return "SKIPPED: needs " + stream + " (apt-get install libnginx-mod-stream)", true
		}
	}
	return "", false
}

// TestNginxAcceptsValidFixtures keeps the valid fixtures honest: nginx
// accepts every one it can check.
func TestNginxAcceptsValidFixtures(t *testing.T) {
	bin := nginxBin(t)
	for _, name := range fixtureNames(t, "valid") {
		t.Run(name, func(t *testing.T) {
			if why, ok := nginxCannotCheck(name); ok {
				t.Skip(why)
			}
			dir := fixturePath("valid", name)
			ok, errs, out := nginxTest(t, bin, dir, filepath.Join(dir, "nginx.conf"))
			assert.True(t, ok, "nginx rejects valid fixture: %v\n%s", errs, out)
		})
	}
}

// TestDifferentialNginxSyntax is differential test (b): nginx -t rejects
// every syntax fixture, and the error it reports (nginx stops at its first)
// is one of ours with the same file, line and message, and no error of ours
// comes before it in that file.
func TestDifferentialNginxSyntax(t *testing.T) {
	bin := nginxBin(t)
	for _, name := range fixtureNames(t, "syntax") {
		t.Run(name, func(t *testing.T) {
			dir := fixturePath("syntax", name)
			root := filepath.Join(dir, "nginx.conf")
			ok, errs, out := nginxTest(t, bin, dir, root)
			require.False(t, ok, "nginx accepts syntax fixture %s", name)
			require.Len(t, errs, 1, "nginx output:\n%s", out)
			ne := errs[0]
			_, diags := Load(context.Background(), root, Options{})
			require.True(t, HasErrors(diags))
			var match *Diagnostic
			for i, d := range diags {
				if sameFile(d.Path, ne.File) && d.Line == ne.Line && d.Message == ne.Message {
					match = &diags[i]
					break
				}
			}
			require.NotNil(t, match, "nginx: %s:%d: %s\nours: %v", ne.File, ne.Line, ne.Message, diagStrings(diags))
			for _, d := range diags {
				if sameFile(d.Path, ne.File) && d.Offset < match.Offset {
					t.Errorf("we report %v before nginx's first error %v", d, ne)
				}
			}
		})
	}
}

func sameFile(a, b string) bool {
	x, err1 := filepath.Abs(a)
	y, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && x == y
}

// TestNginxStoredValues checks our stored values (Arg.Value, Directive.Name)
// against nginx's own: each word is used as a directive name, and nginx's
// `unknown directive "..."` message prints the name exactly as it stored it.
func TestNginxStoredValues(t *testing.T) {
	bin := nginxBin(t)
	words := []string{
		`"C:\\"`, `'\\'`, `a\;b`, `a\ b`, `\#x`, `"a\xb"`, "a\\\nb", `'a\"b'`, `"a\'b"`,
		`"t\tr\rn\n"`, `\"x`, `"a\$b"`, `a\{b`, `"a#b"`, `a#b`, `"a;b{c}"`, `a"b"c`,
		`${x}y`, `$x${y}`, `"\\\\"`, `'a b'`, `\\\\\\`, "\"multi\nline\"", `a}b`, `"\z"`,
		"caf\xe9", "\"\xff\\\xfe\"", `a'b`, `(x`, `x)`,
	}
	dir := t.TempDir()
	for i, w := range words {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			src := "events {}\n" + w + " x;\n"
			conf := filepath.Join(dir, "v"+strconv.Itoa(i)+".conf")
			require.NoError(t, os.WriteFile(conf, []byte(src), 0o644))
			_, errs, out := nginxTest(t, bin, dir, conf)
			require.Len(t, errs, 1, "%s", out)
			msg := errs[0].Message
			require.True(t, strings.HasPrefix(msg, `unknown directive "`) && strings.HasSuffix(msg, `"`), "%q", msg)
			want := msg[len(`unknown directive "`) : len(msg)-1]

			tree, diags := Parse(context.Background(), conf, []byte(src), Options{})
			for _, d := range diags {
				// a name holding '}' is reported like nginx does
				assert.Equal(t, "unknown directive \""+want+"\"", d.Message)
			}
			require.Len(t, tree.Root.Top, 2)
			assert.Equal(t, want, tree.Root.Top[1].Name, "word %q", w)
			assert.Equal(t, w, tree.Root.Top[1].File.Src[tree.Root.Top[1].Start:tree.Root.Top[1].NameEnd], "raw")
		})
	}
}

// TestNginxLoaderOnly documents the boundary: configurations nginx rejects
// in a directive's handler (arity, values) load without error here; rules
// check those. The error line is still the terminator's.
func TestNginxLoaderOnly(t *testing.T) {
	bin := nginxBin(t)
	dir := fixturePath("loader", "missing-semicolon-merge")
	root := filepath.Join(dir, "nginx.conf")
	ok, errs, _ := nginxTest(t, bin, dir, root)
	require.False(t, ok)
	require.Len(t, errs, 1)
	assert.Equal(t, `invalid number of arguments in "default_type" directive`, errs[0].Message)
	assert.Equal(t, 4, errs[0].Line)

	tree, diags := load(t, root, Options{})
	require.Empty(t, diags)
	d := tree.Root.Top[1].Block[0]
	assert.Equal(t, "default_type", d.Name)
	assert.Equal(t, []string{"text/plain", "server_tokens", "off"}, d.Values())
	assert.Equal(t, 3, d.Pos().Line)
	assert.Equal(t, 4, d.File.Position(d.End-1).Line, "terminator line, where nginx reports")
}

// TestNginxDumpLive: for every valid fixture nginx accepts, `nginx -T`
// output loads as the same tree as the files on disk.
func TestNginxDumpLive(t *testing.T) {
	bin := nginxBin(t)
	for _, name := range fixtureNames(t, "valid") {
		t.Run(name, func(t *testing.T) {
			if why, ok := nginxCannotCheck(name); ok {
				t.Skip(why)
			}
			dir := fixturePath("valid", name)
			cmd := exec.Command(bin, "-T", "-q", "-p", dir+"/", "-c", filepath.Join(dir, "nginx.conf"))
			out, err := cmd.Output()
			require.NoError(t, err)
			tree, diags := Parse(context.Background(), "dump.txt", out, Options{})
			require.Empty(t, diagStrings(diags))
			require.True(t, tree.Dump)
			disk := loadValid(t, name)
			assert.Equal(t, ourTree(disk.Root.Top), ourTree(tree.Root.Top))
			assert.Equal(t, len(disk.Files), len(tree.Files))
		})
	}
}

// TestNginxTooLong checks the buffer-rule edges against nginx itself.
func TestNginxTooLong(t *testing.T) {
	bin := nginxBin(t)
	dir := t.TempDir()
	for i, tt := range tooLongCases {
		t.Run(tt.name, func(t *testing.T) {
			conf := filepath.Join(dir, "t"+strconv.Itoa(i)+".conf")
			require.NoError(t, os.WriteFile(conf, []byte(tt.src), 0o644))
			ok, errs, out := nginxTest(t, bin, dir, conf)
			if tt.err == "" {
				assert.True(t, ok, out)
				return
			}
			require.False(t, ok)
			require.Len(t, errs, 1, out)
			line, msg, _ := strings.Cut(tt.err, ":")
			_, msg, _ = strings.Cut(msg, ": ")
			assert.Equal(t, msg, errs[0].Message)
			assert.Equal(t, line, strconv.Itoa(errs[0].Line))
		})
	}
}
