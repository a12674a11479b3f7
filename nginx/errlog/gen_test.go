package errlog

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGenerateLog(t *testing.T) {
	const size = 4 << 20
	var a, b bytes.Buffer
	require.NoError(t, GenerateLog(&a, size, 0.01, 42))
	require.NoError(t, GenerateLog(&b, size, 0.01, 42))
	assert.Equal(t, a.Bytes(), b.Bytes(), "same seed, same log")
	assert.LessOrEqual(t, a.Len(), size)
	assert.Greater(t, a.Len(), size-1024, "stops within one line of size")
	assert.Equal(t, byte('\n'), a.Bytes()[a.Len()-1])

	var c bytes.Buffer
	require.NoError(t, GenerateLog(&c, size, 0.01, 43))
	assert.NotEqual(t, a.Bytes(), c.Bytes())

	s := NewScanner(bytes.NewReader(a.Bytes()))
	for s.Scan() {
	}
	st := s.Stats()
	ratio := float64(st.Matched) / float64(st.Lines)
	assert.InDelta(t, 0.01, ratio, 0.003, "failure ratio")
	assert.Zero(t, st.Unclassified, "every generated failure has a class")
	// Every failure kind the generator writes is recognised.
	assert.Len(t, st.ByClass, 11)
}

func TestGenerateLogEdges(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, GenerateLog(&b, 0, 0.5, 1))
	assert.Zero(t, b.Len())

	b.Reset()
	require.NoError(t, GenerateLog(&b, 64<<10, 1, 1))
	s := NewScanner(&b)
	for s.Scan() {
		require.True(t, s.Record().Matched)
	}
	assert.Equal(t, s.Stats().Lines, s.Stats().Matched)

	boom := errors.New("boom")
	assert.ErrorIs(t, GenerateLog(failWriter{boom}, 1<<20, 0.01, 1), boom)
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }
