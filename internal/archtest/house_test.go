package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sourceFiles parses the non-test Go files of a module directory.
func sourceFiles(t *testing.T, dir string) (*token.FileSet, map[string]*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join("../..", dir, "*.go"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	files := map[string]*ast.File{}
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files[n] = f
	}
	return fset, files
}

// TestCmdHasNoFunctionHooks: cmd is wiring; its dependencies travel in a
// struct (deps), never through package-level function variables that
// tests or init functions swap.
func TestCmdHasNoFunctionHooks(t *testing.T) {
	fset, files := sourceFiles(t, "cmd/softphone")
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				_, funcType := vs.Type.(*ast.FuncType)
				for _, v := range vs.Values {
					if _, ok := v.(*ast.FuncLit); ok {
						funcType = true
					}
					if sel, ok := v.(*ast.SelectorExpr); ok && vs.Type == nil {
						// var x = pkg.Func: a function value used as a hook.
						if id, ok := sel.X.(*ast.Ident); ok && id.Name != "errors" && strings.ToUpper(sel.Sel.Name[:1]) == sel.Sel.Name[:1] {
							funcType = true
						}
					}
				}
				if funcType {
					t.Errorf("%s: package-level function variable %s: put the dependency in deps", fset.Position(vs.Pos()), vs.Names[0].Name)
				}
			}
		}
	}
}

// TestUIParsesNoRecorderText: the recorder's state reaches the UI typed
// (phone.RecordingStatus); the UI never matches the recorder's words.
func TestUIParsesNoRecorderText(t *testing.T) {
	words := []string{`"paused: `, `"cannot start: "`, `"waiting for customer consent"`}
	names, _ := filepath.Glob("../../ui/*.go")
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range words {
			if strings.Contains(string(b), w) {
				t.Errorf("%s matches the recorder's text %s: use phone.RecordingStatus", n, w)
			}
		}
	}
}

// TestOneRedactionRule: the packages that log numbers redact them through
// internal/redact, the one rule for logs and JSON.
func TestOneRedactionRule(t *testing.T) {
	pkgs := listPackages(t)
	want := map[string]bool{mod + "/crm": true, mod + "/sip": true, mod + "/internal/urlhandler": true}
	for _, p := range pkgs {
		if want[p.ImportPath] {
			delete(want, p.ImportPath)
			if hasPrefixDep(p.Imports, mod+"/internal/redact") == "" {
				t.Errorf("%s does not use internal/redact", p.ImportPath)
			}
		}
	}
	for p := range want {
		t.Errorf("package %s not found", p)
	}
}

// TestFileAndFunctionSize: one concept per file and short functions, in the
// packages made to follow it so far (add the others as they are split).
func TestFileAndFunctionSize(t *testing.T) {
	const maxLines, maxFunc = 480, 80
	for _, dir := range []string{"cmd/softphone", "ui", "phone", "crm", "internal/redact", "netcheck"} {
		fset, files := sourceFiles(t, dir)
		for name, f := range files {
			if n := fset.Position(f.End()).Line; n > maxLines {
				t.Errorf("%s has %d lines (at most %d: one concept per file)", name, n, maxLines)
			}
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				if n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1; n > maxFunc {
					t.Errorf("%s: %s has %d lines (at most %d)", name, fd.Name.Name, n, maxFunc)
				}
			}
		}
	}
}
