"""Headroom's Python helper: facts about Python source from Python's own `ast`, so positions and syntax verdicts are
exact. One JSON request on stdin, one JSON answer on stdout:

    python3 headroom_ast.py MODE < request.json

Modes: functions, logcalls, check, config (source facts), and memo, regex, invariants, scan (the skills' facts).
A source that does not parse answers {"helper_error": "line N: message"}.

This file is the source of truth; `scripts/generate-python-helper.py` embeds it in
Sources/HeadroomSource/PythonHelperScript.swift (so the binary needs no resource files), and `--check` fails when
the two differ.
"""
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

def impurity(call, tree=None):
    """Why skipping this log call's argument evaluation could change what the program does, or None. A call to a
    function defined at module level in the same file is followed: skipping it is safe when it is pure."""
    module_functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)} if tree is not None else {}
    for node in (n for arg in list(call.args) + [k.value for k in call.keywords] for n in ast.walk(arg)):
        if isinstance(node, (ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            return "an assignment or await inside the log arguments"
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in PURE_NAMES:
                continue
            if isinstance(func, ast.Attribute) and func.attr in PURE_ATTRS:
                continue
            if isinstance(func, ast.Name) and func.id in module_functions:
                helper = module_functions[func.id]
                why = function_impurity(tree, helper, {a.arg for a in all_args(helper)}, module_functions, set(),
                                        imported_names(tree))
                if why is None:
                    continue
                return f"the log arguments call {func.id}(), and {why}"
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
            "impurity": impurity(node, tree), "guarded": guarded,
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

# ---------------------------------------------------------------- shared

def named_functions(tree):
    """(node, qualname, class node or None) for every function, in source order."""
    out = []
    def visit(node, prefix, cls):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out.append((child, prefix + child.name, cls))
                visit(child, prefix + child.name + ".<locals>.", None)
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".", child)
            else:
                visit(child, prefix, cls)
    visit(tree, "", None)
    return out

def find(tree, qualname):
    for node, name, cls in named_functions(tree):
        if name == qualname or name.endswith("." + qualname) or name.split(".<locals>.")[-1] == qualname:
            return node, name, cls
    return None, None, None

def span(node):
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return start, node.end_lineno

def locate(request):
    """The request's source, its tree, and the requested function with its qualname, class and span; None when the
    function is not there."""
    source = request["source"]
    tree = ast.parse(source)
    function, qualname, cls = find(tree, request["function"])
    if function is None:
        return None
    start, end = span(function)
    return source, tree, function, qualname, cls, start, end

def pos(node):
    return {"line": node.lineno, "col": node.col_offset, "end_line": node.end_lineno, "end_col": node.end_col_offset}

def module_aliases(tree, module):
    names = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == module:
                    names.append(alias.asname or module)
    return names

def import_insertion_line(tree):
    """1-based line before which a new module-level statement may go: after the docstring and the top imports."""
    line = 1
    body = tree.body
    i = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        line = body[0].end_lineno + 1
        i = 1
    while i < len(body) and isinstance(body[i], (ast.Import, ast.ImportFrom)):
        line = body[i].end_lineno + 1
        i += 1
    return line

def all_names(tree):
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | \
           {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}

def own_nodes(function):
    """Nodes of a function's body, not descending into nested functions, lambdas or classes."""
    stack = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            stack.append(child)

def root_name(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None

# ---------------------------------------------------------------- memoize

PURE_BUILTINS = {"abs", "all", "any", "ascii", "bin", "bool", "bytes", "chr", "complex", "divmod", "enumerate",
                 "filter", "float", "format", "frozenset", "hash", "hex", "int", "isinstance", "issubclass", "iter",
                 "len", "list", "map", "max", "min", "next", "oct", "ord", "pow", "range", "repr", "reversed", "round",
                 "set", "slice", "sorted", "str", "sum", "tuple", "type", "zip", "dict", "getattr", "hasattr",
                 "ValueError", "TypeError", "KeyError", "IndexError", "ArithmeticError", "ZeroDivisionError"}
IMPURE_BUILTINS = {"print", "open", "input", "exec", "eval", "setattr", "delattr", "globals", "locals", "vars",
                   "breakpoint", "id", "__import__", "compile"}
PURE_MODULES = {"math", "cmath", "re", "json", "hashlib", "decimal", "fractions", "itertools", "functools",
                "operator", "statistics", "unicodedata", "bisect", "string", "textwrap", "base64", "binascii", "zlib",
                "struct", "colorsys", "keyword"}
IMPURE_MODULES = {"time": "reads the clock", "datetime": "reads the clock", "random": "draws random numbers",
                  "uuid": "makes unique ids", "os": "uses the operating system", "sys": "uses interpreter state",
                  "subprocess": "runs processes", "socket": "does network I/O", "requests": "does network I/O",
                  "urllib": "does network I/O", "http": "does network I/O", "logging": "logs",
                  "sqlite3": "uses a database", "shutil": "touches files", "pathlib": "touches files",
                  "secrets": "draws random numbers", "threading": "uses threads", "asyncio": "runs async tasks"}
MUTATING_METHODS = {"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "popitem", "add",
                    "discard", "sort", "reverse", "write", "writelines", "send", "put", "put_nowait", "__setitem__",
                    "difference_update", "intersection_update", "symmetric_difference_update", "appendleft",
                    "extendleft", "popleft", "rotate"}
READ_METHODS = {"get", "items", "keys", "values", "copy", "count", "index", "startswith", "endswith", "split",
                "rsplit", "splitlines", "strip", "lstrip", "rstrip", "lower", "upper", "title", "casefold",
                "replace", "join", "format", "encode", "decode", "find", "rfind", "isdigit", "isalpha", "isalnum",
                "isspace", "hexdigest", "digest", "partition", "rpartition", "zfill", "ljust", "rjust", "center",
                "union", "intersection", "difference", "issubset", "issuperset", "most_common", "as_integer_ratio",
                "bit_length", "quantize", "normalize", "match", "search", "fullmatch", "findall", "finditer", "sub",
                "group", "groups", "groupdict", "span", "start", "end", "to_bytes", "from_bytes"}
LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
UNHASHABLE_ANNOTATIONS = {"list", "dict", "set", "bytearray", "List", "Dict", "Set", "MutableMapping",
                          "MutableSequence", "MutableSet", "DefaultDict", "defaultdict", "Counter", "deque"}

def mutable_display(node):
    if isinstance(node, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id in {"list", "dict", "set", "bytearray", "defaultdict", "deque", "Counter"}:
        return True
    return False

def annotation_names(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | \
           {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)} if node is not None else set()

def mutable_globals(tree):
    """Module-level names whose value can change at run time: rebound through `global`, or mutable containers
    that some code mutates."""
    rebound, containers, mutated = set(), set(), set()
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and getattr(node, "value", None) is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name) and mutable_display(node.value):
                    containers.add(t.id)
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            rebound.update(node.names)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in MUTATING_METHODS and isinstance(node.func.value, ast.Name):
            mutated.add(node.func.value.id)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for t in targets:
                if isinstance(t, (ast.Subscript, ast.Attribute)):
                    r = root_name(t)
                    if r:
                        mutated.add(r)
    return rebound | (containers & mutated)

def function_impurity(tree, function, params, module_functions, seen, imports):
    """Why calling `function` twice with the same arguments could differ or matter, or None."""
    if function.name in seen:
        return None
    seen.add(function.name)
    local_names = {n.id for n in own_nodes(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    local_names -= params
    dynamic = mutable_globals(tree)
    for node in own_nodes(function):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return f"it declares {'global' if isinstance(node, ast.Global) else 'nonlocal'} {', '.join(node.names)}"
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return "it is a generator; a cached generator is exhausted after its first use"
        if isinstance(node, ast.Await):
            return "it awaits; caching a coroutine result is not the same call"
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in dynamic \
                and node.id not in local_names and node.id not in params:
            return f"it reads `{node.id}`, module state that changes at run time"
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for t in targets:
                if isinstance(t, (ast.Subscript, ast.Attribute)):
                    r = root_name(t)
                    if r in params:
                        return f"it mutates its argument `{r}` (line {node.lineno})"
                    if r not in local_names:
                        return f"it writes to `{ast.unparse(t)}` outside itself (line {node.lineno})"
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                if func.id in IMPURE_BUILTINS:
                    return f"it calls {func.id}() (line {node.lineno})"
                if func.id in PURE_BUILTINS or func.id in local_names or func.id in params:
                    continue
                if func.id in module_functions:
                    why = function_impurity(tree, module_functions[func.id], {a.arg for a in all_args(module_functions[func.id])},
                                   module_functions, seen, imports)
                    if why:
                        return f"it calls {func.id}(), and {why}"
                    continue
                origin = imports.get(func.id)
                if origin and origin.split(".")[0] in PURE_MODULES:
                    continue
                if origin and origin.split(".")[0] in IMPURE_MODULES:
                    return f"it calls {func.id}(), which {IMPURE_MODULES[origin.split('.')[0]]} (line {node.lineno})"
                if func.id[:1].isupper():
                    continue  # constructing a value object
                return f"it calls {func.id}(), which Headroom cannot show to be pure (line {node.lineno})"
            if isinstance(func, ast.Attribute):
                r = root_name(func)
                module = imports.get(r, r) if r else None
                if r in params or r in local_names:
                    if func.attr in MUTATING_METHODS:
                        if r in params:
                            return f"it mutates its argument `{r}` with .{func.attr}() (line {node.lineno})"
                        continue
                    if r in params and func.attr not in READ_METHODS:
                        return f"it calls `{ast.unparse(func)}()`, which may change `{r}` (line {node.lineno})"
                    continue
                top = (module or "").split(".")[0]
                if top in IMPURE_MODULES:
                    return f"it calls {ast.unparse(func)}(), which {IMPURE_MODULES[top]} (line {node.lineno})"
                if top in PURE_MODULES:
                    continue
                if r == "self" or r == "cls":
                    continue  # judged with the class
                if func.attr in LOG_METHODS:
                    return f"it logs through {ast.unparse(func)}() (line {node.lineno}); a cached call would skip the log"
                if isinstance(func.value, ast.Constant):
                    continue  # "sep".join(...)
                if func.attr in READ_METHODS:
                    continue
                return f"it calls {ast.unparse(func)}(), which Headroom cannot show to be pure (line {node.lineno})"
    return None

def all_args(function):
    a = function.args
    return a.posonlyargs + a.args + a.kwonlyargs + ([a.vararg] if a.vararg else []) + ([a.kwarg] if a.kwarg else [])

def imported_names(tree):
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                out[alias.asname or alias.name] = node.module + "." + alias.name
    return out

def self_state(cls, method):
    """Why memoizing a method of `cls` is wrong, or None when it does not use `self`."""
    uses_self = any(isinstance(n, ast.Name) and n.id == "self" for n in own_nodes(method))
    mutated = []
    for item in cls.body:
        if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) or item.name == "__init__":
            continue
        for node in ast.walk(item):
            targets = []
            if isinstance(node, (ast.Assign, ast.Delete)):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            for t in targets:
                if root_name(t) == "self" and isinstance(t, (ast.Attribute, ast.Subscript)):
                    mutated.append((item.name, ast.unparse(t)))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in MUTATING_METHODS and root_name(node.func.value) == "self":
                mutated.append((item.name, ast.unparse(node.func.value)))
    if mutated:
        where, what = mutated[0]
        return f"it is a method and {cls.name}.{where} changes `{what}`: a cached answer would go stale (mutable self state)"
    if uses_self:
        return f"it is a method of {cls.name}; lru_cache on a method keeps every instance alive and needs hashable self"
    return None

def call_args_unhashable(name, callers, param_names):
    """A call site that passes a list, dict or set, or a name bound to one in the calling function."""
    for caller in callers:
        try:
            tree = ast.parse(caller["source"])
        except SyntaxError:
            continue
        for fn in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module))]:
            bound = {}
            body_nodes = list(ast.walk(fn))
            for node in body_nodes:
                if isinstance(node, ast.Assign) and mutable_display(node.value):
                    for t in node.targets:
                        if isinstance(t, ast.Name):
                            bound[t.id] = node.lineno
            for node in body_nodes:
                if not isinstance(node, ast.Call):
                    continue
                f = node.func
                called = f.id if isinstance(f, ast.Name) else (f.attr if isinstance(f, ast.Attribute) else None)
                if called != name:
                    continue
                for arg in list(node.args) + [k.value for k in node.keywords]:
                    if mutable_display(arg):
                        return f"{caller['path']}:{node.lineno} passes `{ast.unparse(arg)[:40]}`, which is unhashable"
                    if isinstance(arg, ast.Name) and arg.id in bound:
                        return f"{caller['path']}:{node.lineno} passes `{arg.id}`, a list, dict or set (unhashable)"
    return None

MAPPING_METHODS = {"get", "items", "keys", "values"}

def mapping_param(function, param_names):
    """A parameter the body reads as a dict (`p["key"]`, `p.get(k)`, `p.items()`): a dict argument is unhashable, so
    a functools cache would raise TypeError on the first call. The first such read in source order is named."""
    for node in sorted(own_nodes(function), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in param_names \
                and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            return (f"its parameter `{node.value.id}` is read as a dict (`{ast.unparse(node)}`, line {node.lineno}); "
                    "a dict argument is unhashable")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in param_names \
                and node.func.attr in MAPPING_METHODS:
            return (f"its parameter `{node.func.value.id}` is read as a dict (`{ast.unparse(node.func)}()`, "
                    f"line {node.lineno}); a dict argument is unhashable")
    return None

def memo(request):
    located = locate(request)
    if located is None:
        return {"found": False}
    source, tree, function, qualname, cls, start, end = located
    decorators = [ast.unparse(d) for d in function.decorator_list]
    already = any("cache" in d for d in decorators)
    params = all_args(function)
    param_names = {a.arg for a in params}
    refusal = None
    is_method = cls is not None and not any(d in ("staticmethod",) for d in decorators)
    if isinstance(function, ast.AsyncFunctionDef):
        refusal = "it is async; functools caches would cache the coroutine object, not its result"
    if refusal is None and is_method:
        refusal = self_state(cls, function) or "it is a method; memoize a module-level function instead"
    if refusal is None:
        defaults = function.args.defaults + [d for d in function.args.kw_defaults if d is not None]
        for d in defaults:
            if mutable_display(d):
                refusal = f"it has a mutable default argument `{ast.unparse(d)}`, shared state between calls"
                break
    if refusal is None:
        for a in params:
            names = annotation_names(a.annotation)
            if names & UNHASHABLE_ANNOTATIONS:
                refusal = f"its parameter `{a.arg}` is annotated `{ast.unparse(a.annotation)}`, which is unhashable"
                break
    if refusal is None:
        refusal = mapping_param(function, param_names)
    if refusal is None:
        module_functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        why = function_impurity(tree, function, param_names, module_functions, set(), imported_names(tree))
        if why:
            refusal = f"`{qualname}` is not pure: {why}"
    if refusal is None:
        for node in own_nodes(function):
            if isinstance(node, ast.Return) and node.value is not None and mutable_display(node.value):
                refusal = (f"it returns a new mutable `{type(node.value).__name__.lower()}` (line {node.lineno}); "
                           "a cache would hand every caller the same object to mutate")
                break
    if refusal is None:
        refusal = call_args_unhashable(function.name, request.get("callers", []) + [{"path": request.get("path", ""), "source": source}], param_names)
    functools = module_aliases(tree, "functools")
    return {"found": True, "qualname": qualname, "start": start, "end": end, "def_line": function.lineno,
            "decorator_line": start, "col": function.col_offset, "already_cached": already,
            "refusal": refusal, "functools_alias": functools[0] if functools else None,
            "import_line": import_insertion_line(tree), "params": sorted(param_names)}

# ---------------------------------------------------------------- regex hoisting

RE_FUNCTIONS = {"compile": 1, "match": 2, "search": 2, "fullmatch": 2, "sub": 4, "subn": 4, "split": 3,
                "findall": 2, "finditer": 2}  # positional index of `flags`

def constant_flags(node, aliases):
    if node is None:
        return True
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return constant_flags(node.left, aliases) and constant_flags(node.right, aliases)
    return isinstance(node, ast.Constant) and isinstance(node.value, int)

def regex(request):
    located = locate(request)
    if located is None:
        return {"found": False}
    source, tree, function, qualname, cls, start, end = located
    aliases = module_aliases(tree, "re")
    sites, dynamic = [], []
    for node in own_nodes(function):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id in aliases
                and node.func.attr in RE_FUNCTIONS):
            continue
        method = node.func.attr
        if not node.args:
            continue
        pattern = node.args[0]
        flags_index = RE_FUNCTIONS[method]
        flags = node.args[flags_index] if len(node.args) > flags_index else None
        rest_kw = []
        for k in node.keywords:
            if k.arg == "flags":
                flags = k.value
            elif k.arg == "pattern":
                pattern = None
            else:
                rest_kw.append(k)
        if not (isinstance(pattern, ast.Constant) and isinstance(pattern.value, (str, bytes))):
            dynamic.append({"line": node.lineno, "end_line": node.end_lineno, "pattern": ast.unparse(node.args[0])})
            continue
        if any(k.arg is None for k in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args):
            dynamic.append({"line": node.lineno, "end_line": node.end_lineno, "pattern": ast.unparse(pattern)})
            continue
        if not constant_flags(flags, aliases):
            dynamic.append({"line": node.lineno, "end_line": node.end_lineno, "pattern": ast.unparse(pattern) + " with run-time flags"})
            continue
        rest = [ast.get_source_segment(source, a) for a in node.args[1:flags_index]] + \
               [f"{k.arg}={ast.get_source_segment(source, k.value)}" for k in rest_kw]
        site = pos(node)
        site.update({"method": method, "alias": node.func.value.id,
                     "pattern": ast.get_source_segment(source, pattern),
                     "flags": ast.get_source_segment(source, flags) if flags is not None else None,
                     "rest": rest})
        sites.append(site)
    return {"found": True, "qualname": qualname, "start": start, "end": end, "sites": sites, "dynamic": dynamic,
            "alias": aliases[0] if aliases else None, "insert_line": import_insertion_line(tree),
            "names": sorted(all_names(tree))}

# ---------------------------------------------------------------- loop-invariant hoisting

SERIALIZERS = {("json", "dumps"), ("json", "loads"), ("pickle", "dumps"), ("pickle", "loads"),
               ("copy", "deepcopy"), ("yaml", "safe_load"), ("yaml", "dump")}

def stored_names(nodes):
    out = set()
    for node in nodes:
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
                out.add(n.id)
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out.add(n.name)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                out.update((a.asname or a.name).split(".")[0] for a in n.names)
    return out

def mutated_roots(nodes, pure_calls):
    """Names that code in `nodes` may mutate: attribute/subscript stores, mutating methods, or passing them to
    calls that are not known to be pure."""
    out = set()
    for node in nodes:
        for n in ast.walk(node):
            if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = n.targets if isinstance(n, (ast.Assign, ast.Delete)) else [n.target]
                for t in targets:
                    if isinstance(t, (ast.Attribute, ast.Subscript)):
                        r = root_name(t)
                        if r:
                            out.add(r)
            elif isinstance(n, ast.Call):
                if ast.dump(n) in pure_calls:
                    continue
                f = n.func
                if isinstance(f, ast.Attribute) and f.attr not in READ_METHODS:
                    r = root_name(f.value)
                    if r:
                        out.add(r)
                if isinstance(f, ast.Name) and f.id in PURE_BUILTINS:
                    continue
                for arg in list(n.args) + [k.value for k in n.keywords]:
                    r = root_name(arg) if isinstance(arg, (ast.Name, ast.Attribute, ast.Subscript)) else None
                    if r:
                        out.add(r)
    return out

def chain_depth(node):
    depth = 0
    while True:
        if isinstance(node, ast.Attribute):
            depth += 1
            node = node.value
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            depth += 1
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and all(isinstance(a, ast.Constant) for a in node.args) and not node.keywords:
            depth += 1
            node = node.func.value
        else:
            return depth if isinstance(node, ast.Name) else 0

# Builtins whose cost grows with their argument (a copy, a sort or a full pass): recomputed per iteration over a
# collection the loop never changes, they cost the collection's size on every iteration. `len` is O(1) and not here.
COLLECTION_BUILTINS = {"sorted", "sum", "min", "max", "list", "tuple", "set", "frozenset", "any", "all"}

def is_collection_call(node):
    """`sorted(NAME)`, `sum(self.items)`, `max(config["limits"])`: a whole-collection builtin of a name or a chain,
    with no key function (it could run any code) and at most a constant `reverse=`."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in COLLECTION_BUILTINS
            and len(node.args) == 1):
        return False
    if any(k.arg != "reverse" or not isinstance(k.value, ast.Constant) for k in node.keywords):
        return False
    arg = node.args[0]
    return isinstance(arg, ast.Name) or chain_depth(arg) >= 1

def is_serializer(node, imports):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
        module = imports.get(node.func.value.id, node.func.value.id)
        return (module, node.func.attr) in SERIALIZERS
    return False

def unconditional(loop):
    """Expressions evaluated on every iteration: those in the loop body's top-level simple statements, outside
    short-circuit operators, conditional expressions, lambdas and comprehensions."""
    out = []
    def visit(node):
        if isinstance(node, (ast.BoolOp, ast.IfExp, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                             ast.GeneratorExp)):
            return
        out.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)
    for statement in loop.body:
        if isinstance(statement, (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return)):
            visit(statement)
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            visit(statement.iter)
        elif isinstance(statement, ast.If):
            visit(statement.test)
        else:
            break  # after a statement that may jump (try, with, while, break …) nothing is certain
    return out

def suggest_name(node, taken):
    base = "value"
    suffixes = {"dumps": "_json", "loads": "_data", "deepcopy": "_copy", "dump": "_text", "safe_load": "_data"}
    if is_collection_call(node):
        inner = node.args[0]
        base = node.func.id + "_" + (inner.id if isinstance(inner, ast.Name) else
                                     inner.attr if isinstance(inner, ast.Attribute) else
                                     str(inner.slice.value) if isinstance(inner, ast.Subscript)
                                     and isinstance(inner.slice, ast.Constant) else "value")
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in suffixes:
        inner = node.args[0] if node.args else None
        if isinstance(inner, ast.Name):
            base = inner.id
        elif isinstance(inner, ast.Attribute):
            base = inner.attr
        elif isinstance(inner, ast.Subscript) and isinstance(inner.slice, ast.Constant):
            base = str(inner.slice.value)
        base += suffixes[node.func.attr]
    else:
        n = node
        while True:
            if isinstance(n, ast.Attribute):
                base = n.attr
                break
            if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant):
                base = str(n.slice.value)
                break
            if isinstance(n, ast.Call) and n.args and isinstance(n.args[0], ast.Constant):
                base = str(n.args[0].value)
                break
            break
    base = "".join(c if c.isalnum() or c == "_" else "_" for c in base).strip("_").lower() or "value"
    if base[0].isdigit():
        base = "v_" + base
    name, i = base, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    taken.add(name)
    return name

def invariants(request):
    located = locate(request)
    if located is None:
        return {"found": False}
    source, tree, function, qualname, cls, start, end = located
    imports = imported_names(tree)
    taken = all_names(tree)
    loops, refused = [], []
    for loop in own_nodes(function):
        if not isinstance(loop, (ast.For, ast.While)):
            continue
        body = loop.body + loop.orelse
        assigned = stored_names(body) | (stored_names([loop.target]) if isinstance(loop, ast.For) else set())
        candidates = {}
        for node in unconditional(loop):
            serializer = is_serializer(node, imports)
            chain = chain_depth(node) >= 2 and isinstance(getattr(node, "ctx", ast.Load()), ast.Load)
            collection = is_collection_call(node)
            if not (serializer or chain or collection):
                continue
            if collection and node.func.id in assigned:
                continue
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            if names & assigned:
                continue
            if serializer and any(isinstance(n, ast.Call) and n is not node and not is_serializer(n, imports)
                                  and chain_depth(n) == 0 for n in ast.walk(node)):
                continue
            key = ast.dump(node)
            candidates.setdefault(key, []).append(node)
        if not candidates:
            continue
        pure = set(candidates)
        mutated = mutated_roots(body, pure)
        hoists = []
        for key, nodes in candidates.items():
            names = {n.id for n in ast.walk(nodes[0]) if isinstance(n, ast.Name)}
            collection = is_collection_call(nodes[0])
            root = root_name(nodes[0].args[0]) if (is_serializer(nodes[0], imports) or collection) and nodes[0].args \
                else root_name(nodes[0])
            if names & mutated:
                if collection:
                    # A near miss worth listing: the whole-collection work is per iteration, but the collection
                    # changes in the loop, so one result computed before it would go stale.
                    changed = sorted(names & mutated)[0]
                    refused.append({"line": nodes[0].lineno, "end_line": nodes[0].end_lineno,
                                    "expression": ast.get_source_segment(source, nodes[0]),
                                    "reason": f"`{changed}` may change in the loop at line {loop.lineno} (a store, a "
                                              "mutating method, or a call it is passed to); a result computed before "
                                              "the loop would go stale"})
                continue
            kind = "serialization" if is_serializer(nodes[0], imports) else ("collection" if collection else "lookup")
            hoists.append({"expression": ast.get_source_segment(source, nodes[0]), "kind": kind,
                           "occurrences": [pos(n) for n in nodes], "root": root})
        # Drop an expression nested inside another hoisted one: hoisting the outer covers it.
        spans = [(o["line"], o["col"], o["end_line"], o["end_col"]) for h in hoists for o in h["occurrences"]]
        def inside(o, other):
            return (other[0], other[1]) <= (o["line"], o["col"]) and (o["end_line"], o["end_col"]) <= (other[2], other[3]) \
                and (other[0], other[1], other[2], other[3]) != (o["line"], o["col"], o["end_line"], o["end_col"])
        hoists = [h for h in hoists if not any(inside(o, s) for o in h["occurrences"] for s in spans)]
        for h in hoists:
            h["name"] = suggest_name(ast.parse(h["expression"], mode="eval").body, taken)
        if hoists:
            loops.append({"line": loop.lineno, "col": loop.col_offset, "hoists": hoists})
    return {"found": True, "qualname": qualname, "start": start, "end": end, "loops": loops, "refused": refused}

# ---------------------------------------------------------------- opportunity scan

CLIENTS = {("requests", "Session"), ("http.client", "HTTPConnection"), ("http.client", "HTTPSConnection"),
           ("sqlite3", "connect"), ("urllib3", "PoolManager"), ("boto3", "client"), ("boto3", "resource"),
           ("redis", "Redis"), ("psycopg2", "connect"), ("httpx", "Client"), ("pymongo", "MongoClient")}
CONTROL_EXCEPTIONS = {"KeyError", "IndexError", "StopIteration", "AttributeError", "ValueError"}

def scan(request):
    """Per requested function, the static patterns the opportunity scanners look for."""
    out = {}
    callers = request.get("callers", [])
    for item in request["files"]:
        try:
            tree = ast.parse(item["source"])
        except (SyntaxError, ValueError):
            continue
        imports = imported_names(tree)
        for node, qualname, cls in named_functions(tree):
            if not request.get("every_function") and qualname not in item["functions"] \
                    and qualname.split(".")[-1] not in item["functions"]:
                continue
            found = []
            # "lines": the source spans (first, last) whose samples a fix removes; the opportunity's share is
            # measured on them when the profile names lines.
            r = regex({"source": item["source"], "function": qualname})
            for s in r["sites"]:
                found.append({"pattern": "regex-compile", "line": s["line"], "lines": [[s["line"], s["end_line"]]],
                              "shapes": ["re." + s["method"]],
                              "detail": f"{s['alias']}.{s['method']}({s['pattern'][:60]}) compiles or looks up the pattern on every call"})
            for s in r["dynamic"]:
                found.append({"pattern": "regex-compile", "line": s["line"], "lines": [[s["line"], s["end_line"]]],
                              "shapes": ["re.dynamic"],
                              "blocked": "the pattern is built at run time; hoisting needs a constant pattern "
                                         "(cache compiled patterns per key instead)",
                              "detail": f"the pattern `{s['pattern'][:60]}` is built and compiled on every call"})
            logs = logcalls({"source": item["source"], "function": qualname})
            eager = [c for c in logs.get("calls", []) if c["eager"] and not c["guarded"]]
            if eager:
                impure = next((c for c in eager if c["impurity"]), None)
                found.append({"pattern": "logging", "line": eager[0]["line"], "shapes": ["eager-logging"],
                              "lines": [[c["line"], c["end_line"]] for c in eager],
                              "blocked": f"guarding the log call at line {impure['line']} would skip side effects: "
                                         f"{impure['impurity']}" if impure else None,
                              "detail": f"{len(eager)} logging call(s) format their message eagerly, even when the level is off"})
            hoisting = invariants({"source": item["source"], "function": qualname})
            hoists = [(loop, h) for loop in hoisting["loops"] for h in loop["hoists"]]
            if hoists:
                # One opportunity per function: the recipe hoists every invariant of it at once. Work that costs
                # (a serialisation, a sort, a copy, a full pass) leads; attribute and key lookups alone cost
                # nanoseconds per iteration, below what an A/B benchmark can show, so those are listed as blocked.
                costly = [(loop, h) for loop, h in hoists if h["kind"] != "lookup"]
                loop, h = (costly or hoists)[0]
                found.append({"pattern": "loop-invariant", "line": h["occurrences"][0]["line"],
                              "shapes": sorted({invariant_shape(x["expression"], x["kind"]) for _, x in hoists}),
                              "lines": [[o["line"], o["end_line"]] for _, x in hoists for o in x["occurrences"]],
                              "blocked": None if costly else
                              f"only attribute or key lookups (`{h['expression'][:40]}`) would leave the loop: each "
                              "costs nanoseconds per iteration, below what an A/B benchmark can measure",
                              "detail": f"`{h['expression'][:60]}` is recomputed on every iteration of the loop at line {loop['line']}"
                                        + (f" (and {len(hoists) - 1} more)" if len(hoists) > 1 else "")})
            for r in hoisting["refused"]:
                found.append({"pattern": "loop-invariant", "line": r["line"], "lines": [[r["line"], r["end_line"]]],
                              "blocked": r["reason"], "shapes": [invariant_shape(r["expression"], "collection")],
                              "detail": f"`{r['expression'][:60]}` is recomputed on every iteration"})
            lookups = dictget({"source": item["source"], "function": qualname})
            for t in lookups["sites"]:
                found.append({"pattern": "exception-control-flow", "line": t["line"],
                              "lines": [[t["line"], t["end_line"]]], "shapes": ["keyerror-lookup"],
                              "detail": f"a KeyError raised and caught per miss in a loop; `{t['replacement'][:60]}` looks up once"})
            for t in lookups["refused"]:
                found.append({"pattern": "exception-control-flow", "line": t["line"],
                              "lines": [[t["line"], t["end_line"]]], "blocked": t["reason"], "shapes": ["keyerror-lookup"],
                              "detail": "try/except in a loop as control flow; test first (e.g. dict.get)"})
            tests = membership({"source": item["source"], "function": qualname})
            for t in tests["sites"]:
                container = t["name"] or "a literal sequence"
                found.append({"pattern": "membership", "line": t["line"], "lines": [[t["line"], t["end_line"]]],
                              "shapes": ["membership"],
                              "detail": f"`{t['test'][:60]}` scans {container} ({t['elements']} items) on every iteration; a frozenset is one hash lookup"})
            for t in tests["refused"]:
                found.append({"pattern": "membership", "line": t["line"], "lines": [[t["line"], t["end_line"]]],
                              "blocked": t["reason"], "shapes": ["membership"],
                              "detail": f"`{t['test'][:60]}` scans a sequence on every iteration"})
            parsed = constparse({"source": item["source"], "function": qualname})
            if parsed["sites"]:
                # One opportunity per function: the recipe moves every constant parse of it at once.
                first = parsed["sites"][0]
                more = f" and {len(parsed['sites']) - 1} more" if len(parsed["sites"]) > 1 else ""
                found.append({"pattern": "constant-parse", "line": first["line"],
                              "lines": [[c["line"], c["end_line"]] for c in parsed["sites"]],
                              "shapes": sorted({"parse:" + c["parser"] for c in parsed["sites"]}),
                              "detail": f"`{first['call'][:60]}`{more} parse the same constant on every call; module-level values parse once"})
            for c in parsed["refused"]:
                found.append({"pattern": "constant-parse", "line": c["line"], "lines": [[c["line"], c["end_line"]]],
                              "blocked": c["reason"], "shapes": ["parse:" + constparse_parser(c["call"], imports)], "detail": f"`{c['call'][:60]}` parses on every call"})
            built = strjoin({"source": item["source"], "function": qualname})
            for b in built["loops"]:
                found.append({"pattern": "string-concat", "line": b["sites"][0]["line"],
                              "lines": [[x["line"], x["end_line"]] for x in b["sites"]], "shapes": ["string-concat"],
                              "detail": f"`{b['name']}` grows by {len(b['sites'])} concatenation(s) per iteration of the loop at line {b['line']}; a list joined once copies each piece once"})
            for b in built["refused"]:
                found.append({"pattern": "string-concat", "line": b["line"], "lines": [[b["line"], b["end_line"]]],
                              "blocked": b["reason"], "shapes": ["string-concat"],
                              "detail": f"`{b['name']}` grows by concatenation in the loop at line {b['loop_line']}"})
            for n in own_nodes(node):
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
                    base = root_name(n.func.value)
                    module = imports.get(base, base) if base else None
                    if module and (module, n.func.attr) in CLIENTS or (module and (module.rsplit(".", 1)[0], n.func.attr) in CLIENTS):
                        found.append({"pattern": "client-construction", "line": n.lineno,
                                      "lines": [[n.lineno, n.end_lineno]], "shapes": ["client:" + ast.unparse(n.func)],
                                      "detail": f"{ast.unparse(n.func)}() builds a new client or connection per call; reuse one"})
            # A specific pattern in the function (a regex compiled per call, eager logging, ...) has a fix that keeps
            # every call; caching the whole function instead changes which calls run and is offered only without one.
            repeated = loop_calls(node.name, callers) if not found else 0
            if repeated and (node.args.args or node.args.posonlyargs) and \
                    not any("cache" in ast.unparse(d) for d in node.decorator_list):
                m = memo({"source": item["source"], "function": qualname, "path": item["path"], "callers": callers})
                found.append({"pattern": "memoize", "line": node.lineno, "blocked": m.get("refusal"),
                              "detail": f"`{qualname}` is called from {repeated} loop or key-function site(s); "
                                        + ("it is pure with hashable arguments" if not m.get("refusal")
                                           else "but " + m["refusal"])})
            out.setdefault(item["path"], {})[qualname] = found
    return {"files": out}

def invariant_shape(expression, kind):
    """What kind of work a hoist moves, for matching look-alikes: `collection:sorted`, `serialization:json.dumps`,
    `lookup`."""
    try:
        node = ast.parse(expression, mode="eval").body
    except SyntaxError:
        return kind
    if kind in ("collection", "serialization") and isinstance(node, ast.Call):
        return kind + ":" + ast.unparse(node.func)
    return kind

def constparse_parser(call, imports):
    try:
        node = ast.parse(call, mode="eval").body
    except SyntaxError:
        return "?"
    root, attrs = dotted(node.func) if isinstance(node, ast.Call) else (None, None)
    return ".".join([imports.get(root, root)] + attrs) if root else "?"

def loop_calls(name, files):
    """Call sites of `name` inside loops, comprehensions or lambdas (key functions), across files: static evidence
    that the function is called repeatedly."""
    sites = set()
    for item in files:
        try:
            tree = ast.parse(item["source"])
        except (SyntaxError, ValueError):
            continue
        for loop in (n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While, ast.ListComp, ast.GeneratorExp,
                                                                ast.SetComp, ast.DictComp, ast.Lambda))):
            for n in ast.walk(loop):
                if isinstance(n, ast.Call):
                    f = n.func
                    called = f.id if isinstance(f, ast.Name) else (f.attr if isinstance(f, ast.Attribute) else None)
                    if called == name:
                        sites.add((item.get("path"), n.lineno, n.col_offset))
    return len(sites)

# ---------------------------------------------------------------- membership tests against sequences

LITERAL_TYPES = (str, bytes, int, float, bool, type(None))
MUTATORS = {"append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse", "__setitem__", "__delitem__",
            "__iadd__"}

def literal_sequence(node):
    """A list or tuple display whose elements are all constants: a frozenset of them holds the same values, and a
    lookup by hash agrees with `==` on them."""
    return isinstance(node, (ast.List, ast.Tuple)) and len(node.elts) > 0 and all(
        isinstance(e, ast.Constant) and isinstance(e.value, LITERAL_TYPES) for e in node.elts)

def module_sequence(tree, name):
    """The module's one top-level `NAME = [...]` / `(...)` of constants, or None (assigned twice, annotated away,
    or not constants)."""
    found = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            ([node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            found.append(node)
    if len(found) != 1 or len(getattr(found[0], "targets", [None])) != 1:
        return None
    return found[0] if literal_sequence(found[0].value) else None

def mutation_of(tree, name, definition):
    """The first line where the module may change `name`'s list after its definition: a mutating method, an item or
    slice assignment, an augmented assignment, `del`, a rebinding (`global` included), or passing it to a call (the
    callee may mutate it). None when there is none."""
    for node in ast.walk(tree):
        if node is definition:
            continue
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == name \
                    and f.attr in MUTATORS:
                return node.lineno
            for a in list(node.args) + [k.value for k in node.keywords]:
                if isinstance(a, ast.Name) and a.id == name and not (isinstance(f, ast.Name) and f.id in PURE_BUILTINS):
                    return node.lineno
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for t in targets:
                if root_name(t) == name:
                    return node.lineno
        if isinstance(node, ast.Global) and name in node.names:
            return node.lineno
    return None

def loops_of(function):
    return [n for n in own_nodes(function) if isinstance(n, (ast.For, ast.AsyncFor, ast.While, ast.ListComp,
                                                               ast.SetComp, ast.DictComp, ast.GeneratorExp))]

def local_names(function):
    names = {a.arg for a in all_args(function)}
    for n in own_nodes(function):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            names.add(n.id)
    return names

def unhashable_display(node):
    return isinstance(node, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp))

def membership(request):
    """`x in [...]` / `x in NAME` (a module-level list or tuple of constants) inside the function's loops: each test
    scans the sequence, where a frozenset is one hash lookup. Sites a set can serve, and those it cannot, with why."""
    located = locate(request)
    if located is None:
        return {"found": False}
    source, tree, function, qualname, cls, start, end = located
    local = local_names(function)
    sites, refused, seen = [], [], set()
    for loop in loops_of(function):
        for n in ast.walk(loop):
            if not (isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.ops[0], (ast.In, ast.NotIn))):
                continue
            if (n.lineno, n.col_offset) in seen:
                continue
            seen.add((n.lineno, n.col_offset))
            right = n.comparators[0]
            where = {"line": n.lineno, "end_line": n.end_lineno, "test": ast.get_source_segment(source, n)}
            if unhashable_display(n.left):
                refused.append(dict(where, reason="the value tested is a list, dict or set, which a set cannot hold"))
                continue
            if literal_sequence(right):
                elements = [ast.get_source_segment(source, e) for e in right.elts]
                site = pos(right)
                site.update({"kind": "literal", "name": None, "elements": len(elements),
                             "replacement": "{" + ", ".join(elements) + "}", "test": where["test"]})
                sites.append(site)
            elif isinstance(right, ast.Name) and right.id not in local:
                definition = module_sequence(tree, right.id)
                if definition is None:
                    if any(isinstance(b, (ast.Assign, ast.AnnAssign)) and any(
                            isinstance(t, ast.Name) and t.id == right.id
                            for t in (b.targets if isinstance(b, ast.Assign) else [b.target])) for b in tree.body):
                        refused.append(dict(where, reason=f"`{right.id}` is not one list or tuple of constants"))
                    continue
                changed = mutation_of(tree, right.id, definition)
                if changed is not None:
                    refused.append(dict(where, reason=f"`{right.id}` may change at line {changed}; a frozenset copy would go stale"))
                    continue
                site = pos(right)
                site.update({"kind": "constant", "name": right.id, "elements": len(definition.value.elts),
                             "replacement": None, "test": where["test"], "definition_end": definition.end_lineno})
                sites.append(site)
    return {"found": True, "qualname": qualname, "start": start, "end": end, "sites": sites, "refused": refused,
            "names": sorted(all_names(tree))}

# ---------------------------------------------------------------- exception-driven lookups

def cheap_default(node):
    """A default `get` may evaluate on every call without changing anything: a constant, a name, or an empty
    display."""
    return isinstance(node, (ast.Constant, ast.Name)) or \
        (isinstance(node, (ast.List, ast.Tuple, ast.Dict, ast.Set)) and not getattr(node, "elts", None)
         and not getattr(node, "keys", None))

def plain_dict_value(node):
    return isinstance(node, (ast.Dict, ast.DictComp)) or \
        (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict")

def dict_provenance(tree, function, name):
    """Why `name` is certainly a plain dict in the function (so `d.get(k, v)` is `d[k]` with a default), or None
    with the reason it may not be (a parameter, a mapping of unknown type, rebound)."""
    if name in {a.arg for a in all_args(function)}:
        return None, f"`{name}` is a parameter: it may be a mapping whose [] differs from get (a defaultdict, __missing__)"
    local = [n for n in own_nodes(function) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign))
             and any(isinstance(t, ast.Name) and t.id == name
                     for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
    if local:
        if len(local) == 1 and isinstance(local[0], ast.Assign) and plain_dict_value(local[0].value):
            return "local", None
        return None, f"`{name}` is assigned in the function from something that may not be a plain dict"
    top = [n for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))
           and any(isinstance(t, ast.Name) and t.id == name for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
    if len(top) != 1 or not plain_dict_value(top[0].value):
        return None, f"`{name}` is not a module-level dict display (its type is unknown here)"
    for n in ast.walk(tree):
        if isinstance(n, ast.Global) and name in n.names:
            return None, f"`{name}` is rebound at line {n.lineno}"
    return "module", None

def dictget(request):
    """`try: X = D[K] / except KeyError: X = DEFAULT` in the function's loops: exception-driven lookups that
    `X = D.get(K, DEFAULT)` replaces when D is certainly a plain dict. Sites, and refusals with why."""
    located = locate(request)
    if located is None:
        return {"found": False}
    source, tree, function, qualname, cls, start, end = located
    sites, refused, seen = [], [], set()
    for loop in loops_of(function):
        for n in ast.walk(loop):
            if not isinstance(n, ast.Try) or n.lineno in seen:
                continue
            handled = {ast.unparse(t) for h in n.handlers if h.type is not None
                       for t in (h.type.elts if isinstance(h.type, ast.Tuple) else [h.type])}
            if not handled & CONTROL_EXCEPTIONS:
                continue
            seen.add(n.lineno)
            where = {"line": n.lineno, "end_line": n.end_lineno}
            shape = (len(n.body) == 1 and len(n.handlers) == 1 and not n.orelse and not n.finalbody
                     and ast.unparse(n.handlers[0].type) == "KeyError" and n.handlers[0].name is None and len(n.handlers[0].body) == 1)
            body = n.body[0] if shape else None
            miss = n.handlers[0].body[0] if shape else None
            if not (shape and isinstance(body, ast.Assign) and len(body.targets) == 1
                    and isinstance(body.targets[0], ast.Name) and isinstance(body.value, ast.Subscript)
                    and isinstance(body.value.value, ast.Name) and not isinstance(body.value.slice, ast.Slice)
                    and isinstance(miss, ast.Assign) and len(miss.targets) == 1
                    and isinstance(miss.targets[0], ast.Name) and miss.targets[0].id == body.targets[0].id):
                refused.append(dict(where, reason="only `X = D[K]` with `except KeyError: X = DEFAULT` has a recipe "
                                                  f"(this handles {', '.join(sorted(handled))})"))
                continue
            if not cheap_default(miss.value):
                refused.append(dict(where, reason=f"the default `{ast.unparse(miss.value)[:40]}` would be computed on every lookup"))
                continue
            container = body.value.value.id
            kind, why = dict_provenance(tree, function, container)
            if kind is None:
                refused.append(dict(where, reason=why))
                continue
            site = pos(n)
            site.update({"container": container, "provenance": kind,
                         "replacement": f"{body.targets[0].id} = {container}.get("
                                        f"{ast.get_source_segment(source, body.value.slice)}, "
                                        f"{ast.get_source_segment(source, miss.value)})"})
            sites.append(site)
    return {"found": True, "qualname": qualname, "start": start, "end": end, "sites": sites, "refused": refused}

# ---------------------------------------------------------------- string building in loops

STR_METHODS = {"join", "format", "strip", "lstrip", "rstrip", "lower", "upper", "replace", "title", "capitalize"}

def str_valued(node):
    """An expression that is certainly a str: a string constant, an f-string, `str(...)`, or a str method of a
    string constant (`", ".join(...)`)."""
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(node, ast.JoinedStr) or \
        (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str") or \
        (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in STR_METHODS
         and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str))

def concat_piece(statement, name):
    """The piece `statement` appends to `name` (`name += X`, `name = name + X`, `name = name + X + Y`), or None."""
    if isinstance(statement, ast.AugAssign) and isinstance(statement.op, ast.Add) \
            and isinstance(statement.target, ast.Name) and statement.target.id == name:
        return statement.value
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name) \
            and statement.targets[0].id == name and concat_chain(statement.value, name):
        return statement.value
    return None

def concat_chain(node, name):
    """The operands after `name` of `name + A + B …` (a left-nested chain of `+` starting at `name`), or None."""
    rest = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        rest.append(node.right)
        node = node.left
    if rest and isinstance(node, ast.Name) and node.id == name:
        return list(reversed(rest))
    return None

def piece_source(source, statement, name):
    """The appended piece as source: `X` of `name += X`; `A + B` of `name = name + A + B` (for strings `+` is
    associative, so appending `A + B` gives the same text)."""
    if isinstance(statement, ast.AugAssign):
        return ast.get_source_segment(source, statement.value)
    return " + ".join(ast.get_source_segment(source, n) for n in concat_chain(statement.value, name))

def not_a_string(node):
    """An expression that is certainly not a str (a number, a container display, a numeric builtin): a `+=` loop
    over it is arithmetic or list building, not a string-building candidate at all."""
    return (isinstance(node, ast.Constant) and isinstance(node.value, (int, float, complex, bool, bytes))) or \
        isinstance(node, (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)) or \
        (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
         and node.func.id in {"int", "float", "len", "sum", "list", "dict", "set", "tuple", "Counter", "Decimal"})

def parents_of(function):
    parents = {}
    for node in ast.walk(function):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    return parents

def strjoin(request):
    """A str built by `s += piece` (or `s = s + piece`) in a loop, where collecting the pieces in a list and joining
    them once after the loop is the same string: `s` is a local str at the loop, nothing in the loop reads the partial
    string, and no closure, handler or `global` can see it. Loops to rewrite, and refusals with why."""
    located = locate(request)
    if located is None:
        return {"found": False}
    source, tree, function, qualname, cls, start, end = located
    parents = parents_of(function)
    params = {a.arg for a in all_args(function)}
    taken = all_names(tree)
    loops, refused, done = [], [], set()
    for loop in sorted((n for n in own_nodes(function) if isinstance(n, (ast.For, ast.While))), key=lambda n: n.lineno):
        # Names this loop builds by concatenation, each with its statements.
        sites = {}
        for n in ast.walk(loop):
            if isinstance(n, (ast.AugAssign, ast.Assign)):
                target = n.target if isinstance(n, ast.AugAssign) else (n.targets[0] if len(n.targets) == 1 else None)
                if isinstance(target, ast.Name) and concat_piece(n, target.id) is not None:
                    sites.setdefault(target.id, []).append(n)
        for name, statements in sites.items():
            # The outermost loop that builds `name` is the one rewritten (it holds the inner loops' pieces too).
            outer = parents.get(loop)
            nested = False
            while outer is not None and outer is not function:
                nested = nested or isinstance(outer, (ast.For, ast.While))
                outer = parents.get(outer)
            statements.sort(key=lambda st: (st.lineno, st.col_offset))
            if nested or (name, loop.lineno) in done:
                continue
            done.add((name, loop.lineno))
            where = {"line": statements[0].lineno, "end_line": statements[0].end_lineno, "name": name,
                     "loop_line": loop.lineno}
            reason = None
            left_reads = set()
            for st in statements:
                if isinstance(st, ast.Assign):
                    node = st.value
                    while isinstance(node, ast.BinOp):
                        node = node.left
                    left_reads.add(id(node))
            inside = [loop.test] if isinstance(loop, ast.While) else []
            inside += loop.body + loop.orelse
            reads = [n for part in inside for n in ast.walk(part)
                     if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) and id(n) not in left_reads]
            writes = [n for part in inside for n in ast.walk(part)
                      if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)) and n not in statements
                      and any(isinstance(t, ast.Name) and t.id == name
                              for t in (n.targets if isinstance(n, (ast.Assign, ast.Delete)) else [n.target]))]
            before = [n for n in own_nodes(function)
                      if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and n.lineno < loop.lineno
                      and any(isinstance(t, ast.Name) and t.id == name
                              for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
            direct = {id(t) for b in before for t in (b.targets if isinstance(b, ast.Assign) else [b.target])}
            # Every other way of binding `name` before the loop (unpacking, a for target, `with … as`, walrus).
            other_bindings = [n for n in own_nodes(function) if isinstance(n, ast.Name) and n.id == name
                              and isinstance(n.ctx, ast.Store) and n.lineno < loop.lineno and id(n) not in direct]
            str_before = bool(before) and not other_bindings and any(not isinstance(b, ast.AugAssign) for b in before) \
                and all(isinstance(b.op, ast.Add) if isinstance(b, ast.AugAssign)
                        else (b.value is not None and str_valued(b.value)) for b in before)
            loop_targets = stored_names([loop.target]) if isinstance(loop, ast.For) else set()
            closures = [n for n in ast.walk(function) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                        and n is not function and any(isinstance(m, ast.Name) and m.id == name for m in ast.walk(n))]
            scoped = [n for n in ast.walk(function) if isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names]
            handlers = []
            up = parents.get(loop)
            while up is not None and up is not function:
                if isinstance(up, ast.Try):
                    for part in [h for h in up.handlers] + up.finalbody:
                        if any(isinstance(m, ast.Name) and m.id == name for m in ast.walk(part)):
                            handlers.append(part)
                up = parents.get(up)
            if any(not_a_string(b.value) for b in before if getattr(b, "value", None) is not None) \
                    or any(isinstance(st, ast.AugAssign) and not_a_string(st.value) for st in statements):
                continue  # arithmetic or list building, not a string
            if name in params:
                reason = f"`{name}` is a parameter: it may be a list or another type whose += is not concatenation"
            elif scoped:
                reason = f"`{name}` is declared global or nonlocal at line {scoped[0].lineno}: other code sees every step"
            elif name in loop_targets:
                reason = f"`{name}` is the loop's own variable"
            elif reads:
                reason = f"the loop reads the partial string `{name}` at line {reads[0].lineno}, which a list of pieces does not hold"
            elif writes:
                reason = f"`{name}` is also set another way in the loop at line {writes[0].lineno}"
            elif closures:
                reason = f"a nested function or lambda at line {closures[0].lineno} refers to `{name}` and may read it mid-loop"
            elif handlers:
                reason = f"an exception handler around the loop refers to `{name}` and would see the string unjoined"
            elif not str_before:
                reason = f"`{name}` is not certainly a str at the loop (+= on a list or a number is not concatenation)"
            if reason:
                refused.append(dict(where, reason=reason))
                continue
            parts = name + "_parts"
            base, i = parts, 2
            while parts in taken:
                parts, i = f"{base}_{i}", i + 1
            taken.add(parts)
            # The statement just before the loop, when it is the one `name = "literal"` that starts the string,
            # becomes the list's start; otherwise the list starts from the string's value at the loop.
            block = getattr(parents.get(loop), "body", [])
            index = next((k for k, st in enumerate(block) if st is loop), None)
            previous = block[index - 1] if index else None
            init = None
            if previous is not None and isinstance(previous, ast.Assign) and len(previous.targets) == 1 \
                    and isinstance(previous.targets[0], ast.Name) and previous.targets[0].id == name \
                    and isinstance(previous.value, ast.Constant) and isinstance(previous.value.value, str) \
                    and len(before) == 1:
                literal = ast.get_source_segment(source, previous.value)
                init = pos(previous)
                init["replacement"] = f"{parts} = []" if previous.value.value == "" else f"{parts} = [{literal}]"
            rewrites = []
            for st in statements:
                site = pos(st)
                site["replacement"] = f"{parts}.append({piece_source(source, st, name)})"
                rewrites.append(site)
            loops.append({"line": loop.lineno, "col": loop.col_offset, "end_line": loop.end_lineno, "name": name,
                          "parts": parts, "init": init, "sites": rewrites})
    return {"found": True, "qualname": qualname, "start": start, "end": end, "loops": loops, "refused": refused}

# ---------------------------------------------------------------- constant parsing hoisted to module level

# Parsers and constructors whose result depends only on their constant arguments. All but json.loads return an
# immutable value, so one module-level result can serve every call; json.loads returns dicts and lists, shared only
# where the function reads them and never changes or hands them out.
CONSTANT_PARSERS = {"datetime.datetime.strptime", "datetime.datetime.fromisoformat", "datetime.date.fromisoformat",
                    "datetime.time.fromisoformat", "time.strptime", "decimal.Decimal", "fractions.Fraction",
                    "ipaddress.ip_address", "ipaddress.ip_network", "uuid.UUID", "struct.Struct", "json.loads"}
# strptime directives whose meaning follows the locale, which the program may change after import.
LOCALE_DIRECTIVES = ("%a", "%A", "%b", "%B", "%c", "%p", "%x", "%X")
READ_PARENTS = (ast.Compare, ast.BinOp, ast.UnaryOp, ast.FormattedValue, ast.BoolOp, ast.IfExp)

def top_level_imports(tree):
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                out[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                out[alias.asname or alias.name] = node.module + "." + alias.name
    return out

def dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None, None
    return node.id, list(reversed(parts))

def read_only_use(node, parents):
    """A parsed JSON value read and never changed or handed out: compared, formatted, tested with `in`, passed to a
    pure builtin, or subscripted / `.get(...)` with those uses in turn."""
    parent = parents.get(node)
    if isinstance(parent, ast.Subscript) and parent.value is node and isinstance(parent.ctx, ast.Load):
        return read_only_use(parent, parents)
    if isinstance(parent, ast.Attribute) and parent.value is node and parent.attr in ("get", "keys", "values", "items"):
        call = parents.get(parent)
        return isinstance(call, ast.Call) and call.func is parent and read_only_use(call, parents)
    if isinstance(parent, ast.Call) and node in parent.args and isinstance(parent.func, ast.Name) \
            and parent.func.id in {"len", "str", "int", "float", "bool", "repr", "format", "sorted", "min", "max", "sum",
                                   "any", "all", "tuple", "frozenset"}:
        return True
    if isinstance(parent, ast.Compare):
        return True
    return isinstance(parent, READ_PARENTS)

def constparse(request):
    """Calls in the function of a parser or constructor on constant arguments (`datetime.strptime("2024-01-01",
    "%Y-%m-%d")`, `Decimal("0.01")`, `json.loads('{...}')`): each call parses the same text again; a module-level
    constant parses it once. Sites, and refusals with why."""
    located = locate(request)
    if located is None:
        return {"found": False}
    source, tree, function, qualname, cls, start, end = located
    imports = top_level_imports(tree)
    local = local_names(function)
    parents = parents_of(function)
    sites, refused, dynamic = [], [], []
    for node in own_nodes(function):
        if not isinstance(node, ast.Call):
            continue
        root, attrs = dotted(node.func)
        if root is None or root not in imports:
            continue
        full = ".".join([imports[root]] + attrs)
        if full not in CONSTANT_PARSERS:
            continue
        where = {"line": node.lineno, "end_line": node.end_lineno, "call": ast.get_source_segment(source, node)}
        arguments = list(node.args) + [k.value for k in node.keywords]
        if root in local:
            continue  # a local of the same name, not the module
        if not arguments or any(k.arg is None for k in node.keywords) or any(
                not (isinstance(a, ast.Constant) and isinstance(a.value, (str, bytes, int, float))) for a in arguments):
            dynamic.append(dict(where, reason="its arguments are not all constants, so the result may differ between calls"))
            continue
        if full.endswith("strptime") and any(d in str(a.value) for a in arguments for d in LOCALE_DIRECTIVES):
            refused.append(dict(where, reason="the format names locale-dependent fields (%a %b %p …); the program may "
                                              "change the locale after import"))
            continue
        if full == "json.loads":
            parent = parents.get(node)
            uses = []
            if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
                name = parent.targets[0].id
                bindings = [n for n in own_nodes(function) if isinstance(n, ast.Name) and n.id == name
                            and isinstance(n.ctx, (ast.Store, ast.Del))]
                uses = [n for n in own_nodes(function) if isinstance(n, ast.Name) and n.id == name
                        and isinstance(n.ctx, ast.Load)]
                safe = len(bindings) == 1 and all(read_only_use(u, parents) for u in uses)
            else:
                safe = read_only_use(node, parents)
            if not safe:
                refused.append(dict(where, reason="json.loads returns a new dict or list on every call and the function "
                                                  "may change it or hand it out; one shared value could then change "
                                                  "between calls"))
                continue
        site = pos(node)
        target = parents.get(node)
        site.update({"call": where["call"], "parser": full,
                     "target": target.targets[0].id if isinstance(target, ast.Assign) and len(target.targets) == 1
                     and isinstance(target.targets[0], ast.Name) else None})
        sites.append(site)
    key = lambda x: (x["line"], x.get("col", 0))
    return {"found": True, "qualname": qualname, "start": start, "end": end, "sites": sorted(sites, key=key),
            "refused": sorted(refused, key=key), "dynamic": sorted(dynamic, key=key),
            "insert_line": import_insertion_line(tree), "names": sorted(all_names(tree))}

SKILL_MODES = {"memo": memo, "regex": regex, "invariants": invariants, "scan": scan, "membership": membership, "dictget": dictget,
               "strjoin": strjoin, "constparse": constparse}

def main():
    MODES.update(SKILL_MODES)
    request = json.load(sys.stdin)
    try:
        json.dump(MODES[sys.argv[1]](request), sys.stdout)
    except (SyntaxError, ValueError) as exc:
        json.dump({"helper_error": f"line {getattr(exc, 'lineno', '?')}: {getattr(exc, 'msg', exc)}"}, sys.stdout)


if __name__ == "__main__":
    main()
