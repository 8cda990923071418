#!/usr/bin/env bash
# Installs what Headroom's demo and tests need on a fresh Debian machine: git, python3, the Go toolchain, SQLite
# headers (for GRDB) and py-spy, PyYAML and the MCP Python SDK (from PyPI). Safe to run again; installs only what is missing.
set -euo pipefail

need=()
command -v git >/dev/null 2>&1 || need+=(git)
command -v python3 >/dev/null 2>&1 || need+=(python3 python3-pip)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
dpkg -s zlib1g-dev >/dev/null 2>&1 || need+=(zlib1g-dev)
dpkg -s libssl-dev >/dev/null 2>&1 || need+=(libssl-dev)
command -v chromium >/dev/null 2>&1 || need+=(chromium)  # renders the dashboard in the tests
command -v wrk >/dev/null 2>&1 || need+=(wrk)  # Benchmarks/serve
command -v nvim >/dev/null 2>&1 || need+=(neovim)  # the real LSP client in the language server's tests
command -v curl >/dev/null 2>&1 || need+=(curl)  # the forge tests read the fake forge's request log
command -v gdb >/dev/null 2>&1 || need+=(gdb)  # the test watchdog prints a hung test's stacks
command -v go >/dev/null 2>&1 || need+=(golang-go)  # Go: the Go helper (go/ast, go/types), go test, the Go skills
# Team mode: the tests start a throwaway PostgreSQL 15 cluster under a temp dir (initdb, pg_ctl).
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing from Debian: ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! python3 -c 'import yaml' >/dev/null 2>&1; then
  echo "installing PyYAML from PyPI (YAML configuration keys in change import)" >&2
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore pyyaml \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages pyyaml
fi

# pyflakes and pytest: the Python helper's checks and unit tests.
for module in pyflakes pytest; do
  if ! python3 -c "import $module" >/dev/null 2>&1; then
    echo "installing $module from PyPI (checks of the Python helper)" >&2
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "$module" \
      || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$module"
  fi
done

# The official MCP Python SDK: the independent client the MCP tests drive `headroom mcp` with.
if ! python3 -c 'import importlib.metadata as m, sys; sys.exit(m.version("mcp") != "2.3.0")' >/dev/null 2>&1; then
  echo "installing mcp 2.3.0 from PyPI (the independent MCP client in the tests)" >&2
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "mcp==2.3.0" \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "mcp==2.3.0"
fi

# The real Pyroscope Python agent: the serve tests point it at `headroom serve` on loopback.
if ! python3 -c 'import importlib.metadata as m, sys; sys.exit(m.version("pyroscope-io") != "1.4.0")' >/dev/null 2>&1; then
  echo "installing pyroscope-io 1.4.0 from PyPI (the real agent in the serve tests)" >&2
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "pyroscope-io==1.4.0" \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "pyroscope-io==1.4.0"
fi

# jsonschema: the SARIF export's structural check (Tests/sarif/validate_sarif.py).
if ! python3 -c 'import jsonschema' >/dev/null 2>&1; then
  echo "installing jsonschema from PyPI (the SARIF checks)" >&2
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore jsonschema \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages jsonschema
fi

# schemathesis: property-based checks of the server against its OpenAPI document (Tests/serve/openapi_test.py).
if ! python3 -c 'import importlib.metadata as m, sys; sys.exit(m.version("schemathesis") != "4.32.5")' >/dev/null 2>&1; then
  echo "installing schemathesis 4.32.5 from PyPI (the API's OpenAPI checks)" >&2
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "schemathesis==4.32.5" \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "schemathesis==4.32.5"
fi

if ! command -v py-spy >/dev/null 2>&1; then
  echo "installing py-spy from PyPI" >&2
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore py-spy \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages py-spy
  command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
fi
if ! command -v py-spy >/dev/null 2>&1; then
  scripts_dir=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
  if [ -x "$scripts_dir/py-spy" ]; then
    echo "py-spy is in $scripts_dir, which is not on PATH; add it (export PATH=\"$scripts_dir:\$PATH\")" >&2
  else
    echo "py-spy could not be installed (pip install py-spy)" >&2
  fi
  exit 1
fi
