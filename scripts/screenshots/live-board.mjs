// Makes docs/live-board.png: the live board page with a demo board, as alice. Expects scripts/run.sh to be running
// (API on 5180) and Debian's Chromium at /usr/bin/chromium. Run through scripts/screenshots/live-board.sh, which
// installs playwright-core.
import { chromium } from 'playwright-core';

const api = 'http://127.0.0.1:5180';
const user = 'alice';
const output = process.argv[2] ?? 'docs/live-board.png';

// As the page does: a development token where the API issues them, anonymous where it does not.
const signIn = await fetch(`${api}/api/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) });
const token = signIn.ok ? (await signIn.json()).token : undefined;
const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
const send = async (method, path, body) => {
  const response = await fetch(api + path, { method, headers, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
};

await send('POST', '/api/boards', { name: 'Website redesign' });
const board = await send('POST', '/api/boards', { name: 'Launch plan' });
for (const [title, done] of [
  ['Write the announcement', true],
  ['Record the demo video', true],
  ['Invite the beta testers', false],
  ['Fix the last bugs', false],
  ['Ship it', false],
]) {
  await send('POST', '/api/tasks', { boardId: board.id, title, done });
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1100, height: 560 } });
await page.goto(`${api}/?user=${user}&board=${board.id}`);
await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor({ timeout: 30000 });
await page.locator('[data-testid="task"]').nth(4).waitFor({ timeout: 30000 });
// A write from elsewhere while the page watches, so the picture shows a live update, not just a load.
const tasks = await fetch(`${api}/api/tasks?boardId=${board.id}&ordering=position`, { headers }).then((response) => response.json());
await send('PATCH', `/api/tasks/${tasks.results[2].id}`, { done: true });
await page.locator('[data-testid="task"][data-done="true"]').nth(2).waitFor({ timeout: 30000 });
await page.screenshot({ path: output });
await browser.close();
console.log(`board ${board.id} -> ${output}`);
