package rules_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/config"
)

// TEMPORARY scratch helper: NGXDUMP=file1,file2 go test ./rules -run TestZZDump -v
func TestZZDump(t *testing.T) {
	env := os.Getenv("NGXDUMP")
	if env == "" {
		t.Skip()
	}
	for _, root := range strings.Split(env, ",") {
		tr, diags := config.Load(context.Background(), root, config.Options{})
		for _, d := range diags {
			fmt.Println("DIAG", d)
		}
		res := lint.Run(tr, lint.Options{})
		for _, f := range res.Findings {
			file, s, _ := f.Span()
			sup := ""
			if f.Suppressed {
				sup = " [suppressed: " + f.SuppressReason + "]"
			}
			fix := ""
			if f.Fix != nil {
				fix = " FIX: " + f.Fix.Description
				for _, e := range f.Fix.Edits {
					fix += fmt.Sprintf(" {%s@%d-%d %q}", e.File.Path, e.Start, e.End, e.NewText)
				}
			}
			fmt.Printf("%s:%d %s %s%s%s\n", file.Path, file.Position(s).Line, f.Rule.ID, f.Message, sup, fix)
		}
	}
}
