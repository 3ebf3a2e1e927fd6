// Prints every frame a ReactiveRest WebSocket receives, one per line: the README's first live query, without
// downloading a WebSocket client. Uses the `ws` package the TypeScript client's tools install
// (scripts/prerequisites.sh). Usage: node scripts/listen.mjs "ws://127.0.0.1:5190/ws/alice-1?access_token=…"
import { createRequire } from 'node:module';

const require = createRequire(new URL('../clients/typescript/package.json', import.meta.url));
const { WebSocket } = require('ws');

const url = process.argv[2];
if (!url) {
  console.error('usage: node scripts/listen.mjs <ws://…/ws/{subscriber}?access_token=…>');
  process.exit(2);
}

const socket = new WebSocket(url);
socket.on('open', () => console.error(`connected to ${new URL(url).pathname}; frames follow (Ctrl+C to stop)`));
socket.on('message', (data) => console.log(data.toString()));
socket.on('unexpected-response', (_request, response) => {
  console.error(`refused: HTTP ${response.statusCode}`);
  process.exit(1);
});
socket.on('close', (code, reason) => {
  console.error(`closed: ${code} ${reason}`);
  process.exit(code === 1000 ? 0 : 1);
});
socket.on('error', (error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
