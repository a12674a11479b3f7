package harness

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

// runProbes sends each planned request and records what nginx, the edge
// and error.log showed.
func runProbes(ctx context.Context, c *testcontainers.DockerContainer, st *staged, targets []*UpstreamReport, after bool) error {
	probeN := 0
	for _, t := range targets {
		if t.Verdict == VerdictSkipped || t.edge == nil {
			continue
		}
		for _, pr := range t.Probes {
			probeN++
			out, err := probeOnce(ctx, c, st, t, pr, fmt.Sprintf("p%d-%v", probeN, after))
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				out = &Outcome{Error: err.Error()}
			}
			if after {
				pr.After = out
			} else {
				pr.Before = out
			}
		}
	}
	return nil
}

func probeOnce(ctx context.Context, c *testcontainers.DockerContainer, st *staged, t *UpstreamReport, pr *Probe, id string) (*Outcome, error) {
	port, ssl := pr.Port, pr.ssl
	for _, lp := range st.Ports {
		if pr.Port != 0 {
			break // the after run reuses the before run's port
		}
		if lp.Stream != pr.Stream {
			continue
		}
		if pr.Stream && lp.Server != nil && pr.proxy != nil && lp.Server != pr.proxy.Scope {
			continue
		}
		if !pr.Stream && lp.Server != nil && pr.proxy != nil && lp.Server != pr.proxy.Scope.Server() {
			continue
		}
		if port == 0 || (ssl && !lp.SSL) {
			port, ssl = lp.Port, lp.SSL
		}
	}
	if port == 0 {
		if pr.Stream {
			return nil, fmt.Errorf("the stream server has no TCP listen port the harness can publish")
		}
		port = 80
	}
	pr.Port, pr.ssl = port, ssl
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
	if pr.Stream {
		host := t.ServedNames[0]
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
		out.Request = fmt.Sprintf("%s %s://%s%s (port %d)", pr.Method, scheme, pr.Host, pr.Path, port)
		out.Status, err = httpProbe(ctx, scheme, addr, pr.Host, pr.Path, id)
		if err != nil {
			out.Error = err.Error()
		}
		waitAccessLog(ctx, c, id)
	}
	after, err := readContainerFile(ctx, c, harnessErrorLog)
	if err != nil {
		return nil, err
	}
	if len(after) >= len(before) {
		out.Log = classify(string(after[len(before):]))
	}
	entries, _ := t.edge.Log(ctx, seq)
	fillEdge(out, entries)
	out.impostor = t.impostor
	out.ok, out.why = judge(out)
	return out, nil
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
	defer rc.Close()
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

func httpProbe(ctx context.Context, scheme, addr, host, p, id string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+addr+p, nil)
	if err != nil {
		return 0, err
	}
	req.Host = host
	req.Header.Set(probeHeader, id)
	resp, err := probeClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
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
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	if _, err := fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, fmt.Errorf("no HTTP response through the stream proxy (%v)", err)
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
