// Runs the compiled test files one after another, each in its own `node --test` process with a deadline. The same
// command then works on Debian 12's Node.js 18, which lacks --test-concurrency, --test-timeout and --test-force-exit,
// and on later versions: one file at a time (the stack tests share one stack), a hung file killed and failed.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const fileDeadlineMs = Number(process.env.REACTIVEREST_TEST_FILE_TIMEOUT_MS ?? 300_000);
const [major, minor] = process.versions.node.split('.').map(Number);
// Where the runner has it, a file whose tests all ended exits even if a socket is left open, as before.
const forceExit = major >= 22 || (major === 20 && minor >= 14) ? ['--test-force-exit'] : [];
// Node.js 18 has Web Crypto, which the client draws subscriber ids from, only behind a flag.
const webCrypto = major < 19 ? ['--experimental-global-webcrypto'] : [];

const collect = (path) =>
  statSync(path).isDirectory()
    ? readdirSync(path).sort().flatMap((name) => collect(join(path, name)))
    : path.endsWith('.test.js') ? [path] : [];

const files = process.argv.slice(2).flatMap(collect);
if (files.length === 0) {
  console.error('run-tests: no *.test.js file under', process.argv.slice(2).join(' '));
  process.exit(2);
}

const run = (file) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [...webCrypto, '--test', '--test-reporter=spec', ...forceExit, file], { stdio: 'inherit' });
    const deadline = setTimeout(() => {
      console.error(`run-tests: ${file} still running after ${fileDeadlineMs} ms: killed, failed`);
      child.kill('SIGKILL');
    }, fileDeadlineMs);
    child.on('exit', (code) => {
      clearTimeout(deadline);
      resolve(code ?? 1);
    });
  });

const failed = [];
for (const file of files) {
  if ((await run(file)) !== 0) {
    failed.push(file);
  }
}

console.log(`run-tests: ${files.length - failed.length} of ${files.length} test files passed on Node.js ${process.versions.node}`);
for (const file of failed) {
  console.log(`run-tests: failed: ${file}`);
}

process.exit(failed.length === 0 ? 0 : 1);
