-- Neovim's built-in LSP client against `headroom lsp` (run headless by LanguageServerTests):
-- opens the file, waits for Headroom's diagnostics, asks for code actions, resolves the fix's quick fix, applies its
-- workspace edit and writes the buffer; then checks that a stale document gets no edit. What it saw goes to
-- $HEADROOM_RESULT as JSON.
local bin = os.getenv("HEADROOM_BIN")
local store = os.getenv("HEADROOM_STORE")
local file = os.getenv("HEADROOM_FILE")
local out = os.getenv("HEADROOM_RESULT")
local root = vim.fn.fnamemodify(file, ":h")
local result = { steps = {} }

local function finish()
  local f = io.open(out, "w")
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd("qall!")
end

local function step(name) table.insert(result.steps, name) end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = "headroom", cmd = { bin, "lsp", "--store", store }, cmd_cwd = root, root_dir = root,
  })
  assert(client_id, "client did not start")
  vim.lsp.buf_attach_client(bufnr, client_id)
  step("attached")
  assert(vim.wait(30000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50), "no diagnostics arrived")
  local client = vim.lsp.get_client_by_id(client_id)
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, { message = d.message, severity = d.severity, lnum = d.lnum })
  end
  step("diagnostics")

  local uri = vim.uri_from_bufnr(bufnr)
  local params = {
    textDocument = { uri = uri },
    range = { start = { line = 10, character = 0 }, ["end"] = { line = 10, character = 0 } },
    context = { diagnostics = {} },
  }
  local answer = client.request_sync("textDocument/codeAction", params, 10000, bufnr)
  assert(answer and answer.result, "no code actions: " .. vim.inspect(answer))
  result.actions = {}
  local chosen
  for _, action in ipairs(answer.result) do
    table.insert(result.actions, action.title)
    if action.kind == "quickfix" and action.data and not chosen then chosen = action end
  end
  assert(chosen, "no quick fix offered")
  local edit = chosen.edit
  if not edit then
    local resolved = client.request_sync("codeAction/resolve", chosen, 10000, bufnr)
    assert(resolved and resolved.result, "resolve failed: " .. vim.inspect(resolved))
    edit = resolved.result.edit
    result.resolved_lazily = true
  end
  assert(edit, "the resolved action has no edit")
  vim.lsp.util.apply_workspace_edit(edit, client.offset_encoding or "utf-16")
  vim.cmd("write")
  step("applied")

  local lenses = client.request_sync("textDocument/codeLens", { textDocument = { uri = uri } }, 10000, bufnr)
  result.lenses = {}
  for _, lens in ipairs((lenses and lenses.result) or {}) do
    table.insert(result.lenses, { title = lens.command and lens.command.title, line = lens.range.start.line })
  end

  -- The buffer now differs from the validated original: the same fix must not produce an edit again.
  local again = client.request_sync("textDocument/codeAction", params, 10000, bufnr)
  result.stale_actions = {}
  for _, action in ipairs((again and again.result) or {}) do
    if action.data then
      table.insert(result.stale_actions, {
        title = action.title, has_edit = action.edit ~= nil,
        disabled = action.disabled and action.disabled.reason or vim.NIL,
      })
    end
  end
  -- And the old action, resolved against the changed document, carries no edit.
  local old = client.request_sync("codeAction/resolve", chosen, 10000, bufnr)
  result.old_resolve_has_edit = old and old.result and old.result.edit ~= nil or false
  step("stale")
  vim.lsp.stop_client(client_id)
end)
if not ok then result.error = tostring(err) end
finish()
