// Starts `lrc lsp` (the language server on stdio) for .lr files.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
    const command = vscode.workspace.getConfiguration('lr').get('server.path', 'lrc');
    client = new LanguageClient('lr', 'lrc lsp',
        { command, args: ['lsp'] },
        { documentSelector: [{ scheme: 'file', language: 'lr' }] });
    context.subscriptions.push(client);
    return client.start();
}

function deactivate() {
    return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
