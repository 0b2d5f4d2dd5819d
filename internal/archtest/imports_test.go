package archtest

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const mod = "softphone"

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
	CgoFiles   []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps=false", "-json=ImportPath,Imports,Deps,CgoFiles", "softphone/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 3 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// under reports whether path is dir or inside it (module-relative).
func under(path, dir string) bool {
	full := mod + "/" + dir
	return path == full || strings.HasPrefix(path, full+"/")
}

func anyUnder(path string, dirs ...string) bool {
	for _, d := range dirs {
		if under(path, d) {
			return true
		}
	}
	return false
}

func hasPrefixDep(deps []string, prefix string) string {
	for _, d := range deps {
		if d == prefix || strings.HasPrefix(d, prefix+"/") {
			return d
		}
	}
	return ""
}

// rule is one import rule: packages matching who must not (transitively,
// or directly when direct is set) depend on forbidden.
type rule struct {
	name      string
	who       func(path string) bool
	forbidden string
	direct    bool
}

func rules() []rule {
	not := func(dirs ...string) func(string) bool {
		return func(p string) bool { return !anyUnder(p, dirs...) }
	}
	in := func(dirs ...string) func(string) bool {
		return func(p string) bool { return anyUnder(p, dirs...) }
	}
	return []rule{
		{"only ui and cmd use Fyne", not("ui", "cmd", "assets"), "fyne.io/fyne/v2", false},
		{"only sip and demo import sipgo", not("sip", "demo"), "github.com/emiago/sipgo", true},
		{"only audio/device imports malgo", not("audio/device"), "github.com/gen2brain/malgo", true},
		{"cgo (malgo) stays out of the core", not("ui", "cmd", "audio/device", "demo", "internal/archtest"), "github.com/gen2brain/malgo", false},
		{"sip never imports audio", in("sip"), mod + "/audio", false},
		{"audio never imports sip", in("audio"), mod + "/sip", false},
		{"audio core is independent of devices", func(p string) bool { return p == mod+"/audio" }, mod + "/audio/device", false},
		{"nothing below phone imports phone", not("phone", "ui", "cmd"), mod + "/phone", false},
		{"only cmd imports ui", not("ui", "cmd"), mod + "/ui", false},
		{"nothing imports cmd", func(string) bool { return true }, mod + "/cmd", false},
		{"leaves do not import the demo", not("demo", "cmd", "internal/archtest"), mod + "/demo", false},
		{"test harness stays in tests", func(string) bool { return true }, mod + "/internal/testpeer", false},
		{"only internal/s3store imports minio-go", not("internal/s3store"), "github.com/minio/minio-go", true},
		{"central storage does not know about calls", in("recording/central", "audit/ship", "internal/s3store"), mod + "/phone", false},
		{"the audit shipper does not depend on recordings", in("audit/ship"), mod + "/recording", false},
		// Leaves get the effective policy's values through their config and
		// small interfaces; only the wiring loads it.
		{"only cmd loads the policy", not("cmd", "policy"), mod + "/policy", false},
	}
}

func TestImportRules(t *testing.T) {
	pkgs := listPackages(t)
	for _, r := range rules() {
		t.Run(r.name, func(t *testing.T) {
			for _, p := range pkgs {
				if !r.who(p.ImportPath) || p.ImportPath == r.forbidden || strings.HasPrefix(p.ImportPath, r.forbidden+"/") {
					continue
				}
				deps := p.Deps
				if r.direct {
					deps = p.Imports
				}
				if d := hasPrefixDep(deps, r.forbidden); d != "" {
					t.Errorf("%s depends on %s", p.ImportPath, d)
				}
			}
		})
	}
}

// TestRulesCanFail proves the checker sees a violation: ui depends on phone,
// so a rule forbidding that must report it.
func TestRulesCanFail(t *testing.T) {
	pkgs := listPackages(t)
	found := false
	for _, p := range pkgs {
		if p.ImportPath == mod+"/cmd/softphone" && hasPrefixDep(p.Deps, mod+"/phone") != "" {
			found = true
		}
	}
	if !found {
		t.Fatal("cmd/softphone should depend on phone; the dependency listing is broken")
	}
}

// TestSipAPIHidesSipgo checks that no exported declaration of package sip
// (function signatures, exported struct fields, exported types) mentions a
// type from a sipgo package, whatever name the import is given.
func TestSipAPIHidesSipgo(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("../../sip/*.go")
	if err != nil || len(files) == 0 {
		t.Skip("package sip not present")
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		sipgoNames := map[string]bool{}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if !strings.HasPrefix(path, "github.com/emiago/sipgo") {
				continue
			}
			n := path[strings.LastIndex(path, "/")+1:]
			if imp.Name != nil {
				n = imp.Name.Name
			}
			sipgoNames[n] = true
		}
		if len(sipgoNames) == 0 {
			continue
		}
		leaks := func(n ast.Node, what string) {
			ast.Inspect(n, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && sipgoNames[id.Name] {
						t.Errorf("%s: exported %s uses %s.%s", fset.Position(sel.Pos()), what, id.Name, sel.Sel.Name)
					}
				}
				return true
			})
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() && (d.Recv == nil || exportedRecv(d.Recv)) {
					leaks(d.Type, "func "+d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						if st, ok := s.Type.(*ast.StructType); ok {
							for _, fld := range st.Fields.List {
								for _, n := range fld.Names {
									if n.IsExported() {
										leaks(fld.Type, "field "+s.Name.Name+"."+n.Name)
									}
								}
								if len(fld.Names) == 0 {
									leaks(fld.Type, "embedded field of "+s.Name.Name)
								}
							}
							continue
						}
						leaks(s.Type, "type "+s.Name.Name)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() && s.Type != nil {
								leaks(s.Type, "value "+n.Name)
							}
						}
					}
				}
			}
		}
	}
}

func exportedRecv(fl *ast.FieldList) bool {
	if len(fl.List) == 0 {
		return false
	}
	t := fl.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}

// cgoAllowed lists where C may be compiled: the GUI (Fyne), the sound card (malgo) and the
// vendored speexdsp echo canceller. Everything else builds with CGO_ENABLED=0 for every OS.
var cgoAllowed = []string{"ui", "cmd", "audio/device", "audio/dsp/internal/speexdsp"}

func TestCgoConfined(t *testing.T) {
	withCgo := 0
	for _, p := range listPackages(t) {
		if len(p.CgoFiles) > 0 {
			withCgo++
		}
		if len(p.CgoFiles) > 0 && !anyUnder(p.ImportPath, cgoAllowed...) {
			t.Errorf("%s uses cgo (%v); only %v may", p.ImportPath, p.CgoFiles, cgoAllowed)
		}
	}
	if withCgo == 0 && os.Getenv("CGO_ENABLED") != "0" {
		t.Fatal("no package with cgo files listed: the listing is broken")
	}
}
