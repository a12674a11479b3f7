package harness

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"

	"github.com/ngxlint/ngxlint/harness/edge"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
)

// Basic-auth credentials the harness writes into every auth_basic_user_file
// of the staged copy and sends with every probe, so a location behind
// auth_basic lets the request through as a user's browser would.
const (
	probeUser     = "ngxlint"
	probePassword = "ngxlint-verify"
)

// runProbes sends the requests of every target (only of those in only,
// when set) and records what nginx, the target's edge and error.log
// showed.
func runProbes(ctx context.Context, c *testcontainers.DockerContainer, st *staged, targets []*target, after bool, only map[*target]bool) error {
	n := 0
	for _, t := range targets {
		if t.edge == nil || only != nil && !only[t] {
			continue
		}
		for _, pr := range t.probes {
			if pr.unreachable != "" {
				continue
			}
			n++
			j, err := probeOnce(ctx, c, st, pr, fmt.Sprintf("p%d-%v", n, after))
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				j = &judged{out: &Outcome{Error: err.Error(), EdgeOutcome: "none", Log: []LogLine{}}, why: err.Error()}
			}
			if after {
				pr.after, pr.rep.After = j, j.out
			} else {
				pr.before, pr.rep.Before = j, j.out
			}
		}
	}
	return nil
}

// probeOnce sends one request with the probe's other upstreams switched
// down, and judges what the target's edge and error.log saw.
func probeOnce(ctx context.Context, c *testcontainers.DockerContainer, st *staged, pr *probe, id string) (*judged, error) {
	t := pr.t
	for _, d := range pr.down {
		if d.edge != nil {
			if err := d.edge.SetDown(ctx, true); err != nil {
				return nil, err
			}
			defer func(e *Edge) { _ = e.SetDown(context.WithoutCancel(ctx), false) }(d.edge)
		}
	}
	port, ssl := pr.rep.Port, pr.ssl
	for _, lp := range st.Ports {
		if pr.rep.Port != 0 {
			break // the after run reuses the before run's port
		}
		if lp.Stream != pr.rep.Stream {
			continue
		}
		if pr.rep.Stream && lp.Server != nil && lp.Server != pr.proxy.Scope {
			continue
		}
		if !pr.rep.Stream && lp.Server != nil && lp.Server != pr.proxy.Scope.Server() {
			continue
		}
		if port == 0 || (ssl && !lp.SSL) {
			port, ssl = lp.Port, lp.SSL
		}
	}
	if port == 0 {
		if pr.rep.Stream {
			return nil, fmt.Errorf("the stream server has no TCP listen port the harness can publish")
		}
		port = 80
	}
	pr.rep.Port, pr.ssl = port, ssl
	mp, err := c.MappedPort(ctx, strconv.Itoa(port)+"/tcp")
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(int(mp.Num()))
	before, err := readContainerFile(ctx, c, harnessErrorLog)
	if err != nil {
		return nil, err
	}
	seq := lastSeq(ctx, t.edge)
	out := &Outcome{}
	if pr.rep.Stream {
		host := t.rep.ServedNames[0]
		out.Request = fmt.Sprintf("TCP %s → GET / Host %s", strconv.Itoa(port), host)
		out.Status, err = rawHTTP(ctx, addr, host)
		if err != nil {
			out.Error = err.Error()
		}
		time.Sleep(150 * time.Millisecond)
	} else {
		scheme := "http"
		if ssl {
			scheme = "https"
		}
		out.Request = fmt.Sprintf("%s %s://%s%s (port %d)", pr.rep.Method, scheme, pr.rep.Host, pr.rep.Path, port)
		out.Status, err = httpProbe(ctx, scheme, addr, pr.rep, pr.basic, id)
		if err != nil {
			out.Error = err.Error()
		}
		waitAccessLog(ctx, c, id)
	}
	logAfter, err := readContainerFile(ctx, c, harnessErrorLog)
	if err != nil {
		return nil, err
	}
	var lines []LogLine
	if len(logAfter) >= len(before) {
		lines = classify(string(logAfter[len(before):]))
	}
	entries, _ := t.edge.Log(ctx, seq)
	return judge(t, out, lines, entries), nil
}

// judge decides what one request showed of its target. Error-log lines
// are the target's when their upstream field is the target's edge (or,
// with no upstream field, when they name the target's host); lines about
// other upstreams (an auth_request service, a member switched down) are
// left out of its outcome and its judgement.
func judge(t *target, out *Outcome, lines []LogLine, entries []edge.LogEntry) *judged {
	out.Log = []LogLine{}
	var own []LogLine
	for _, l := range lines {
		switch owner := lineOwner(l.Text); {
		case owner == "":
			if strings.Contains(strings.ToLower(l.Text), t.host) {
				own = append(own, l)
			}
			out.Log = append(out.Log, l)
		case t.hasAddr(owner):
			own = append(own, l)
			out.Log = append(out.Log, l)
		}
	}
	fillEdge(out, entries)
	j := &judged{out: out}
	requests := 0
	hostRefused := false
	for _, e := range entries {
		switch e.Kind {
		case "conn":
			j.reached = true
		case "request":
			j.reached = true
			requests++
			if e.Request != nil && !e.Request.HostOK && e.Request.Status >= 400 {
				hostRefused = true
			}
		}
	}
	failLine := ""
	for _, l := range own {
		if l.Level == "error" || l.Level == "crit" || l.Level == "alert" || l.Level == "emerg" {
			failLine = fmt.Sprintf("%s [%s]: %s", l.Class, l.Level, shortLog(l.Text))
			break
		}
	}
	if !j.reached && failLine != "" {
		// nginx failed before it could connect: no resolver, host not
		// found. The target was exercised, and failed.
		j.reached = true
	}
	if t.impostor {
		for _, l := range own {
			if l.Class == errlog.SlugVerifyError || l.Class == errlog.SlugNameMismatch {
				j.ok = true
				return j
			}
		}
		if requests > 0 {
			j.why = "nginx accepted an impostor's self-signed certificate: the upstream is never authenticated (NGX105)"
			return j
		}
	}
	switch {
	case !j.reached:
		j.why = notReached(out)
	case failLine != "":
		j.why = failLine
	case out.EdgeOutcome == "rejected":
		j.why = "the edge refused the handshake (SNI " + quoteOr(out.SNI, "none") + ")"
	case requests == 0 && out.EdgeOutcome == "accepted" && out.Status >= 400:
		j.why = fmt.Sprintf("the upstream answered %d before the request reached the site: nginx sent a malformed request (a duplicated header such as Host, for instance)", out.Status)
	case requests == 0:
		j.why = fmt.Sprintf("the handshake ended %s and no request reached the upstream", quoteOr(out.EdgeOutcome, "without an answer"))
	case hostRefused:
		j.why = fmt.Sprintf("the edge answered %d: Host %q is not a name it serves", out.Status, out.Host)
	default:
		j.ok = true
	}
	return j
}

// notReached words why a request never reached its target's edge.
func notReached(out *Outcome) string {
	switch {
	case out.Error != "":
		return "the request failed before reaching the upstream: " + out.Error
	case out.Status == 401 || out.Status == 403:
		return fmt.Sprintf("nginx answered %d itself (an access guard: auth_basic, allow/deny, auth_request, an if … return) before proxying", out.Status)
	case out.Status >= 500:
		return fmt.Sprintf("nginx answered %d without contacting the upstream", out.Status)
	}
	return fmt.Sprintf("nginx answered %d without contacting the upstream", out.Status)
}

// lineOwner returns the address in an error.log line's upstream field
// (`upstream: "https://172.18.0.3:443/x"` → "172.18.0.3"), or "".
func lineOwner(text string) string {
	i := strings.Index(text, `upstream: "`)
	if i < 0 {
		return ""
	}
	rest := text[i+len(`upstream: "`):]
	j := strings.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	u := rest[:j]
	if _, after, ok := strings.Cut(u, "://"); ok {
		u = after
	}
	if k := strings.IndexAny(u, "/?"); k >= 0 {
		u = u[:k]
	}
	return strings.ToLower(model.ParseAddress(u).Host)
}

func (t *target) hasAddr(a string) bool {
	if a == t.host {
		return true
	}
	for _, x := range t.addrs {
		if x == a {
			return true
		}
	}
	return false
}

func lastSeq(ctx context.Context, e *Edge) int64 {
	es, err := e.Log(ctx, 0)
	if err != nil || len(es) == 0 {
		return 0
	}
	return es[len(es)-1].Seq
}

func readContainerFile(ctx context.Context, c *testcontainers.DockerContainer, p string) ([]byte, error) {
	rc, err := c.CopyFileFromContainer(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("harness: read %s: %w", p, err)
	}
	defer func() { _ = rc.Close() }()
	return io.ReadAll(rc)
}

// waitAccessLog waits until nginx logged the probe: the log phase runs
// after the response, so error.log is complete for the request by then.
func waitAccessLog(ctx context.Context, c *testcontainers.DockerContainer, id string) {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		b, err := readContainerFile(ctx, c, harnessAccessLog)
		if err == nil && bytes.Contains(b, []byte(id+" ")) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

var probeClient = &http.Client{
	Timeout: 30 * time.Second,
	Transport: &http.Transport{
		DisableKeepAlives: true,
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // nginx's own listener with a generated cert
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func httpProbe(ctx context.Context, scheme, addr string, pr *Probe, basic bool, id string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, pr.Method, scheme+"://"+addr+pr.Path, nil)
	if err != nil {
		return 0, err
	}
	req.Host = pr.Host
	req.Header.Set(probeHeader, id)
	if basic {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(probeUser+":"+probePassword)))
	}
	for k, v := range pr.Headers {
		req.Header.Set(k, v)
	}
	resp, err := probeClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// rawHTTP speaks HTTP through a stream proxy: nginx forwards the bytes over
// TLS to the edge, which answers HTTP.
func rawHTTP(ctx context.Context, addr, host string) (int, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, err
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	if _, err := fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, fmt.Errorf("no HTTP response through the stream proxy (%v)", err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}
