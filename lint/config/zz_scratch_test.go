package config

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

func scratchDump(ds []*Directive, ind string, sb *strings.Builder) {
	for _, d := range ds {
		p := d.Pos()
		fmt.Fprintf(sb, "%s%s %q raw=%q @%d:%d end=%d", ind, d.File.Path, d.Name, d.File.Src[d.Start:d.NameEnd], p.Line, p.Col, d.End)
		for i, a := range d.Args {
			fmt.Fprintf(sb, " [%q|%q]", a.Value, d.RawArg(i))
		}
		if d.Lua != nil {
			fmt.Fprintf(sb, " LUA=%q", d.File.Src[d.Lua.Start:d.Lua.End])
		}
		sb.WriteString("\n")
		if d.Include != nil {
			for _, f := range d.Include.Files {
				scratchDump(f.Top, ind+"  >", sb)
			}
		}
		if d.Block != nil {
			scratchDump(d.Block, ind+"  ", sb)
		}
	}
}

func TestScratch(t *testing.T) {
	fn := os.Getenv("SCRATCH")
	if fn == "" {
		t.Skip()
	}
	tr, diags := Load(context.Background(), fn, Options{})
	var sb strings.Builder
	if tr != nil {
		scratchDump(tr.Root.Top, "", &sb)
		for _, f := range tr.Files {
			for _, c := range f.Comments {
				o, n, pr := "", "", ""
				if c.Owner != nil {
					o = c.Owner.Name
				}
				if c.Next != nil {
					n = c.Next.Name
				}
				if c.Prev != nil {
					pr = c.Prev.Name
				}
				fmt.Fprintf(&sb, "comment %s:%d %q owner=%s prev=%s next=%s\n", f.Path, c.Line(), c.Text(), o, pr, n)
			}
		}
	}
	for _, d := range diags {
		fmt.Fprintf(&sb, "DIAG %s %v\n", d.Severity, d.Error())
	}
	fmt.Print(sb.String())
}
