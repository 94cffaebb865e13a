// The corpuskit extension: starts `corpuskit server` (LSP over stdio) for JSON and XML files.
// The server decides which of them are corpuskit documents (those declaring themselves one, or
// inside the configured corpus); everything else it leaves alone.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration("corpuskit");
  const [command, ...args] = config.get<string[]>("server.command", ["corpuskit", "server"]);
  const serverOptions: ServerOptions = {
    command,
    args,
    // The client adds --stdio, which `corpuskit server` accepts.
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "json" },
      { scheme: "file", language: "xml" },
      { scheme: "untitled", language: "json" },
      { scheme: "untitled", language: "xml" },
    ],
    initializationOptions: {
      rulesUrl: config.get<string>("rulesUrl") || undefined,
      debounceMs: config.get<number>("debounceMs", 30),
    },
  };
  client = new LanguageClient("corpuskit", "corpuskit", serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
