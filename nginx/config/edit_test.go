package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestApplyEdits(t *testing.T) {
	f := &File{Path: "nginx.conf", Src: "user www-data;\nevents {}\n"}
	g := &File{Path: "other.conf", Src: "abc"}
	for _, tc := range []struct {
		name  string
		edits []Edit
		want  map[string]string
		err   string
	}{
		{
			// Debian's first line: comment out `user` and insert a
			// load_module at byte 0; both apply, whatever the order
			name: "insert and replace at byte 0",
			edits: []Edit{
				{File: f, Start: 0, End: 14, NewText: "#user www-data;"},
				{File: f, Start: 0, End: 0, NewText: "load_module m.so; "},
			},
			want: map[string]string{"nginx.conf": "load_module m.so; #user www-data;\nevents {}\n"},
		},
		{
			name: "insertions at one offset keep their order",
			edits: []Edit{
				{File: f, Start: 15, End: 15, NewText: "a;"},
				{File: f, Start: 15, End: 15, NewText: "b;"},
			},
			want: map[string]string{"nginx.conf": "user www-data;\na;b;events {}\n"},
		},
		{
			name:  "identical edits collapse",
			edits: []Edit{{File: g, Start: 1, End: 2, NewText: "X"}, {File: g, Start: 1, End: 2, NewText: "X"}},
			want:  map[string]string{"other.conf": "aXc"},
		},
		{
			name:  "two files",
			edits: []Edit{{File: g, Start: 3, End: 3, NewText: "d"}, {File: f, Start: 0, End: 4, NewText: "#user"}},
			want:  map[string]string{"other.conf": "abcd", "nginx.conf": "#user www-data;\nevents {}\n"},
		},
		{
			name:  "overlap is an error",
			edits: []Edit{{File: g, Start: 0, End: 2, NewText: "X"}, {File: g, Start: 1, End: 3, NewText: "Y"}},
			err:   "conflicting edits",
		},
		{
			name:  "outside the file is an error",
			edits: []Edit{{File: g, Start: 2, End: 9, NewText: "X"}},
			err:   "outside the file",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ApplyEdits(tc.edits)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			s := map[string]string{}
			for k, v := range got {
				s[k] = string(v)
			}
			assert.Equal(t, tc.want, s)
		})
	}
}
