package directives

import (
	"bufio"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Args is a directive's argument-count rule: nginx's NGX_CONF_NOARGS,
// TAKE1..TAKE7 (and their unions TAKE12, TAKE123 …), FLAG, 1MORE, 2MORE and
// ANY. Bits 0..7 allow exactly that many arguments; the other bits are the
// open-ended rules.
type Args uint16

// The open-ended argument rules.
const (
	ArgsFlag    Args = 1 << 8 // NGX_CONF_FLAG: exactly one argument, "on" or "off"
	ArgsOneMore Args = 1 << 9 // NGX_CONF_1MORE
	ArgsTwoMore Args = 1 << 10
	ArgsAny     Args = 1 << 11 // NGX_CONF_ANY: nginx does not count
)

// maxArgs is NGX_CONF_MAX_ARGS less the directive name: TAKEn rules never
// accept more.
const maxArgs = 7

// Take builds the rule that allows exactly the given counts.
func Take(counts ...int) Args {
	var a Args
	for _, n := range counts {
		a |= 1 << n
	}
	return a
}

// Allows reports whether n arguments (not counting the name) pass the rule,
// in the order ngx_conf_handler tests it.
func (a Args) Allows(n int) bool {
	switch {
	case a&ArgsAny != 0:
		return true
	case a&ArgsFlag != 0:
		return n == 1
	case a&ArgsOneMore != 0:
		return n >= 1
	case a&ArgsTwoMore != 0:
		return n >= 2
	case n > maxArgs || n < 0:
		return false
	}
	return a&(1<<n) != 0
}

// Min is the smallest allowed count; Max the largest, or -1 if unbounded.
func (a Args) Min() int {
	switch {
	case a&ArgsAny != 0:
		return 0
	case a&(ArgsFlag|ArgsOneMore) != 0:
		return 1
	case a&ArgsTwoMore != 0:
		return 2
	}
	for n := 0; n <= maxArgs; n++ {
		if a&(1<<n) != 0 {
			return n
		}
	}
	return 0
}

// Max is the largest allowed count, or -1 if there is none.
func (a Args) Max() int {
	switch {
	case a&(ArgsAny|ArgsOneMore|ArgsTwoMore) != 0:
		return -1
	case a&ArgsFlag != 0:
		return 1
	}
	for n := maxArgs; n >= 0; n-- {
		if a&(1<<n) != 0 {
			return n
		}
	}
	return 0
}

// String writes the rule as the tables do: "flag", "1+", "2+", "any",
// "0", "1-2", "1,3".
func (a Args) String() string {
	switch {
	case a&ArgsAny != 0:
		return "any"
	case a&ArgsFlag != 0:
		return "flag"
	case a&ArgsOneMore != 0:
		return "1+"
	case a&ArgsTwoMore != 0:
		return "2+"
	}
	var parts []string
	for n := 0; n <= maxArgs; n++ {
		if a&(1<<n) == 0 {
			continue
		}
		m := n
		for m+1 <= maxArgs && a&(1<<(m+1)) != 0 {
			m++
		}
		if m == n {
			parts = append(parts, strconv.Itoa(n))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", n, m))
		}
		n = m
	}
	return strings.Join(parts, ",")
}

// ParseArgs reads what String writes.
func ParseArgs(s string) (Args, error) {
	switch s {
	case "any":
		return ArgsAny, nil
	case "flag":
		return ArgsFlag, nil
	case "1+":
		return ArgsOneMore, nil
	case "2+":
		return ArgsTwoMore, nil
	}
	var a Args
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		l, err := strconv.Atoi(lo)
		if err != nil || l < 0 || l > maxArgs {
			return 0, fmt.Errorf("invalid argument rule %q", s)
		}
		h := l
		if isRange {
			if h, err = strconv.Atoi(hi); err != nil || h < l || h > maxArgs {
				return 0, fmt.Errorf("invalid argument rule %q", s)
			}
		}
		for n := l; n <= h; n++ {
			a |= 1 << n
		}
	}
	return a, nil
}

// Kind is how nginx reads a directive's value: which of its standard
// ngx_conf_set_*_slot handlers parses it. Only those kinds are checked here;
// KindCustom directives have a handler of their own whose further checks
// (listen parameters, proxy_pass URLs …) are left to later passes.
type Kind uint8

// The value kinds.
const (
	KindCustom  Kind = iota // the module's own handler
	KindFlag                // on | off (case-insensitive)
	KindSize                // ngx_parse_size: N, Nk, Nm
	KindOffset              // ngx_parse_offset: N, Nk, Nm, Ng
	KindMsec                // ngx_parse_time(…, 0): 500ms, 30s, 1h 30m; no y or M
	KindSec                 // ngx_parse_time(…, 1): no ms
	KindNumber              // ngx_atoi: decimal digits only
	KindEnum                // one of Values, case-insensitive
	KindBitmask             // one or more of Values, case-insensitive
	KindString              // any one string
	KindKeyVal              // two strings
	KindBufs                // "number size", both non-zero
	KindPath                // a path and up to three level digits
	KindAccess              // user:rw group:r all:r
	// KindComplexSize is a size that may contain variables
	// (ngx_http_set_complex_value_size_slot): checked when it has none.
	KindComplexSize
)

var kindNames = [...]string{"custom", "flag", "size", "offset", "msec", "sec", "number", "enum", "bitmask",
	"string", "keyval", "bufs", "path", "access", "csize"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// ParseKind reads what String writes.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), true
		}
	}
	return 0, false
}

// Directive is one row of the table: a directive as one module defines it
// over one range of versions.
type Directive struct {
	Name     string
	Module   string  // nginx's module name, e.g. ngx_http_proxy_module
	Contexts Context // where nginx accepts it
	Args     Args
	Block    bool // takes a { } body (NGX_CONF_BLOCK)
	Kind     Kind
	Values   []string // KindEnum/KindBitmask: the accepted words
	// NoDuplicate: a second one in the same block is `"X" directive is
	// duplicate`. True for every standard slot except the list-building
	// ones (str_array, keyval, bitmask), and for custom handlers that say so.
	NoDuplicate bool
	// BareDuplicate: nginx prints the duplicate error as just "is
	// duplicate", without the name (lua-nginx-module's *_by_lua_block
	// handlers replace the directive's arguments before they answer).
	BareDuplicate bool
	// Since/Until bound the versions that have this row: nginx versions for
	// stock modules, the module's own versions for third-party ones. Until is
	// the first version without it. Zero is open.
	Since, Until Version
	// Requires lists what must be present besides the module: other modules
	// (ngx_http_ssl_module), or build features (see Features).
	Requires []string
	Handler  string // the C handler nginx calls; tells custom kinds apart
	Source   string // where the facts come from: file at the tag, documentation URL
}

// ThirdParty reports whether the directive belongs to a module not shipped
// with nginx, in which case Since/Until are that module's versions.
func (d *Directive) ThirdParty() bool {
	m, ok := moduleByName[d.Module]
	return ok && m.ThirdParty
}

//go:embed data/stock.tsv data/thirdparty.tsv data/params.tsv
var dataFS embed.FS

var (
	tableOnce sync.Once
	table     []*Directive
	byName    map[string][]*Directive
)

// All returns every row of both tables, for every version and module. Use a
// Set for the directives of one nginx build.
func All() []*Directive {
	loadTable()
	return table
}

// Known returns the rows for name in any version of any module, so that an
// unknown directive can be explained ("appeared in 1.25.1", "belongs to
// ngx_http_lua_module").
func Known(name string) []*Directive {
	loadTable()
	return byName[name]
}

func loadTable() {
	tableOnce.Do(func() {
		byName = map[string][]*Directive{}
		for _, f := range []string{"data/stock.tsv", "data/thirdparty.tsv"} {
			rows, err := readTable(f)
			if err != nil {
				// the tables are embedded: a read error is a build defect
				panic(err)
			}
			table = append(table, rows...)
		}
		for _, d := range table {
			byName[d.Name] = append(byName[d.Name], d)
		}
	})
}

// readTable parses one TSV file; a malformed row is a bug in the data and
// fails loudly.
func readTable(name string) ([]*Directive, error) {
	f, err := dataFS.Open(name)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // embedded, read-only
	var out []*Directive
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		t := sc.Text()
		if t == "" || t[0] == '#' {
			continue
		}
		d, err := parseRow(t)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		out = append(out, d)
	}
	return out, sc.Err()
}

func parseRow(t string) (*Directive, error) {
	f := strings.Split(t, "\t")
	if len(f) != 13 {
		return nil, fmt.Errorf("%d fields, want 13", len(f))
	}
	d := &Directive{Name: f[0], Module: f[1], Handler: f[11], Source: f[12]}
	var ok bool
	if d.Contexts, ok = ParseContext(f[2]); !ok {
		return nil, fmt.Errorf("bad contexts %q", f[2])
	}
	var err error
	if d.Args, err = ParseArgs(f[3]); err != nil {
		return nil, err
	}
	d.Block = f[4] == "block"
	if d.Kind, ok = ParseKind(f[5]); !ok {
		return nil, fmt.Errorf("bad kind %q", f[5])
	}
	if f[6] != "-" {
		d.Values = strings.Split(f[6], "|")
	}
	d.NoDuplicate = f[7] == "dup" || f[7] == "dup-bare"
	d.BareDuplicate = f[7] == "dup-bare"
	for i, dst := range []*Version{&d.Since, &d.Until} {
		if f[8+i] == "-" {
			continue
		}
		if *dst, err = ParseVersion(f[8+i]); err != nil {
			return nil, err
		}
	}
	if f[10] != "-" {
		d.Requires = strings.Split(f[10], ",")
	}
	return d, nil
}
