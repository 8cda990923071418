// Headroom's Go helper: facts about Go source from Go's own go/parser and go/types, so positions, names and types
// are exact, and the edits of the Go skills' recipes. One JSON request on stdin, one JSON answer on stdout:
//
//	headroom-go MODE < request.json
//
// Modes: functions (spans, named as pprof names them without the package path), check (does it parse), callsites
// (where a function is called within its package), scan (the skills' patterns in hot functions) and fix (one
// recipe's edit of one function, or the reason it must not be made).
// A source that does not parse answers {"helper_error": "line N: message"}.
//
// This file is the source of truth; `scripts/generate-go-helper.py` embeds it in
// Sources/HeadroomSource/GoHelperSource.swift, and `GoAST` builds it once into a cache folder.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/constant"
	"go/format"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

type sourceFile struct {
	Path      string   `json:"path"`
	Source    string   `json:"source"`
	Functions []string `json:"functions,omitempty"`
}

type request struct {
	Files         []sourceFile `json:"files"`
	Package       []sourceFile `json:"package"`
	EveryFunction bool         `json:"every_function"`
	Path          string       `json:"path"`
	Source        string       `json:"source"`
	Function      string       `json:"function"`
	Recipe        string       `json:"recipe"`
}

type span struct {
	Name  string `json:"name"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

type finding struct {
	Pattern string   `json:"pattern"`
	Recipe  string   `json:"recipe"`
	Line    int      `json:"line"`
	Lines   [][2]int `json:"lines"`
	Detail  string   `json:"detail"`
	Blocked *string  `json:"blocked"`
	Shapes  []string `json:"shapes,omitempty"`
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: headroom-go functions|check|scan|fix < request.json")
	}
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fail("unreadable request: " + err.Error())
	}
	var answer interface{}
	switch os.Args[1] {
	case "functions":
		answer = functions(req)
	case "check":
		answer = check(req)
	case "callsites":
		answer = callSites(req)
	case "scan":
		answer = scan(req)
	case "fix":
		answer = fix(req)
	default:
		fail("unknown mode " + os.Args[1])
	}
	out, _ := json.Marshal(answer)
	os.Stdout.Write(out)
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, message)
	os.Exit(2)
}

// MARK: units

// unit is one parsed file with the type information of its package.
type unit struct {
	fset *token.FileSet
	file *ast.File
	src  []byte
	info *types.Info
	pkg  *types.Package
	// every identifier name in the package's files: new names avoid all of them.
	names map[string]bool
	// type errors in this file (without positions): an edit must not add any.
	typeErrors map[string]bool
}

func load(path, source string, others []sourceFile) (*unit, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, source, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	files := []*ast.File{file}
	for _, other := range others {
		if other.Path == path {
			continue
		}
		if f, err := parser.ParseFile(fset, other.Path, other.Source, parser.ParseComments); err == nil &&
			f.Name.Name == file.Name.Name {
			files = append(files, f)
		}
	}
	info := &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{}, Scopes: map[ast.Node]*types.Scope{},
	}
	typeErrors := map[string]bool{}
	conf := types.Config{Importer: importer.Default(), Error: func(err error) {
		if te, ok := err.(types.Error); ok && te.Fset.Position(te.Pos).Filename == path {
			typeErrors[te.Msg] = true
		}
	}}
	pkg, _ := conf.Check(file.Name.Name, fset, files, info)
	names := map[string]bool{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				names[id.Name] = true
			}
			return true
		})
	}
	return &unit{fset: fset, file: file, src: []byte(source), info: info, pkg: pkg, names: names,
		typeErrors: typeErrors}, nil
}

func parseError(err error) map[string]string {
	message := err.Error()
	if list, ok := err.(interface{ Unwrap() []error }); ok && len(list.Unwrap()) > 0 {
		message = list.Unwrap()[0].Error()
	}
	if i := strings.Index(message, ":"); i >= 0 {
		// "path:line:col: message" → "line N: message"
		parts := strings.SplitN(message, ":", 4)
		if len(parts) == 4 {
			return map[string]string{"helper_error": "line " + parts[1] + ":" + parts[3]}
		}
	}
	return map[string]string{"helper_error": message}
}

func (u *unit) line(p token.Pos) int      { return u.fset.Position(p).Line }
func (u *unit) offset(p token.Pos) int    { return u.fset.Position(p).Offset }
func (u *unit) text(n ast.Node) string    { return string(u.src[u.offset(n.Pos()):u.offset(n.End())]) }
func (u *unit) lineStart(line int) int    { return lineOffset(u.src, line) }
func (u *unit) indent(p token.Pos) string { return indentation(u.src, u.line(p)) }

func lineOffset(src []byte, line int) int {
	current := 1
	for i, c := range src {
		if current == line {
			return i
		}
		if c == '\n' {
			current++
		}
	}
	return len(src)
}

func indentation(src []byte, line int) string {
	start := lineOffset(src, line)
	end := start
	for end < len(src) && (src[end] == '\t' || src[end] == ' ') {
		end++
	}
	return string(src[start:end])
}

// funcName is the function's name as pprof prints it after the package: F, T.M or (*T).M.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	star := false
	if s, ok := t.(*ast.StarExpr); ok {
		star, t = true, s.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	name := "?"
	if id, ok := t.(*ast.Ident); ok {
		name = id.Name
	}
	if star {
		return "(*" + name + ")." + fd.Name.Name
	}
	return name + "." + fd.Name.Name
}

func (u *unit) function(name string) *ast.FuncDecl {
	var short *ast.FuncDecl
	for _, d := range u.file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
			n := funcName(fd)
			if n == name {
				return fd
			}
			if fd.Name.Name == name || strings.HasSuffix(name, "."+fd.Name.Name) {
				short = fd
			}
		}
	}
	return short
}

// MARK: functions, check

func functions(req request) interface{} {
	spans := map[string][]span{}
	errors := map[string]string{}
	for _, f := range req.Files {
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, f.Path, f.Source, parser.ParseComments)
		if err != nil {
			errors[f.Path] = parseError(err)["helper_error"]
			continue
		}
		list := []span{}
		for _, d := range file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				list = append(list, span{funcName(fd), fset.Position(fd.Pos()).Line, fset.Position(fd.End()).Line})
			}
		}
		spans[f.Path] = list
	}
	return map[string]interface{}{"functions": spans, "errors": errors}
}

func check(req request) interface{} {
	if _, err := parser.ParseFile(token.NewFileSet(), req.Path, req.Source, parser.AllErrors); err != nil {
		return map[string]interface{}{"ok": false, "error": parseError(err)["helper_error"]}
	}
	return map[string]interface{}{"ok": true}
}

// MARK: call sites

type callSite struct {
	Path      string   `json:"path"`
	Line      int      `json:"line"`
	Column    int      `json:"column"`
	Caller    string   `json:"caller"`
	Arguments []string `json:"arguments"`
	InLoop    bool     `json:"in_loop"`
}

// callSites lists the calls of req.Function (F, T.M or (*T).M) declared in one of req.Files, from every file of
// the files' package (type-checked together, so method calls through values, pointers and embedded fields are
// resolved, and a same-named function of another type is not counted).
func callSites(req request) interface{} {
	fset := token.NewFileSet()
	var files []*ast.File
	sources := map[*ast.File][]byte{}
	for _, f := range req.Files {
		file, err := parser.ParseFile(fset, f.Path, f.Source, 0)
		if err != nil {
			continue
		}
		if len(files) > 0 && file.Name.Name != files[0].Name.Name {
			continue
		}
		files = append(files, file)
		sources[file] = []byte(f.Source)
	}
	sites := []callSite{}
	if len(files) == 0 {
		return map[string]interface{}{"sites": sites}
	}
	info := &types.Info{Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{},
		Types: map[ast.Expr]types.TypeAndValue{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
	conf := types.Config{Importer: importer.Default(), Error: func(error) {}}
	conf.Check(files[0].Name.Name, fset, files, info)
	var target types.Object
	for _, file := range files {
		for _, d := range file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && funcName(fd) == req.Function {
				target = info.Defs[fd.Name]
			}
		}
	}
	if target == nil {
		return map[string]interface{}{"sites": sites}
	}
	for _, file := range files {
		src := sources[file]
		for _, d := range file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			up := parents(fd.Body)
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				var callee types.Object
				switch f := unparen(call.Fun).(type) {
				case *ast.Ident:
					callee = info.Uses[f]
				case *ast.SelectorExpr:
					if sel := info.Selections[f]; sel != nil {
						callee = sel.Obj()
					} else {
						callee = info.Uses[f.Sel]
					}
				}
				if callee != target {
					return true
				}
				site := callSite{Path: fset.Position(call.Pos()).Filename, Line: fset.Position(call.Pos()).Line,
					Column: fset.Position(call.Pos()).Column, Caller: funcName(fd), Arguments: []string{}}
				for _, arg := range call.Args {
					site.Arguments = append(site.Arguments,
						string(src[fset.Position(arg.Pos()).Offset:fset.Position(arg.End()).Offset]))
				}
				for p := up[call]; p != nil; p = up[p] {
					switch p.(type) {
					case *ast.ForStmt, *ast.RangeStmt:
						site.InLoop = true
					}
				}
				sites = append(sites, site)
				return true
			})
		}
	}
	return map[string]interface{}{"sites": sites}
}

// MARK: shared facts

// pkgFunc names the imported package and function a call calls (`regexp`, `MustCompile`), or "", "".
func (u *unit) pkgFunc(call *ast.CallExpr) (string, string) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", ""
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return "", ""
	}
	if obj, ok := u.info.Uses[id].(*types.PkgName); ok {
		return obj.Imported().Path(), sel.Sel.Name
	}
	if u.info.Uses[id] == nil {
		for _, spec := range u.file.Imports {
			path := strings.Trim(spec.Path.Value, "\"`")
			name := path[strings.LastIndex(path, "/")+1:]
			if spec.Name != nil {
				name = spec.Name.Name
			}
			if name == id.Name {
				return path, sel.Sel.Name
			}
		}
	}
	return "", ""
}

// importName is the name `path` is imported under in the file, or "" when it is not imported.
func (u *unit) importName(path string) string {
	for _, spec := range u.file.Imports {
		if strings.Trim(spec.Path.Value, "\"`") == path {
			if spec.Name != nil {
				return spec.Name.Name
			}
			return path[strings.LastIndex(path, "/")+1:]
		}
	}
	return ""
}

func (u *unit) object(e ast.Expr) types.Object {
	id, ok := unparen(e).(*ast.Ident)
	if !ok {
		return nil
	}
	if obj := u.info.Uses[id]; obj != nil {
		return obj
	}
	return u.info.Defs[id]
}

func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

func (u *unit) isString(e ast.Expr) bool {
	t := u.info.TypeOf(e)
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

func (u *unit) constString(e ast.Expr) (string, bool) {
	tv, ok := u.info.Types[e]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return "", false
	}
	return constant.StringVal(tv.Value), true
}

// fresh is a name no identifier of the package uses yet, starting from `base`.
func (u *unit) fresh(base string) string {
	name := base
	for n := 2; u.names[name] || types.Universe.Lookup(name) != nil || token.Lookup(name) != token.IDENT; n++ {
		name = fmt.Sprintf("%s%d", base, n)
	}
	u.names[name] = true
	return name
}

func lowerFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToLower(r)) + s[i+len(string(r)):]
	}
	return s
}

func upperFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// loops lists the function's for and range statements, outer ones first, with the statement a line may be
// inserted before (the label, for a labeled loop).
type loop struct {
	node  ast.Stmt
	body  *ast.BlockStmt
	outer ast.Stmt
}

func loops(body ast.Node) []loop {
	var out []loop
	labels := map[ast.Stmt]ast.Stmt{}
	ast.Inspect(body, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.LabeledStmt:
			labels[s.Stmt] = s
		case *ast.ForStmt:
			out = append(out, loop{s, s.Body, s})
		case *ast.RangeStmt:
			out = append(out, loop{s, s.Body, s})
		}
		return true
	})
	for i := range out {
		if l, ok := labels[out[i].node]; ok {
			out[i].outer = l
		}
	}
	return out
}

// written is every variable a loop assigns (its own header included), takes the address of, or declares.
func (u *unit) written(l loop) map[types.Object]token.Pos {
	out := map[types.Object]token.Pos{}
	mark := func(e ast.Expr, at token.Pos) {
		for {
			switch x := e.(type) {
			case *ast.ParenExpr:
				e = x.X
				continue
			case *ast.SelectorExpr:
				e = x.X
				continue
			case *ast.IndexExpr:
				e = x.X
				continue
			case *ast.StarExpr:
				e = x.X
				continue
			}
			break
		}
		if obj := u.object(e); obj != nil {
			if _, seen := out[obj]; !seen {
				out[obj] = at
			}
		}
	}
	ast.Inspect(l.node, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			for _, lhs := range s.Lhs {
				mark(lhs, s.Pos())
			}
		case *ast.IncDecStmt:
			mark(s.X, s.Pos())
		case *ast.RangeStmt:
			if s.Key != nil {
				mark(s.Key, s.Pos())
			}
			if s.Value != nil {
				mark(s.Value, s.Pos())
			}
		case *ast.UnaryExpr:
			if s.Op == token.AND {
				mark(s.X, s.Pos())
			}
		case *ast.CallExpr:
			if id, ok := s.Fun.(*ast.Ident); ok && id.Name == "delete" && len(s.Args) > 0 {
				mark(s.Args[0], s.Pos())
			}
			// A method call on a variable, or the variable passed to a call, may change what it refers to.
			if sel, ok := s.Fun.(*ast.SelectorExpr); ok {
				if _, isPkg := u.object(sel.X).(*types.PkgName); !isPkg {
					if _, pure := u.pureCall(s); !pure {
						mark(sel.X, s.Pos())
					}
				}
			}
			if _, pure := u.pureCall(s); !pure {
				for _, arg := range s.Args {
					if t := u.info.TypeOf(arg); t != nil && isReference(t) {
						mark(arg, s.Pos())
					}
				}
			}
		case *ast.DeclStmt, *ast.FuncLit:
		}
		return true
	})
	return out
}

func isReference(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Map, *types.Pointer, *types.Slice, *types.Chan, *types.Interface, *types.Signature:
		return true
	}
	return false
}

// Pure library functions: no side effects, never panic on their inputs.
var pure = map[string]map[string]bool{
	"strings": set("ToLower", "ToUpper", "ToTitle", "Title", "TrimSpace", "Trim", "TrimLeft", "TrimRight",
		"TrimPrefix", "TrimSuffix", "Replace", "ReplaceAll", "Split", "SplitN", "Fields", "Join", "Contains",
		"ContainsAny", "ContainsRune", "HasPrefix", "HasSuffix", "Index", "IndexByte", "LastIndex", "EqualFold", "Count"),
	"strconv":       set("Itoa", "FormatInt", "FormatUint", "FormatFloat", "FormatBool", "Quote", "QuoteRune"),
	"fmt":           set("Sprintf", "Sprint", "Sprintln"),
	"path":          set("Join", "Base", "Ext", "Clean", "Dir"),
	"path/filepath": set("Join", "Base", "Ext", "Clean", "Dir"),
	"bytes":         set("ToLower", "ToUpper", "TrimSpace", "Equal", "Contains", "HasPrefix", "HasSuffix"),
	"encoding/json": set("Marshal", "MarshalIndent"),
	"time":          set("Since", "Duration"),
}

// Worth computing once: the pure functions that build or scan their input.
var hoistable = map[string]map[string]bool{
	"strings": set("ToLower", "ToUpper", "ToTitle", "Title", "TrimSpace", "Replace", "ReplaceAll", "Split",
		"SplitN", "Fields", "Join"),
	"strconv":       set("Itoa", "FormatInt", "FormatFloat", "Quote"),
	"fmt":           set("Sprintf", "Sprint"),
	"path/filepath": set("Join", "Clean"),
	"path":          set("Join", "Clean"),
	"bytes":         set("ToLower", "ToUpper", "TrimSpace"),
}

func set(names ...string) map[string]bool {
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

// pureCall says whether a call has no side effects: a pure library function, len/cap, a conversion, or a
// String/Error method. The first result names it.
func (u *unit) pureCall(call *ast.CallExpr) (string, bool) {
	if tv, ok := u.info.Types[call.Fun]; ok && tv.IsType() {
		return "conversion", true
	}
	if id, ok := call.Fun.(*ast.Ident); ok {
		if _, builtin := u.info.Uses[id].(*types.Builtin); builtin && (id.Name == "len" || id.Name == "cap") {
			return id.Name, true
		}
		return id.Name, false
	}
	if path, name := u.pkgFunc(call); path != "" {
		return path + "." + name, pure[path][name]
	}
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
		return sel.Sel.Name, (sel.Sel.Name == "String" || sel.Sel.Name == "Error") && len(call.Args) == 0
	}
	return u.text(call.Fun), false
}

// impure is the first call in `e` that may have side effects, or nil.
func (u *unit) impure(e ast.Node) *ast.CallExpr {
	var found *ast.CallExpr
	ast.Inspect(e, func(n ast.Node) bool {
		if found != nil {
			return false
		}
		switch x := n.(type) {
		case *ast.FuncLit:
			found = &ast.CallExpr{Fun: x, Lparen: x.Pos(), Rparen: x.End()}
			return false
		case *ast.CallExpr:
			if _, ok := u.pureCall(x); !ok {
				found = x
				return false
			}
		}
		return true
	})
	return found
}

// MARK: edits

type edit struct {
	start, end int
	text       string
}

type editor struct {
	u       *unit
	edits   []edit
	inserts []int
	summary []string
}

func (e *editor) replace(n ast.Node, text string) {
	e.edits = append(e.edits, edit{e.u.offset(n.Pos()), e.u.offset(n.End()), text})
}

// insertLines puts whole lines before 1-based line `line`.
func (e *editor) insertLines(line int, lines []string, declared bool) {
	off := e.u.lineStart(line)
	e.edits = append(e.edits, edit{off, off, strings.Join(lines, "\n") + "\n"})
	if declared {
		e.inserts = append(e.inserts, line)
	}
}

// deleteLines removes whole lines first...last.
func (e *editor) deleteLines(first, last int) {
	e.edits = append(e.edits, edit{e.u.lineStart(first), e.u.lineStart(last + 1), ""})
}

// ensureImport adds `path` to the imports when it is missing (a new line, in sorted place within an import block),
// and says the name to call it by.
func (e *editor) ensureImport(path string) string {
	if name := e.u.importName(path); name != "" {
		return name
	}
	name := path[strings.LastIndex(path, "/")+1:]
	quoted := "\"" + path + "\""
	for _, d := range e.u.file.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.IMPORT {
			continue
		}
		if g.Lparen.IsValid() {
			before := e.u.line(g.Rparen)
			for _, spec := range g.Specs {
				s := spec.(*ast.ImportSpec)
				if strings.Trim(s.Path.Value, "\"`") > path {
					before = e.u.line(s.Pos())
					break
				}
			}
			e.insertLines(before, []string{"\t" + quoted}, true)
		} else {
			e.insertLines(e.u.line(g.End())+1, []string{"import " + quoted}, true)
		}
		e.summary = append(e.summary, "import "+quoted)
		return name
	}
	e.insertLines(e.u.line(e.u.file.Name.End())+1, []string{"", "import " + quoted}, true)
	e.summary = append(e.summary, "import "+quoted)
	return name
}

// declarationLine is where package-level declarations go: after the imports (or the package clause).
func (u *unit) declarationLine() int {
	line := u.line(u.file.Name.End()) + 1
	for _, d := range u.file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			line = u.line(g.End()) + 1
		}
	}
	return line
}

func (e *editor) result(fd *ast.FuncDecl, recipe string) map[string]interface{} {
	// Last in the file first; of edits at one offset the later-made first, so they read in the order made.
	order := make([]int, len(e.edits))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := e.edits[order[i]], e.edits[order[j]]
		if a.start != b.start {
			return a.start > b.start
		}
		return order[i] > order[j]
	})
	out := append([]byte(nil), e.u.src...)
	for _, i := range order {
		ed := e.edits[i]
		out = append(out[:ed.start], append([]byte(ed.text), out[ed.end:]...)...)
	}
	if formatted, err := format.Source(e.u.src); err == nil && bytes.Equal(formatted, e.u.src) {
		// The file was gofmt-clean: keep it so.
		again, err := format.Source(out)
		if err != nil {
			return refuse("guardrail syntax: the patched file does not parse (" + err.Error() + ")")
		}
		out = again
	}
	return map[string]interface{}{
		"patched": string(out), "start": e.u.line(fd.Pos()), "end": e.u.line(fd.End()),
		"insert_lines": e.inserts, "summary": e.summary, "recipe": recipe,
	}
}

func refuse(reason string) map[string]interface{} { return map[string]interface{}{"refused": reason} }

// MARK: scan and fix

type analysis struct {
	findings []finding
	apply    func(e *editor) string // "" when applied, else the refusal
}

var recipes = map[string]func(u *unit, fd *ast.FuncDecl) analysis{
	"go-regex-hoist":    regexHoist,
	"go-log-guard":      logGuard,
	"go-string-builder": stringBuilder,
	"go-preallocate":    preallocate,
	"go-loop-invariant": loopInvariant,
	"go-defer-loop":     deferLoop,
}

func scan(req request) interface{} {
	out := map[string]map[string][]finding{}
	for _, f := range req.Files {
		u, err := load(f.Path, f.Source, req.Package)
		if err != nil {
			continue
		}
		wanted := set(f.Functions...)
		for _, d := range u.file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil || !(req.EveryFunction || wanted[funcName(fd)] || wanted[fd.Name.Name]) {
				continue
			}
			var list []finding
			for _, name := range sortedKeys(recipes) {
				for _, f := range safeAnalysis(recipes[name], u, fd).findings {
					f.Recipe = name
					list = append(list, f)
				}
			}
			if len(list) > 0 {
				if out[f.Path] == nil {
					out[f.Path] = map[string][]finding{}
				}
				out[f.Path][funcName(fd)] = list
			}
		}
	}
	return map[string]interface{}{"files": out}
}

func sortedKeys(m map[string]func(u *unit, fd *ast.FuncDecl) analysis) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func fix(req request) interface{} {
	u, err := load(req.Path, req.Source, req.Package)
	if err != nil {
		return parseError(err)
	}
	fd := u.function(req.Function)
	if fd == nil {
		return refuse(req.Path + " has no function `" + req.Function + "`")
	}
	recipe, ok := recipes[req.Recipe]
	if !ok {
		return refuse("no Go recipe " + req.Recipe)
	}
	a := safeAnalysis(recipe, u, fd)
	e := &editor{u: u}
	if reason := safeApply(a, e); reason != "" {
		return refuse(reason)
	}
	result := e.result(fd, req.Recipe)
	// The patched package must type-check as well as the original did: no new type error in the file.
	if patched, ok := result["patched"].(string); ok {
		after, err := load(req.Path, patched, req.Package)
		if err != nil {
			return refuse("guardrail syntax: the patched file does not parse (" + err.Error() + ")")
		}
		for msg := range after.typeErrors {
			if !u.typeErrors[msg] {
				return refuse("guardrail types: the patched file does not type-check (" + msg + ")")
			}
		}
	}
	return result
}

// safeAnalysis runs one recipe's analysis; code it cannot read is no finding, never a crash of the whole scan.
func safeAnalysis(recipe func(*unit, *ast.FuncDecl) analysis, u *unit, fd *ast.FuncDecl) (a analysis) {
	defer func() {
		if r := recover(); r != nil {
			a = analysis{apply: func(*editor) string { return fmt.Sprintf("internal: the analysis failed (%v)", r) }}
		}
	}()
	return recipe(u, fd)
}

// safeApply makes an edit, or says why it could not.
func safeApply(a analysis, e *editor) (reason string) {
	defer func() {
		if r := recover(); r != nil {
			reason = fmt.Sprintf("internal: the edit failed (%v)", r)
		}
	}()
	return a.apply(e)
}

func blocked(reason string) *string { return &reason }

// oneFinding is a function's one finding of a pattern over `lines` (none without lines), blocked with `reason` when
// no site of it can be fixed.
func oneFinding(pattern string, lines [][2]int, fixable bool, reason, detail string) []finding {
	if len(lines) == 0 {
		return nil
	}
	f := finding{Pattern: pattern, Line: lines[0][0], Lines: lines, Detail: detail}
	if !fixable {
		f.Blocked = blocked(reason)
	}
	return []finding{f}
}

// orElse is reason, or fallback when there is none.
func orElse(reason, fallback string) string {
	if reason != "" {
		return reason
	}
	return fallback
}

func (u *unit) stmtLines(n ast.Node) [2]int { return [2]int{u.line(n.Pos()), u.line(n.End())} }

// enclosingStmt is the statement of `body` that contains position p, at any depth.
func enclosingStmt(body *ast.BlockStmt, p token.Pos) ast.Stmt {
	var found ast.Stmt
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil || p < n.Pos() || p >= n.End() {
			return n == body
		}
		if s, ok := n.(ast.Stmt); ok {
			if _, block := s.(*ast.BlockStmt); !block {
				found = s
			}
		}
		return true
	})
	return found
}

// parents maps every node under root to its parent.
func parents(root ast.Node) map[ast.Node]ast.Node {
	out := map[ast.Node]ast.Node{}
	var stack []ast.Node
	ast.Inspect(root, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if len(stack) > 0 {
			out[n] = stack[len(stack)-1]
		}
		stack = append(stack, n)
		return true
	})
	return out
}

func within(n ast.Node, outer ast.Node) bool { return n.Pos() >= outer.Pos() && n.End() <= outer.End() }

// inFuncLit says whether n sits inside a function literal under root.
func inFuncLit(n ast.Node, up map[ast.Node]ast.Node) bool {
	for p := up[n]; p != nil; p = up[p] {
		if _, ok := p.(*ast.FuncLit); ok {
			return true
		}
	}
	return false
}

// MARK: go-regex-hoist

var regexFuncs = map[string]string{
	"MustCompile": "MustCompile", "Compile": "MustCompile", "MatchString": "MustCompile", "Match": "MustCompile",
	"MustCompilePOSIX": "MustCompilePOSIX", "CompilePOSIX": "MustCompilePOSIX",
}

func regexHoist(u *unit, fd *ast.FuncDecl) analysis {
	type site struct {
		call    *ast.CallExpr
		name    string
		pattern string
		literal string
	}
	up := parents(fd.Body)
	var sites []site
	var lines [][2]int
	dynamic := ""
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		path, name := u.pkgFunc(call)
		if path != "regexp" || regexFuncs[name] == "" || len(call.Args) == 0 {
			return true
		}
		value, isConst := u.constString(call.Args[0])
		if !isConst {
			if dynamic == "" {
				dynamic = fmt.Sprintf("the pattern at line %d is built at run time (`%s`); hoisting needs a constant "+
					"pattern (cache compiled patterns per key instead)", u.line(call.Pos()), u.text(call.Args[0]))
			}
			return true
		}
		if _, err := regexp.Compile(value); err != nil {
			if dynamic == "" {
				dynamic = fmt.Sprintf("the pattern at line %d does not compile (%v): compiling it at package "+
					"initialisation would panic at start-up", u.line(call.Pos()), err)
			}
			return true
		}
		if name != "MustCompile" && name != "MustCompilePOSIX" {
			// Two results: only where they are assigned or returned as a pair.
			switch p := up[call].(type) {
			case *ast.AssignStmt:
				if len(p.Rhs) != 1 || len(p.Lhs) != 2 {
					return true
				}
			case *ast.ValueSpec:
				if len(p.Values) != 1 || len(p.Names) != 2 {
					return true
				}
			case *ast.ReturnStmt:
				if len(p.Results) != 1 {
					return true
				}
			default:
				if dynamic == "" {
					dynamic = fmt.Sprintf("`regexp.%s` at line %d passes its two results straight to a call; "+
						"rewrite it by hand", name, u.line(call.Pos()))
				}
				return true
			}
		}
		literal := u.text(call.Args[0])
		if obj := u.object(call.Args[0]); obj != nil && u.pkg != nil && obj.Parent() != u.pkg.Scope() {
			literal = "`" + value + "`"
			if strings.Contains(value, "`") {
				literal = fmt.Sprintf("%q", value)
			}
		}
		sites = append(sites, site{call, name, value, literal})
		if s := enclosingStmt(fd.Body, call.Pos()); s != nil {
			lines = append(lines, u.stmtLines(s))
		}
		return true
	})
	var findings []finding
	if len(sites) > 0 {
		findings = append(findings, finding{
			Pattern: "regex-compile", Line: u.line(sites[0].call.Pos()), Lines: lines,
			Detail: fmt.Sprintf("`%s` compiles %d constant regular expression(s) on every call (`regexp.%s`)",
				funcName(fd), len(sites), sites[0].name)})
	} else if dynamic != "" {
		findings = append(findings, finding{Pattern: "regex-compile", Line: u.line(fd.Pos()),
			Detail: "a regular expression is compiled on every call", Blocked: blocked(dynamic)})
	}
	return analysis{findings, func(e *editor) string {
		if len(sites) == 0 {
			if dynamic != "" {
				return dynamic
			}
			return "`" + funcName(fd) + "` has no regexp call with a constant pattern"
		}
		alias := u.importName("regexp")
		byPattern := map[string]string{}
		var decls []string
		for _, s := range sites {
			key := regexFuncs[s.name] + "|" + s.pattern
			if byPattern[key] != "" {
				continue
			}
			name := u.fresh(lowerFirst(fd.Name.Name) + "RE")
			byPattern[key] = name
			decls = append(decls, fmt.Sprintf("%s = %s.%s(%s)", name, alias, regexFuncs[s.name], s.literal))
		}
		for _, s := range sites {
			name := byPattern[regexFuncs[s.name]+"|"+s.pattern]
			var text string
			switch s.name {
			case "MustCompile", "MustCompilePOSIX":
				text = name
			case "Compile", "CompilePOSIX":
				text = name + ", error(nil)"
			default:
				text = fmt.Sprintf("%s.%s(%s), error(nil)", name, s.name, u.text(s.call.Args[1]))
			}
			if a, ok := up[s.call].(*ast.AssignStmt); ok && len(a.Lhs) == 2 && u.text(a.Lhs[1]) == "_" {
				// `ok, _ := regexp.MatchString(p, s)` → `ok := re.MatchString(s)`: no error to hand on.
				text = strings.TrimSuffix(strings.TrimSuffix(text, ", error(nil)"), ", nil")
				e.replace(a, u.text(a.Lhs[0])+" "+a.Tok.String()+" "+text)
				e.summary = append(e.summary, fmt.Sprintf("line %d: `%s.%s(…)` → `%s`", u.line(s.call.Pos()), alias,
					s.name, text))
				continue
			}
			e.replace(s.call, text)
			e.summary = append(e.summary, fmt.Sprintf("line %d: `%s.%s(…)` → `%s`", u.line(s.call.Pos()), alias,
				s.name, strings.Replace(text, "("+u.textOr(s.call, 1)+")", "(…)", 1)))
		}
		block := []string{""}
		if len(decls) == 1 {
			block = append(block, "var "+decls[0])
		} else {
			block = append(block, "var (")
			for _, d := range decls {
				block = append(block, "\t"+d)
			}
			block = append(block, ")")
		}
		e.insertLines(u.declarationLine(), block, true)
		e.summary = append([]string{fmt.Sprintf("compile %d pattern(s) once, at package level", len(decls))},
			e.summary...)
		return ""
	}}
}

func (u *unit) textOr(call *ast.CallExpr, arg int) string {
	if arg < len(call.Args) {
		return u.text(call.Args[arg])
	}
	return ""
}

// MARK: go-log-guard

var debugCall = regexp.MustCompile(`^(Debug|Trace)(f|ln|w)?$`)

func logGuard(u *unit, fd *ast.FuncDecl) analysis {
	type site struct {
		stmt    *ast.ExprStmt
		guard   string
		feeders []ast.Stmt // statements before it that compute values only the log call reads
	}
	up := parents(fd.Body)
	var sites []site
	var lines [][2]int
	reason := ""
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		stmt, ok := n.(*ast.ExprStmt)
		if !ok {
			return true
		}
		call, ok := stmt.X.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || !debugCall.MatchString(sel.Sel.Name) {
			return true
		}
		if _, isPkg := u.object(sel.X).(*types.PkgName); isPkg {
			return true
		}
		eager := false
		for _, arg := range call.Args {
			ast.Inspect(arg, func(m ast.Node) bool {
				switch x := m.(type) {
				case *ast.CallExpr:
					if tv, ok := u.info.Types[x.Fun]; !ok || !tv.IsType() {
						eager = true
					}
				case *ast.BinaryExpr:
					if x.Op == token.ADD && u.isString(x) {
						eager = true
					}
				}
				return !eager
			})
		}
		feeders := u.feeders(stmt, up)
		if !eager && len(feeders) == 0 {
			return true
		}
		for p := up[stmt]; p != nil; p = up[p] {
			if s, ok := p.(*ast.IfStmt); ok && strings.Contains(u.text(s.Cond), "Enabled") {
				return true
			}
		}
		level := strings.TrimRight(strings.TrimRight(strings.TrimRight(sel.Sel.Name, "f"), "w"), "ln")
		if strings.HasSuffix(sel.Sel.Name, "ln") {
			level = strings.TrimSuffix(sel.Sel.Name, "ln")
		}
		for _, f := range feeders {
			lines = append(lines, u.stmtLines(f))
		}
		lines = append(lines, u.stmtLines(stmt))
		var bad *ast.CallExpr
		for _, arg := range call.Args {
			if bad == nil {
				bad = u.impure(arg)
			}
		}
		if bad != nil {
			if reason == "" {
				reason = fmt.Sprintf("the arguments of `%s.%s` at line %d call `%s`, which may have side effects: "+
					"skipping them when %s logging is off would change what the program does", u.text(sel.X),
					sel.Sel.Name, u.line(stmt.Pos()), u.text(bad.Fun), strings.ToLower(level))
			}
			return true
		}
		guard, why := u.levelCheck(sel.X, level)
		if guard == "" {
			if reason == "" {
				reason = why
			}
			return true
		}
		sites = append(sites, site{stmt, guard, feeders})
		return true
	})
	findings := oneFinding("logging", lines, len(sites) > 0, reason, fmt.Sprintf("`%s` builds %d debug log line(s) (formatting, calls) even when the level is off",
		funcName(fd), len(lines)))
	return analysis{findings, func(e *editor) string {
		if len(sites) == 0 {
			return orElse(reason, "`"+funcName(fd)+"` has no eager, unguarded debug log call")
		}
		if reason != "" {
			return reason
		}
		for _, s := range sites {
			ind := u.indent(s.stmt.Pos())
			inner := ""
			var start ast.Node = s.stmt
			for _, f := range s.feeders {
				inner += ind + "\t" + strings.ReplaceAll(u.text(f), "\n", "\n\t") + "\n"
			}
			if len(s.feeders) > 0 {
				start = s.feeders[0]
			}
			inner += ind + "\t" + strings.ReplaceAll(u.text(s.stmt), "\n", "\n\t") + "\n"
			e.edits = append(e.edits, edit{u.offset(start.Pos()), u.offset(s.stmt.End()),
				"if " + s.guard + " {\n" + inner + ind + "}"})
			moved := ""
			if len(s.feeders) > 0 {
				moved = fmt.Sprintf(", with the %d statement(s) before it that only compute its arguments", len(s.feeders))
			}
			e.summary = append(e.summary, fmt.Sprintf("line %d: guarded by `if %s`%s", u.line(s.stmt.Pos()), s.guard,
				moved))
		}
		return ""
	}}
}

// feeders are the statements right before a log call, in its block, that only compute what the call reads:
// `raw, _ := json.Marshal(o)` whose variables nothing else uses, with no call that may have side effects.
func (u *unit) feeders(stmt ast.Stmt, up map[ast.Node]ast.Node) []ast.Stmt {
	var list []ast.Stmt
	switch b := up[stmt].(type) {
	case *ast.BlockStmt:
		list = b.List
	case *ast.CaseClause:
		list = b.Body
	case *ast.CommClause:
		list = b.Body
	}
	index := -1
	for i, s := range list {
		if s == stmt {
			index = i
		}
	}
	var out []ast.Stmt
	for i := index - 1; i >= 0; i-- {
		a, ok := list[i].(*ast.AssignStmt)
		if !ok || a.Tok != token.DEFINE {
			break
		}
		onlyLog := true
		for _, lhs := range a.Lhs {
			id, ok := lhs.(*ast.Ident)
			if !ok {
				onlyLog = false
				break
			}
			obj := u.info.Defs[id]
			if id.Name == "_" || obj == nil {
				continue
			}
			for use, o := range u.info.Uses {
				if o == obj && !within(use, stmt) {
					onlyLog = false
				}
			}
		}
		bad := false
		for _, rhs := range a.Rhs {
			if u.impure(rhs) != nil {
				bad = true
			}
		}
		if !onlyLog || bad {
			break
		}
		out = append([]ast.Stmt{a}, out...)
	}
	return out
}

// levelCheck is the expression that says whether `level` logging is on for the logger `x`, from its type's
// methods: Enabled/IsEnabled/IsLevelEnabled(LEVEL) with a constant of the parameter's type named for the level, or
// a DebugEnabled/IsDebugEnabled method. Else "" and why.
func (u *unit) levelCheck(x ast.Expr, level string) (string, string) {
	t := u.info.TypeOf(x)
	recv := u.text(x)
	if t == nil {
		return "", fmt.Sprintf("the type of `%s` is unknown here", recv)
	}
	if strings.ContainsAny(recv, "()") {
		return "", fmt.Sprintf("the logger `%s` is computed by a call", recv)
	}
	sets := []*types.MethodSet{types.NewMethodSet(t)}
	if _, isPointer := t.Underlying().(*types.Pointer); !isPointer {
		sets = append(sets, types.NewMethodSet(types.NewPointer(t)))
	}
	lookup := func(name string) *types.Signature {
		for _, ms := range sets {
			for i := 0; i < ms.Len(); i++ {
				if ms.At(i).Obj().Name() == name {
					return ms.At(i).Type().(*types.Signature)
				}
			}
		}
		return nil
	}
	for _, name := range []string{level + "Enabled", "Is" + level + "Enabled"} {
		if sig := lookup(name); sig != nil && sig.Params().Len() == 0 {
			return recv + "." + name + "()", ""
		}
	}
	for _, name := range []string{"Enabled", "IsEnabled", "IsLevelEnabled", "LevelEnabled"} {
		sig := lookup(name)
		if sig == nil || sig.Params().Len() != 1 {
			continue
		}
		param := sig.Params().At(0).Type()
		named, ok := param.(*types.Named)
		if !ok || named.Obj().Pkg() == nil {
			continue
		}
		scope := named.Obj().Pkg().Scope()
		for _, n := range scope.Names() {
			c, ok := scope.Lookup(n).(*types.Const)
			if !ok || !types.Identical(c.Type(), param) || !strings.Contains(strings.ToLower(n), strings.ToLower(level)) {
				continue
			}
			qualified := n
			if u.pkg == nil || named.Obj().Pkg().Path() != u.pkg.Path() {
				alias := u.importName(named.Obj().Pkg().Path())
				if alias == "" || !c.Exported() {
					continue
				}
				qualified = alias + "." + n
			}
			return fmt.Sprintf("%s.%s(%s)", recv, name, qualified), ""
		}
	}
	return "", fmt.Sprintf("`%s` (%s) has no level check (Enabled(level), Is%sEnabled()) to guard the call with",
		recv, types.TypeString(t, func(p *types.Package) string { return p.Name() }), level)
}

// MARK: go-string-builder

func stringBuilder(u *unit, fd *ast.FuncDecl) analysis {
	type target struct {
		obj     types.Object
		l       loop
		appends []*ast.AssignStmt
		reason  string
	}
	up := parents(fd.Body)
	var targets []*target
	byObj := map[types.Object]*target{}
	for _, l := range loops(fd.Body) {
		ast.Inspect(l.body, func(n ast.Node) bool {
			a, ok := n.(*ast.AssignStmt)
			if !ok || a.Tok != token.ADD_ASSIGN || len(a.Lhs) != 1 || !u.isString(a.Lhs[0]) || inFuncLit(a, up) {
				return true
			}
			obj := u.object(a.Lhs[0])
			v, isVar := obj.(*types.Var)
			if !isVar || v.Pos() < fd.Pos() || v.Pos() > l.node.Pos() {
				return true
			}
			if t := byObj[obj]; t != nil {
				if within(a, t.l.node) && !containsStmt(t.appends, a) {
					t.appends = append(t.appends, a)
				}
				return true
			}
			t := &target{obj: obj, l: l, appends: []*ast.AssignStmt{a}}
			byObj[obj] = t
			targets = append(targets, t)
			return true
		})
	}
	name := func(t *target) string { return t.obj.Name() }
	for _, t := range targets {
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if t.reason != "" {
				return false
			}
			switch x := n.(type) {
			case *ast.Ident:
				if u.info.Uses[x] != t.obj {
					return true
				}
				if inFuncLit(x, up) {
					t.reason = fmt.Sprintf("`%s` is captured by a closure (line %d)", name(t), u.line(x.Pos()))
				} else if within(x, t.l.node) && !isAppendLHS(x, t.appends) {
					t.reason = fmt.Sprintf("`%s` is read inside the loop (line %d), so it must stay a string there",
						name(t), u.line(x.Pos()))
				}
			case *ast.UnaryExpr:
				if x.Op == token.AND && u.object(x.X) == t.obj {
					t.reason = fmt.Sprintf("the address of `%s` is taken (line %d)", name(t), u.line(x.Pos()))
				}
			case *ast.BranchStmt:
				if within(x, t.l.node) && (x.Tok == token.GOTO || (x.Label != nil && !labelInside(x.Label, t.l))) {
					t.reason = fmt.Sprintf("`%s` at line %d leaves the loop past the point the string is rebuilt",
						x.Tok, u.line(x.Pos()))
				}
			case *ast.ReturnStmt:
				if within(x, t.l.node) && len(x.Results) == 0 && fd.Type.Results != nil {
					t.reason = fmt.Sprintf("a bare return at line %d returns `%s` from inside the loop", u.line(x.Pos()),
						name(t))
				}
			}
			return true
		})
	}
	var findings []finding
	var good []*target
	for _, t := range targets {
		lines := [][2]int{}
		for _, a := range t.appends {
			lines = append(lines, u.stmtLines(a))
		}
		f := finding{Pattern: "string-concat", Line: u.line(t.appends[0].Pos()), Lines: lines,
			Detail: fmt.Sprintf("`%s += …` in a loop copies the whole string on every iteration (quadratic in its "+
				"length)", name(t))}
		if t.reason != "" {
			f.Blocked = blocked(t.reason)
		} else {
			good = append(good, t)
		}
		findings = append(findings, f)
	}
	if len(good) > 0 {
		// One finding per function: the first that a fix can take, else the first blocked one.
		for i := range findings {
			if findings[i].Blocked == nil {
				findings = []finding{findings[i]}
				break
			}
		}
	} else if len(findings) > 1 {
		findings = findings[:1]
	}
	return analysis{findings, func(e *editor) string {
		if len(good) == 0 {
			if len(targets) > 0 {
				return targets[0].reason
			}
			return "`" + funcName(fd) + "` builds no string with += in a loop"
		}
		strs := e.ensureImport("strings")
		for _, t := range good {
			b := u.fresh(name(t) + "Builder")
			ind := u.indent(t.l.outer.Pos())
			head := []string{ind + "var " + b + " " + strs + ".Builder"}
			if !u.emptyUntil(t.obj, fd, t.l.outer.Pos()) {
				head = append(head, ind+b+".WriteString("+name(t)+")")
			}
			e.insertLines(u.line(t.l.outer.Pos()), head, false)
			for _, a := range t.appends {
				e.replace(a, b+".WriteString("+u.text(a.Rhs[0])+")")
			}
			e.insertLines(u.line(t.l.node.End())+1, []string{ind + name(t) + " = " + b + ".String()"}, false)
			e.summary = append(e.summary, fmt.Sprintf("`%s += …` (%d place(s)) → one %s.Builder `%s`, read once after "+
				"the loop (line %d)", name(t), len(t.appends), strs, b, u.line(t.l.node.Pos())))
		}
		return ""
	}}
}

func containsStmt(list []*ast.AssignStmt, a *ast.AssignStmt) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

func isAppendLHS(id *ast.Ident, appends []*ast.AssignStmt) bool {
	for _, a := range appends {
		if a.Lhs[0] == ast.Expr(id) {
			return true
		}
	}
	return false
}

func labelInside(label *ast.Ident, l loop) bool {
	if ls, ok := l.outer.(*ast.LabeledStmt); ok && ls.Label.Name == label.Name {
		return true
	}
	found := false
	ast.Inspect(l.body, func(n ast.Node) bool {
		if ls, ok := n.(*ast.LabeledStmt); ok && ls.Label.Name == label.Name {
			found = true
		}
		return !found
	})
	return found
}

// emptyUntil says whether the string variable is declared empty and not touched again before `until`.
func (u *unit) emptyUntil(obj types.Object, fd *ast.FuncDecl, until token.Pos) bool {
	empty := false
	touched := false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.ValueSpec:
			for i, id := range x.Names {
				if u.info.Defs[id] == obj {
					empty = len(x.Values) == 0 || isEmptyString(x.Values[i])
				}
			}
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE {
				for i, lhs := range x.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && u.info.Defs[id] == obj && i < len(x.Rhs) {
						empty = isEmptyString(x.Rhs[i])
					}
				}
			}
		case *ast.Ident:
			if u.info.Uses[x] == obj && x.Pos() < until {
				touched = true
			}
		}
		return true
	})
	return empty && !touched
}

func isEmptyString(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && (lit.Value == `""` || lit.Value == "``")
}

// MARK: go-preallocate

func preallocate(u *unit, fd *ast.FuncDecl) analysis {
	type site struct {
		l      loop
		rng    *ast.RangeStmt
		obj    types.Object
		append *ast.AssignStmt
		decl   ast.Node // *ast.ValueSpec or *ast.AssignStmt
		value  ast.Expr // the declared value, nil for `var out []T`
		elem   string   // the slice type's text
	}
	var sites []site
	var lines [][2]int
	reason := ""
	note := func(r string) {
		if reason == "" {
			reason = r
		}
	}
	for _, l := range loops(fd.Body) {
		// Appends to a variable declared before the loop, anywhere in its body but nested loops and closures.
		var appends []*ast.AssignStmt
		ast.Inspect(l.body, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit, *ast.ForStmt, *ast.RangeStmt:
				return false
			case *ast.AssignStmt:
				if x.Tok != token.ASSIGN || len(x.Lhs) != 1 || len(x.Rhs) != 1 {
					return true
				}
				call, ok := x.Rhs[0].(*ast.CallExpr)
				if !ok || len(call.Args) < 2 || call.Ellipsis.IsValid() {
					return true
				}
				if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "append" {
					return true
				}
				obj := u.object(x.Lhs[0])
				if obj != nil && u.object(call.Args[0]) == obj && obj.Pos() >= fd.Pos() && obj.Pos() < l.node.Pos() {
					appends = append(appends, x)
				}
			}
			return true
		})
		for _, a := range appends {
			obj := u.object(a.Lhs[0])
			decl, value, elem := u.sliceDecl(fd, obj)
			if value != nil {
				if call, ok := value.(*ast.CallExpr); ok && len(call.Args) == 3 {
					continue // already has a capacity
				}
			}
			if decl == nil {
				continue // not a slice that starts empty here
			}
			lines = append(lines, u.stmtLines(a))
			if !directChild(l.body, a) {
				note(fmt.Sprintf("the append to `%s` at line %d is conditional: the final length is not known "+
					"before the loop", obj.Name(), u.line(a.Pos())))
				continue
			}
			rng, isRange := l.node.(*ast.RangeStmt)
			if !isRange {
				note(fmt.Sprintf("the loop at line %d is not a range over a collection: how many times `%s` grows "+
					"is not known before it", u.line(l.node.Pos()), obj.Name()))
				continue
			}
			if t := u.info.TypeOf(rng.X); t != nil {
				if _, isChan := t.Underlying().(*types.Chan); isChan {
					note(fmt.Sprintf("the loop at line %d ranges over a channel: its length is not known",
						u.line(l.node.Pos())))
					continue
				}
			}
			if bad := u.impure(rng.X); bad != nil {
				note(fmt.Sprintf("the range expression at line %d calls `%s`", u.line(rng.Pos()), u.text(bad.Fun)))
				continue
			}
			// Every other append to it in the loop, and every way to skip this one, makes the length unknown.
			problem := ""
			ast.Inspect(l.body, func(n ast.Node) bool {
				if problem != "" {
					return false
				}
				switch x := n.(type) {
				case *ast.AssignStmt:
					if x != a && len(x.Lhs) == 1 && u.object(x.Lhs[0]) == obj {
						problem = fmt.Sprintf("`%s` is also assigned at line %d, so the number of appends is not "+
							"the number of iterations", obj.Name(), u.line(x.Pos()))
					}
				case *ast.BranchStmt:
					if (x.Tok == token.CONTINUE || x.Tok == token.BREAK || x.Tok == token.GOTO) && x.Pos() < a.Pos() {
						problem = fmt.Sprintf("the `%s` at line %d can skip the append: the final length is not known",
							x.Tok, u.line(x.Pos()))
					}
				case *ast.ReturnStmt:
					if x.Pos() < a.Pos() {
						problem = fmt.Sprintf("the return at line %d can skip the append", u.line(x.Pos()))
					}
				}
				return true
			})
			if problem != "" {
				note(problem)
				continue
			}
			used := false
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && u.info.Uses[id] == obj && id.Pos() > decl.End() &&
					id.Pos() < l.outer.Pos() {
					used = true
				}
				return !used
			})
			if used {
				note(fmt.Sprintf("`%s` is used between its declaration and the loop", obj.Name()))
				continue
			}
			sites = append(sites, site{l, rng, obj, a, decl, value, elem})
		}
	}
	findings := oneFinding("preallocate", lines, len(sites) > 0, reason, fmt.Sprintf("`%s` grows a slice with append in a loop whose length is known: it is reallocated "+
		"and copied as it grows", funcName(fd)))
	return analysis{findings, func(e *editor) string {
		if len(sites) == 0 {
			return orElse(reason, "`"+funcName(fd)+"` appends in no loop of known length")
		}
		done := map[types.Object]bool{}
		for _, s := range sites {
			if done[s.obj] {
				continue
			}
			done[s.obj] = true
			x := u.text(s.rng.X)
			if s.value == nil {
				// `var out []T` is nil; it stays nil when the collection is empty.
				ind := u.indent(s.l.outer.Pos())
				e.insertLines(u.line(s.l.outer.Pos()), []string{
					ind + "if n := len(" + x + "); n > 0 {",
					ind + "\t" + s.obj.Name() + " = make(" + s.elem + ", 0, n)",
					ind + "}"}, false)
			} else {
				e.replace(s.value, "make("+s.elem+", 0, len("+x+"))")
			}
			e.summary = append(e.summary, fmt.Sprintf("`%s` is allocated once with capacity len(%s) before the loop "+
				"at line %d", s.obj.Name(), x, u.line(s.l.node.Pos())))
		}
		return ""
	}}
}

// sliceDecl finds the declaration of a slice variable that starts empty: `var out []T` (value nil),
// `out := []T{}` or `out := make([]T, 0)`, with the slice type's text.
func (u *unit) sliceDecl(fd *ast.FuncDecl, obj types.Object) (ast.Node, ast.Expr, string) {
	var decl ast.Node
	var value ast.Expr
	elem := ""
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.ValueSpec:
			for i, id := range x.Names {
				if u.info.Defs[id] != obj {
					continue
				}
				if len(x.Values) == 0 && x.Type != nil {
					if _, ok := x.Type.(*ast.ArrayType); ok {
						decl, elem = x, u.text(x.Type)
					}
				} else if i < len(x.Values) {
					if t := emptySlice(u, x.Values[i]); t != "" {
						decl, value, elem = x, x.Values[i], t
					}
				}
			}
		case *ast.AssignStmt:
			if x.Tok != token.DEFINE {
				return true
			}
			for i, lhs := range x.Lhs {
				if id, ok := lhs.(*ast.Ident); ok && u.info.Defs[id] == obj && i < len(x.Rhs) {
					if t := emptySlice(u, x.Rhs[i]); t != "" {
						decl, value, elem = x, x.Rhs[i], t
					}
				}
			}
		}
		return decl == nil
	})
	return decl, value, elem
}

func emptySlice(u *unit, e ast.Expr) string {
	switch x := e.(type) {
	case *ast.CompositeLit:
		if _, ok := x.Type.(*ast.ArrayType); ok && len(x.Elts) == 0 && x.Type.(*ast.ArrayType).Len == nil {
			return u.text(x.Type)
		}
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "make" && len(x.Args) >= 2 {
			if lit, ok := x.Args[1].(*ast.BasicLit); ok && lit.Value == "0" {
				return u.text(x.Args[0])
			}
		}
	}
	return ""
}

// MARK: go-loop-invariant

func loopInvariant(u *unit, fd *ast.FuncDecl) analysis {
	type candidate struct {
		l     loop
		expr  ast.Node
		text  string
		stmt  *ast.AssignStmt // a `b, err := json.Marshal(v)` statement moved whole
		label string
	}
	up := parents(fd.Body)
	var found []candidate
	var lines [][2]int
	reason := ""
	claimed := func(n ast.Node) bool {
		for _, c := range found {
			if within(n, c.expr) {
				return true
			}
		}
		return false
	}
	for _, l := range loops(fd.Body) {
		written := u.written(l)
		// invariant says whether e has the same value on every iteration; else the first variable that changes.
		invariant := func(e ast.Node) (bool, types.Object) {
			ok := true
			var culprit types.Object
			ast.Inspect(e, func(n ast.Node) bool {
				if !ok {
					return false
				}
				switch x := n.(type) {
				case *ast.FuncLit:
					ok = false
				case *ast.CallExpr:
					if _, p := u.pureCall(x); !p {
						ok = false
					}
				case *ast.Ident:
					v, isVar := u.info.Uses[x].(*types.Var)
					if !isVar {
						return true
					}
					if within(&ast.Ident{NamePos: v.Pos(), Name: v.Name()}, l.node) {
						ok = false
					} else if _, w := written[v]; w {
						ok, culprit = false, v
					}
				}
				return ok
			})
			return ok, culprit
		}
		consider := func(n ast.Node, label string) bool {
			// Only what runs on every iteration: hoisting a computation from a branch (an error path, a slow path)
			// would run it where it never ran before.
			if claimed(n) || inFuncLit(n, up) || conditionalIn(n, l, up) {
				return false
			}
			if ok, culprit := invariant(n); ok {
				found = append(found, candidate{l: l, expr: n, text: u.text(n), label: label})
				if s := enclosingStmt(fd.Body, n.Pos()); s != nil {
					lines = append(lines, u.stmtLines(s))
				}
				return true
			} else if culprit != nil && reason == "" && !within(&ast.Ident{NamePos: culprit.Pos()}, l.node) {
				if at, w := written[culprit]; w && !isHeader(l, at) {
					reason = fmt.Sprintf("`%s` is assigned inside the loop (line %d): `%s` is not the same on every "+
						"iteration", culprit.Name(), u.line(at), u.text(n))
				}
			}
			return false
		}
		ast.Inspect(l.body, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.AssignStmt:
				// `b, err := json.Marshal(v)` directly in the loop body: the statement moves whole.
				if x.Tok == token.DEFINE && len(x.Lhs) == 2 && len(x.Rhs) == 1 && directChild(l.body, x) {
					if call, ok := x.Rhs[0].(*ast.CallExpr); ok {
						if path, name := u.pkgFunc(call); path == "encoding/json" && name == "Marshal" &&
							len(call.Args) == 1 && !u.customMarshaler(call.Args[0]) && !claimed(x) {
							if ok, _ := invariant(call); ok {
								found = append(found, candidate{l: l, expr: x, text: u.text(x), stmt: x,
									label: "json.Marshal"})
								lines = append(lines, u.stmtLines(x))
								return false
							}
						}
					}
				}
				// Left-hand sides are written, not read: never hoisted.
				for _, rhs := range x.Rhs {
					ast.Inspect(rhs, func(m ast.Node) bool { return visitInvariant(u, m, consider) })
				}
				return false
			case *ast.IncDecStmt:
				return false
			}
			return visitInvariant(u, n, consider)
		})
	}
	var findings []finding
	if len(found) > 0 {
		labels := []string{}
		for _, c := range found {
			labels = append(labels, "`"+c.label+"`")
		}
		findings = append(findings, finding{Pattern: "loop-invariant", Line: lines[0][0], Lines: lines,
			Detail: fmt.Sprintf("`%s` recomputes %s on every iteration of a loop with the same inputs", funcName(fd),
				strings.Join(unique(labels), ", "))})
	} else if reason != "" {
		findings = append(findings, finding{Pattern: "loop-invariant", Line: u.line(fd.Pos()),
			Detail: "a computation in a loop looks invariant", Blocked: blocked(reason)})
	}
	return analysis{findings, func(e *editor) string {
		if len(found) == 0 {
			if reason != "" {
				return reason
			}
			return "`" + funcName(fd) + "` computes nothing loop-invariant that is worth hoisting"
		}
		names := map[string]string{}
		for _, c := range found {
			ind := u.indent(c.l.outer.Pos())
			at := u.line(c.l.outer.Pos())
			if c.stmt != nil {
				var outer, inner []string
				for _, lhs := range c.stmt.Lhs {
					id := lhs.(*ast.Ident)
					if id.Name == "_" {
						outer = append(outer, "_")
						continue
					}
					n := u.fresh("cached" + upperFirst(id.Name))
					outer = append(outer, n)
					inner = append(inner, id.Name+" := "+n)
				}
				e.insertLines(at, []string{ind + strings.Join(outer, ", ") + " := " + u.text(c.stmt.Rhs[0])}, false)
				lhs, rhs := []string{}, []string{}
				for _, pair := range inner {
					parts := strings.SplitN(pair, " := ", 2)
					lhs, rhs = append(lhs, parts[0]), append(rhs, parts[1])
				}
				e.replace(c.stmt, strings.Join(lhs, ", ")+" := "+strings.Join(rhs, ", "))
				e.summary = append(e.summary, fmt.Sprintf("`%s` runs once before the loop at line %d", c.text,
					u.line(c.l.node.Pos())))
				continue
			}
			key := fmt.Sprintf("%d|%s", c.l.node.Pos(), c.text)
			name, seen := names[key]
			if !seen {
				name = u.fresh(hoistName(u, c.expr))
				names[key] = name
				e.insertLines(at, []string{ind + name + " := " + c.text}, false)
				e.summary = append(e.summary, fmt.Sprintf("`%s` is computed once before the loop at line %d, as `%s`",
					c.text, u.line(c.l.node.Pos()), name))
			}
			e.replace(c.expr, name)
		}
		return ""
	}}
}

func isHeader(l loop, at token.Pos) bool { return at == l.node.Pos() }

// conditionalIn says whether n runs only on some iterations of l: inside an if's body or else, a switch or select
// case, a nested loop's body, or the right operand of && or ||.
func conditionalIn(n ast.Node, l loop, up map[ast.Node]ast.Node) bool {
	child := n
	for p := up[n]; p != nil && p != ast.Node(l.body); child, p = p, up[p] {
		switch x := p.(type) {
		case *ast.IfStmt:
			if child == ast.Node(x.Body) || child == x.Else {
				return true
			}
		case *ast.CaseClause, *ast.CommClause:
			return true
		case *ast.ForStmt:
			if child == ast.Node(x.Body) || child == x.Post || child == x.Cond {
				return true
			}
		case *ast.RangeStmt:
			if child == ast.Node(x.Body) {
				return true
			}
		case *ast.BinaryExpr:
			if (x.Op == token.LAND || x.Op == token.LOR) && child == ast.Node(x.Y) {
				return true
			}
		}
	}
	return false
}

func directChild(body *ast.BlockStmt, s ast.Stmt) bool {
	for _, x := range body.List {
		if x == s {
			return true
		}
	}
	return false
}

// visitInvariant offers hoistable calls and map reads to `consider`, and looks inside those it does not take.
func visitInvariant(u *unit, n ast.Node, consider func(ast.Node, string) bool) bool {
	switch x := n.(type) {
	case *ast.FuncLit:
		return false
	case *ast.CallExpr:
		if path, name := u.pkgFunc(x); hoistable[path][name] {
			return !consider(x, path[strings.LastIndex(path, "/")+1:]+"."+name)
		}
	case *ast.IndexExpr:
		if t := u.info.TypeOf(x.X); t != nil {
			if _, isMap := t.Underlying().(*types.Map); isMap {
				return !consider(x, "map lookup "+u.text(x))
			}
		}
	}
	return true
}

func (u *unit) customMarshaler(e ast.Expr) bool {
	t := u.info.TypeOf(e)
	if t == nil {
		return true
	}
	for _, typ := range []types.Type{t, types.NewPointer(t)} {
		ms := types.NewMethodSet(typ)
		for i := 0; i < ms.Len(); i++ {
			if n := ms.At(i).Obj().Name(); n == "MarshalJSON" || n == "MarshalText" {
				return true
			}
		}
	}
	return false
}

func hoistName(u *unit, n ast.Node) string {
	var words []string
	switch x := n.(type) {
	case *ast.CallExpr:
		if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
			words = append(words, lowerFirst(sel.Sel.Name))
		}
		for _, arg := range x.Args {
			ast.Inspect(arg, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok && len(words) < 3 {
					if _, isVar := u.info.Uses[id].(*types.Var); isVar {
						words = append(words, upperFirst(id.Name))
					}
				}
				return true
			})
		}
	case *ast.IndexExpr:
		ast.Inspect(x, func(m ast.Node) bool {
			if id, ok := m.(*ast.Ident); ok && len(words) < 3 {
				if _, isVar := u.info.Uses[id].(*types.Var); isVar {
					words = append(words, upperFirst(id.Name))
				}
			}
			return true
		})
		if len(words) > 0 {
			words[0] = lowerFirst(words[0])
		}
	}
	if len(words) == 0 {
		return "hoisted"
	}
	if len(words) == 1 {
		words = append(words, "Value")
	}
	return strings.Join(words, "")
}

func unique(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// MARK: go-defer-loop

func deferLoop(u *unit, fd *ast.FuncDecl) analysis {
	type site struct {
		l      loop
		defers []*ast.DeferStmt
	}
	var sites []site
	var lines [][2]int
	reason := ""
	note := func(r string) {
		if reason == "" {
			reason = r
		}
	}
	for _, l := range loops(fd.Body) {
		var ok []*ast.DeferStmt
		ast.Inspect(l.body, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ForStmt, *ast.RangeStmt:
				return n == l.node
			case *ast.DeferStmt:
				lines = append(lines, u.stmtLines(x))
				// What the defer releases is acquired earlier in the iteration: that statement's cost is what
				// holding it until the function returns multiplies (an empty pool allocates anew).
				lines = append(lines, u.acquisitions(l, x)...)
				if !directChild(l.body, x) {
					note(fmt.Sprintf("the defer at line %d is inside a block of the loop: when it runs is not one "+
						"place in the iteration", u.line(x.Pos())))
					return true
				}
				if why := u.deferSafe(l, x); why != "" {
					note(why)
					return true
				}
				ok = append(ok, x)
			}
			return true
		})
		if len(ok) > 0 {
			sites = append(sites, site{l, ok})
		}
	}
	findings := oneFinding("defer-in-loop", lines, len(sites) > 0, reason, fmt.Sprintf("`defer` inside a loop of `%s` runs only when the function returns: each iteration "+
		"allocates a defer record and holds what it releases until then", funcName(fd)))
	return analysis{findings, func(e *editor) string {
		if len(sites) == 0 {
			return orElse(reason, "`"+funcName(fd)+"` has no defer in a loop")
		}
		for _, s := range sites {
			end := u.line(s.l.body.Rbrace)
			var calls []string
			for i := len(s.defers) - 1; i >= 0; i-- {
				d := s.defers[i]
				e.deleteLines(u.line(d.Pos()), u.line(d.End()))
				calls = append(calls, u.indent(d.Pos())+u.text(d.Call))
				e.summary = append(e.summary, fmt.Sprintf("line %d: `defer %s` → called at the end of each iteration",
					u.line(d.Pos()), u.text(d.Call)))
			}
			e.insertLines(end, calls, false)
		}
		return ""
	}}
}

// varsRead is every variable n reads.
func (u *unit) varsRead(n ast.Node) map[types.Object]bool {
	reads := map[types.Object]bool{}
	ast.Inspect(n, func(m ast.Node) bool {
		if id, ok := m.(*ast.Ident); ok {
			if v, isVar := u.info.Uses[id].(*types.Var); isVar {
				reads[v] = true
			}
		}
		return true
	})
	return reads
}

// acquisitions are the statements of the loop body before a defer that define what the deferred call reads.
func (u *unit) acquisitions(l loop, d *ast.DeferStmt) [][2]int {
	reads := u.varsRead(d.Call)
	var out [][2]int
	for _, s := range l.body.List {
		if s == ast.Stmt(d) {
			break
		}
		if a, ok := s.(*ast.AssignStmt); ok && a.Tok == token.DEFINE {
			for _, lhs := range a.Lhs {
				if id, ok := lhs.(*ast.Ident); ok && reads[u.info.Defs[id]] {
					out = append(out, u.stmtLines(a))
					break
				}
			}
		}
	}
	return out
}

// deferSafe is "" when the deferred call can run at the end of the iteration instead, else why not.
func (u *unit) deferSafe(l loop, d *ast.DeferStmt) string {
	if lit, ok := d.Call.Fun.(*ast.FuncLit); ok {
		uses := false
		ast.Inspect(lit, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.Name == "recover" {
				uses = true
			}
			return !uses
		})
		if uses {
			return fmt.Sprintf("the deferred function at line %d calls recover, which works only when deferred",
				u.line(d.Pos()))
		}
	}
	// Variables the deferred call reads, and what the rest of the iteration does.
	reads := u.varsRead(d.Call)
	after := false
	why := ""
	loops, blocks := 0, 0 // nested loops, and nested switch/select statements, around the statement walked
	var walk func(n ast.Node) bool
	walk = func(n ast.Node) bool {
		if why != "" || n == nil {
			return false
		}
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			isLoop := false
			switch n.(type) {
			case *ast.ForStmt, *ast.RangeStmt:
				isLoop = true
			}
			if isLoop {
				loops++
			} else {
				blocks++
			}
			ast.Inspect(x, func(m ast.Node) bool {
				if m == x {
					return true
				}
				return walk(m)
			})
			if isLoop {
				loops--
			} else {
				blocks--
			}
			return false
		case *ast.ReturnStmt:
			why = fmt.Sprintf("the return at line %d would skip `%s`", u.line(x.Pos()), u.text(d.Call))
		case *ast.BranchStmt:
			// An unlabeled break leaves the innermost loop, switch or select; an unlabeled continue the innermost loop.
			leaves := x.Tok == token.GOTO || x.Label != nil ||
				(x.Tok == token.BREAK && loops == 0 && blocks == 0) || (x.Tok == token.CONTINUE && loops == 0)
			if leaves {
				why = fmt.Sprintf("the `%s` at line %d would skip `%s`", x.Tok, u.line(x.Pos()), u.text(d.Call))
			}
		case *ast.CallExpr:
			if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "panic" {
				why = fmt.Sprintf("the panic at line %d would skip `%s` (a deferred call still runs)", u.line(x.Pos()),
					u.text(d.Call))
			}
		case *ast.GoStmt:
			why = fmt.Sprintf("the goroutine started at line %d may still use what `%s` releases", u.line(x.Pos()),
				u.text(d.Call))
		case *ast.AssignStmt:
			for _, lhs := range x.Lhs {
				if obj := u.object(lhs); obj != nil && reads[obj] {
					why = fmt.Sprintf("`%s` changes at line %d, after the defer: the deferred call sees the old value",
						obj.Name(), u.line(x.Pos()))
				}
			}
		}
		return why == ""
	}
	for _, s := range l.body.List {
		if s == ast.Stmt(d) {
			after = true
			continue
		}
		if after {
			ast.Inspect(s, walk)
		}
	}
	return why
}
