// A smoke test of the server as this extension starts it: `corpuskit server --stdio`, spoken to
// with the JSON-RPC library vscode-languageclient uses. Run by .ci/run after the build:
//   node out/smoke.js [command...]   (default: corpuskit server)
import { spawn } from "child_process";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";

async function main(): Promise<void> {
  const [command, ...args] = process.argv.length > 2 ? process.argv.slice(2) : ["corpuskit", "server"];
  const server = spawn(command, [...args, "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const connection = createMessageConnection(
    new StreamMessageReader(server.stdout),
    new StreamMessageWriter(server.stdin),
  );
  connection.listen();
  const timer = setTimeout(() => {
    console.error("smoke: no answer from the server within 60 s");
    process.exit(1);
  }, 60_000);
  const result: any = await connection.sendRequest("initialize", {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
  });
  const capabilities = result.capabilities ?? {};
  for (const needed of ["hoverProvider", "definitionProvider", "referencesProvider", "completionProvider", "codeActionProvider", "documentSymbolProvider"]) {
    if (!capabilities[needed]) {
      console.error(`smoke: the server does not offer ${needed}`);
      process.exit(1);
    }
  }
  await connection.sendRequest("shutdown");
  await connection.sendNotification("exit");
  clearTimeout(timer);
  console.log(`smoke: ${result.serverInfo?.name} ${result.serverInfo?.version} answered initialize (position encoding ${capabilities.positionEncoding})`);
  connection.dispose();
}

main().catch((error) => {
  console.error(`smoke: ${error}`);
  process.exit(1);
});
