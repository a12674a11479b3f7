package errlog

import (
	"bytes"
	"io"
	"maps"
	"strings"
)

// MaxLineBytes is the longest line the Scanner examines. nginx itself
// caps error-log lines at 2048 bytes (NGX_MAX_ERROR_STR), so anything
// longer is not a line nginx wrote and is counted as noise without being
// held in memory.
const MaxLineBytes = 64 << 10

// triggers are the substrings a line must contain to be worth parsing.
// Every class's message contains "upstream" or "resolv", or is logged at
// [emerg]; FuzzScanner and TestScannerAgreesWithDiagnose keep that true,
// checking the Scanner against a parse-every-line reference. Searching a
// whole buffer for these is what makes noise nearly free: lines between
// hits are only counted, never looked at.
//
// Each is searched for by its rarest byte in log text (anchor): the cost
// of the search is dominated by how often that byte occurs, and "resolv"
// searched from its 'r' is about four times slower than from its 'v'.
var triggers = [...]trigger{
	{[]byte("upstream"), 0},
	{[]byte("resolv"), 5},
	{[]byte("[emerg]"), 0},
}

type trigger struct {
	pat    []byte
	anchor int
}

// index returns the first occurrence of t.pat in s, or -1.
func (t trigger) index(s []byte) int {
	c := t.pat[t.anchor]
	for i := t.anchor; i < len(s); i++ {
		j := bytes.IndexByte(s[i:], c)
		if j < 0 {
			return -1
		}
		i += j
		// Checking the last byte first rejects most anchor hits without
		// the call into bytes.Equal.
		st, end := i-t.anchor, i-t.anchor+len(t.pat)
		if st >= 0 && end <= len(s) && s[end-1] == t.pat[len(t.pat)-1] && bytes.Equal(s[st:end], t.pat) {
			return st
		}
	}
	return -1
}

// benign are messages that mention upstream but report no failure; they
// are frequent enough in real logs that counting them as unexplained
// would bury the real ones.
var benign = [...]string{
	"an upstream response is buffered to a temporary file",
}

// Record is one line the Scanner reports: a classified line, or an
// upstream-looking line no class explains.
type Record struct {
	// LineNo is 1-based.
	LineNo int64
	Entry  Entry
	// Matched tells whether Diagnosis holds a class. Unmatched records are
	// lines of level warn or above that mention "upstream": reported so a
	// gap in the catalogue is visible instead of silently dropped.
	Matched   bool
	Diagnosis Diagnosis
}

// Stats counts what the Scanner saw. Lines = Matched + Unclassified + Noise.
type Stats struct {
	Lines        int64
	Bytes        int64
	Matched      int64
	Unclassified int64
	Noise        int64
	// Oversized is the part of Noise made of lines longer than
	// MaxLineBytes, which were skipped unread.
	Oversized int64
	// ByClass counts Matched lines per class slug.
	ByClass map[string]int64
}

// Scanner streams an error log and yields the lines worth explaining.
// Memory use is bounded by MaxLineBytes whatever the input.
type Scanner struct {
	r   io.Reader
	buf []byte
	// buf[start:end] is unread; buf[start:lim] holds complete lines.
	start, lim, end int
	// hits caches, per trigger, the next occurrence at or after start
	// (lim when there is none before lim); -1 when unknown.
	hits       [len(triggers)]int
	discarding bool
	eof        bool
	done       bool
	err        error
	stalls     int

	rec     Record
	stats   Stats
	byClass map[string]int64
}

// NewScanner returns a Scanner reading r.
func NewScanner(r io.Reader) *Scanner {
	s := &Scanner{
		r: r,
		// One byte more than the longest line plus its newline can never
		// hold a longer line whole, so "buffer full without a newline" is
		// exactly "line too long".
		buf:     make([]byte, MaxLineBytes+1),
		byClass: make(map[string]int64),
	}
	s.resetHits()
	return s
}

func (s *Scanner) resetHits() {
	for i := range s.hits {
		s.hits[i] = -1
	}
}

// Scan advances to the next reported line, which Record then returns. It
// returns false at the end of input or on a read error (see Err).
func (s *Scanner) Scan() bool {
	for {
		if s.start < s.lim {
			if s.scanLines() {
				return true
			}
			continue
		}
		if s.done {
			return false
		}
		if s.eof {
			s.done = true
			if s.discarding {
				s.discarding = false
				s.stats.Lines++
				s.stats.Oversized++
				return false
			}
			if s.end > s.start {
				// Last line without a newline: a log being written or
				// a truncated copy; it is still a line.
				line := s.buf[s.start:s.end]
				s.start = s.end
				s.stats.Lines++
				return s.evaluate(line)
			}
			return false
		}
		s.fill()
	}
}

// Record returns the line Scan stopped at. It stays valid after later
// calls to Scan: its strings do not share the Scanner's buffer.
func (s *Scanner) Record() Record { return s.rec }

// Err returns the first read error other than io.EOF.
func (s *Scanner) Err() error { return s.err }

// Stats returns the counts so far; ByClass is a copy.
func (s *Scanner) Stats() Stats {
	st := s.stats
	st.Noise = st.Lines - st.Matched - st.Unclassified
	st.ByClass = maps.Clone(s.byClass)
	return st
}

// scanLines consumes buf[start:lim] up to and including the next line
// that contains a trigger, and reports whether that line was yielded.
func (s *Scanner) scanLines() bool {
	window := s.buf[s.start:s.lim]
	p := s.lim
	for i, t := range triggers {
		h := s.hits[i]
		if h < s.start {
			h = s.lim
			if j := t.index(window); j >= 0 {
				h = s.start + j
			}
			s.hits[i] = h
		}
		p = min(p, h)
	}
	if p == s.lim {
		s.stats.Lines += int64(bytes.Count(window, newline))
		s.start = s.lim
		return false
	}
	ls := s.start + bytes.LastIndexByte(s.buf[s.start:p], '\n') + 1
	s.stats.Lines += int64(bytes.Count(s.buf[s.start:ls], newline))
	le := p + bytes.IndexByte(s.buf[p:s.lim], '\n')
	s.start = le + 1
	s.stats.Lines++
	return s.evaluate(s.buf[ls:le])
}

var newline = []byte{'\n'}

// evaluate decides whether a candidate line is reported. The decision is
// made on a view of the buffer; the line is copied only once it is known
// to be reported, so a rejected candidate costs no allocation.
func (s *Scanner) evaluate(line []byte) bool {
	line = trimEOL(line)
	view := bytesView(line)
	e, ok := parseString(view, false)
	if !ok {
		return false
	}
	_, matched := Diagnose(e)
	if !matched && !s.unexplained(view, e) {
		return false
	}
	// Reparse on a copy: the view's strings alias the buffer.
	e, _ = parseString(string(line), true)
	d, _ := Diagnose(e)
	s.rec = Record{LineNo: s.stats.Lines, Entry: e, Matched: matched, Diagnosis: d}
	if matched {
		s.stats.Matched++
		s.byClass[d.Class.Slug]++
	} else {
		s.stats.Unclassified++
	}
	return true
}

// unexplained reports whether an unmatched line still looks like an
// upstream failure. Below [warn] nginx logs routine upstream activity
// (and at debug, every step of it), so those are noise.
func (s *Scanner) unexplained(line string, e Entry) bool {
	if e.Level < LevelWarn || !strings.Contains(line, "upstream") {
		return false
	}
	for _, b := range benign {
		if strings.HasPrefix(e.Msg, b) {
			return false
		}
	}
	return true
}

// maxStalls mirrors bufio's guard against readers that return no data
// and no error forever.
const maxStalls = 100

func (s *Scanner) fill() {
	defer s.resetHits()
	if s.discarding {
		n, err := s.r.Read(s.buf)
		s.account(n, err)
		if i := bytes.IndexByte(s.buf[:n], '\n'); i >= 0 {
			s.discarding = false
			s.stats.Lines++
			s.stats.Oversized++
			s.start, s.end = i+1, n
			s.lim = bytes.LastIndexByte(s.buf[:n], '\n') + 1
		}
		return
	}
	if s.start > 0 {
		// buf[start:end] has no newline (complete lines were consumed
		// before fill was called), so lim is 0 after the move.
		s.end = copy(s.buf, s.buf[s.start:s.end])
		s.start, s.lim = 0, 0
	}
	if s.end == len(s.buf) {
		s.discarding = true
		s.start, s.lim, s.end = 0, 0, 0
		return
	}
	n, err := s.r.Read(s.buf[s.end:])
	if nl := bytes.LastIndexByte(s.buf[s.end:s.end+n], '\n'); nl >= 0 {
		s.lim = s.end + nl + 1
	}
	s.end += n
	s.account(n, err)
}

func (s *Scanner) account(n int, err error) {
	s.stats.Bytes += int64(n)
	switch {
	case err == io.EOF:
		s.eof = true
	case err != nil:
		// Treat like EOF so what was read is still reported, e.g. the
		// readable part of a truncated .gz.
		s.err, s.eof = err, true
	case n == 0:
		s.stalls++
		if s.stalls >= maxStalls {
			s.err, s.eof = io.ErrNoProgress, true
		}
	default:
		s.stalls = 0
	}
}
