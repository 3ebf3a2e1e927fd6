// Makes docs/trace.png: one write's trace in the Aspire dashboard, from the API request to the WebSocket push.
// Expects scripts/run.sh to be running with the dashboard opened to anonymous access for the moment, which this script's
// plain fetches and browser need (ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true scripts/run.sh; the dashboard keeps
// its login token otherwise), on 15180; API on 5180; observers on 5190; and Debian's Chromium at /usr/bin/chromium. Run through scripts/screenshots/trace.sh, which installs playwright-core.
import { chromium } from 'playwright-core';
import WebSocket from 'ws';

const api = 'http://127.0.0.1:5180';
const dashboard = 'http://127.0.0.1:15180';
const output = process.argv[2] ?? 'docs/trace.png';
const json = (response) => { if (!response.ok) throw new Error(`${response.url}: ${response.status}`); return response.json(); };
const post = (path, body) => fetch(api + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(json);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const subscriber = 'screenshot-' + Date.now();
const socket = new WebSocket(`ws://127.0.0.1:5190/ws/${subscriber}`);
const frames = [];
socket.on('message', (data) => frames.push(JSON.parse(data.toString())));
await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });

const spansByTrace = (telemetry) => {
  const traces = new Map();
  for (const resource of telemetry.data?.resourceSpans ?? [])
    for (const scope of resource.scopeSpans ?? [])
      for (const span of scope.spans ?? [])
        traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
  return traces;
};
const before = new Set(spansByTrace(await fetch(`${dashboard}/api/telemetry/traces`).then(json)).keys());
const board = await post('/api/boards', { name: 'Trace demo' });
await fetch(`${api}/api/tasks?boardId=${board.id}&ordering=position&observe=${subscriber}`).then(json);
const task = await post('/api/tasks', { boardId: board.id, title: 'One write, one trace' });
for (let i = 0; i < 100 && !frames.some((frame) => frame.item?.id === task.id); i++) await sleep(50);
if (!frames.some((frame) => frame.item?.id === task.id)) throw new Error('the write did not reach the subscriber');
socket.close();

// The services export their spans in batches: wait until the dashboard holds a trace with both this write's request
// and a push (an observe starts traces of its own, with an evaluation and a push but no write).
let traceId;
for (let i = 0; i < 60 && !traceId; i++) {
  await sleep(500);
  const traces = spansByTrace(await fetch(`${dashboard}/api/telemetry/traces`).then(json));
  traceId = [...traces.entries()]
    .filter(([id]) => !before.has(id))
    .filter(([, spans]) => spans.some((span) => span.name.startsWith('POST /api/tasks')) && spans.some((span) => span.name === 'push to subscriber'))[0]?.[0];
}
if (!traceId) throw new Error('no trace of a write with a push span in the dashboard');

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
await page.goto(`${dashboard}/traces/detail/${traceId}`);
await page.getByText('push to subscriber').first().waitFor({ timeout: 30000 });
await sleep(1000);
await page.screenshot({ path: output });
await browser.close();
console.log(`trace ${traceId} -> ${output}`);
