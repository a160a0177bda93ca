-- Neovim's built-in LSP client on `lrc lsp` for .lr buffers: diagnostics
-- as you type, quick fixes (vim.lsp.buf.code_action), hover (K),
-- completion (omnifunc, <C-x><C-o>) and go to definition. One server is
-- shared by every .lr buffer. g:lrc_lsp_cmd overrides the command.
-- Works without nvim-lspconfig, on Neovim 0.7 and later.
vim.bo.commentstring = '# %s'
vim.bo.omnifunc = 'v:lua.vim.lsp.omnifunc'

local client = vim.g.lrc_lsp_client
if not client or not vim.lsp.get_client_by_id(client) then
  client = vim.lsp.start_client({
    name = 'lrc',
    cmd = vim.g.lrc_lsp_cmd or { 'lrc', 'lsp' },
    root_dir = vim.fn.expand('%:p:h'),
  })
  vim.g.lrc_lsp_client = client
end
if client then
  vim.lsp.buf_attach_client(0, client)
  vim.keymap.set('n', 'K', vim.lsp.buf.hover, { buffer = 0 })
  vim.keymap.set('n', 'gd', vim.lsp.buf.definition, { buffer = 0 })
end
