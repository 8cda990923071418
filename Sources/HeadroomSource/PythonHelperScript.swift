/// The Python program behind `PythonAST`: it uses Python's own `ast`, so positions and syntax verdicts are exact.
/// It reads one JSON request on stdin and writes one JSON answer on stdout.
enum PythonHelperScript {
    static let source = core + "\n" + PythonSkillScript.source + "\n" + dispatch

    /// Reads the request, runs the mode; a source that does not parse gives `{"error": …}`.
    static let dispatch = #"""
MODES.update(SKILL_MODES)
request = json.load(sys.stdin)
try:
    json.dump(MODES[sys.argv[1]](request), sys.stdout)
except (SyntaxError, ValueError) as exc:
    json.dump({"helper_error": f"line {getattr(exc, 'lineno', '?')}: {getattr(exc, 'msg', exc)}"}, sys.stdout)
"""#

    static let core = #"""
import ast, json, sys

def qualnames(tree):
    out = []
    def visit(node, prefix, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                start = min([child.lineno] + [d.lineno for d in getattr(child, "decorator_list", [])])
                if not isinstance(child, ast.ClassDef):
                    out.append({"name": name, "start": start, "end": child.end_lineno, "body_start": child.body[0].lineno})
                    visit(child, name + ".<locals>.", True)
                else:
                    visit(child, name + ".", in_function)
            else:
                visit(child, prefix, in_function)
    visit(tree, "", False)
    return out

def functions(request):
    result, errors = {}, {}
    for item in request["files"]:
        try:
            result[item["path"]] = qualnames(ast.parse(item["source"], item["path"]))
        except (SyntaxError, ValueError) as exc:
            errors[item["path"]] = f"line {getattr(exc, 'lineno', '?')}: {getattr(exc, 'msg', exc)}"
    return {"functions": result, "errors": errors}

LEVELS = {"debug": "DEBUG", "info": "INFO", "warning": "WARNING", "warn": "WARNING", "error": "ERROR",
          "exception": "ERROR", "critical": "CRITICAL", "fatal": "CRITICAL"}
PURE_NAMES = {"repr", "str", "len", "sorted", "list", "dict", "tuple", "set", "frozenset", "format", "min", "max",
              "sum", "round", "int", "float", "bool", "abs", "type", "id", "isinstance", "enumerate", "zip", "range",
              "hex", "ascii"}
PURE_ATTRS = {"format", "join", "items", "keys", "values", "get", "copy", "upper", "lower", "strip", "dumps",
              "isoformat", "hex", "count", "index", "startswith", "endswith", "split", "replace"}

def find_function(tree, qualname):
    for node, name in walk_named(tree, ""):
        if name == qualname or name.split(".<locals>.")[-1] == qualname or name.endswith("." + qualname):
            return node
    return None

def walk_named(node, prefix):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield child, prefix + child.name
            yield from walk_named(child, prefix + child.name + ".<locals>.")
        elif isinstance(child, ast.ClassDef):
            yield from walk_named(child, prefix + child.name + ".")
        else:
            yield from walk_named(child, prefix)

def logging_alias(tree):
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "logging":
                    return alias.asname or "logging"
    return None

def impurity(call):
    for node in (n for arg in list(call.args) + [k.value for k in call.keywords] for n in ast.walk(arg)):
        if isinstance(node, (ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            return "an assignment or await inside the log arguments"
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in PURE_NAMES:
                continue
            if isinstance(func, ast.Attribute) and func.attr in PURE_ATTRS:
                continue
            return "the log arguments call " + ast.unparse(func) + "(), which may have side effects"
    return None

def is_eager(call):
    args = list(call.args) + [k.value for k in call.keywords]
    if call.func.attr == "log" and args:
        args = args[1:]
    for arg in args:
        for node in ast.walk(arg):
            if isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
                return True
            if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
                return True
            if isinstance(node, ast.Call):
                return True
    return False

def logcalls(request):
    source = request["source"]
    tree = ast.parse(source)
    function = find_function(tree, request["function"])
    if function is None:
        return {"found": False}
    parents = {}
    for node in ast.walk(function):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    calls = []
    for node in ast.walk(function):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method not in LEVELS and method != "log":
            continue
        logger = ast.get_source_segment(source, node.func.value)
        if logger is None:
            continue
        level = LEVELS.get(method)
        if method == "log":
            if not node.args:
                continue
            level = ast.get_source_segment(source, node.args[0])
        parent = parents.get(node)
        statement = parent if isinstance(parent, ast.Expr) else None
        guarded = False
        up = parents.get(statement) if statement else None
        while up is not None and up is not function:
            if isinstance(up, ast.If) and "isEnabledFor" in ast.unparse(up.test):
                guarded = True
            up = parents.get(up)
        calls.append({
            "line": node.lineno, "end_line": node.end_lineno,
            "statement_line": statement.lineno if statement else None,
            "statement_end_line": statement.end_lineno if statement else None,
            "statement_col": statement.col_offset if statement else None,
            "logger": logger, "method": method, "level": level, "eager": is_eager(node),
            "impurity": impurity(node), "guarded": guarded,
        })
    return {"found": True, "start": function.lineno, "end": function.end_lineno,
            "logging_alias": logging_alias(tree), "calls": calls}

def check(request):
    try:
        ast.parse(request["source"], request.get("path", "<patch>"))
        return {"ok": True}
    except (SyntaxError, ValueError) as exc:
        return {"ok": False, "error": f"line {getattr(exc, 'lineno', '?')}: {getattr(exc, 'msg', exc)}"}

def flatten(value, prefix, out):
    if isinstance(value, dict):
        if not value and prefix:
            out[prefix] = "{}"
        for key, item in value.items():
            flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        for i, item in enumerate(value):
            flatten(item, f"{prefix}[{i}]", out)
    else:
        out[prefix] = json.dumps(value, sort_keys=True, default=str)

def parse_config(fmt, text):
    if fmt == "json":
        return json.loads(text)
    if fmt == "toml":
        import tomllib
        return tomllib.loads(text)
    if fmt == "yaml":
        try:
            import yaml
        except ImportError:
            raise ValueError("YAML needs PyYAML (pip install pyyaml)")
        docs = [d for d in yaml.safe_load_all(text)]
        return docs[0] if len(docs) == 1 else {f"[{i}]": d for i, d in enumerate(docs)}
    if fmt == "ini":
        import configparser
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str
        parser.read_string(text)
        result = {section: dict(parser[section]) for section in parser.sections()}
        if parser.defaults():
            result["DEFAULT"] = dict(parser.defaults())
        return result
    raise ValueError("unknown config format " + fmt)

def config(request):
    keys, errors = {}, {}
    for item in request["files"]:
        try:
            out = {}
            flatten(parse_config(item["format"], item["source"]), "", out)
            keys[item["path"]] = out
        except Exception as exc:
            errors[item["path"]] = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    return {"keys": keys, "errors": errors}

MODES = {"functions": functions, "logcalls": logcalls, "check": check, "config": config}
"""#
}
