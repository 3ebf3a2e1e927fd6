/**
 * The real stack, as the .NET test class TypeScriptClientTests started it: its URLs come in REACTIVEREST_API_URL and
 * REACTIVEREST_OBSERVERS_URL. Node 20 has no global WebSocket, so clients get the ws package's, wrapped so that a
 * test can cut a client's network and find its sockets.
 */
import assert from 'node:assert/strict';
import { WebSocket as NodeWebSocket } from 'ws';
import { ReactiveClient, type ClientEvent, type LiveQuery, type ReactiveClientOptions } from '@reactiverest/client';

export const apiUrl = process.env['REACTIVEREST_API_URL'] ?? '';
export const observersUrl = process.env['REACTIVEREST_OBSERVERS_URL'] ?? '';

/** Without the stack's URLs the stack tests are skipped (the unit tests still run). */
export const skip = apiUrl === '' || observersUrl === '' ? 'REACTIVEREST_API_URL and REACTIVEREST_OBSERVERS_URL are not set' : false;

export interface Task {
  id: number;
  boardId: number;
  title: string;
  done: boolean;
  position: number;
  createdAt: string;
  updatedAt: string;
}

const tokens = new Map<string, Promise<string | undefined>>();

/**
 * A token for `user` from the Development-only `POST /api/dev/token`, or none where the server has no authentication
 * (404): the tests run before and after authentication lands.
 */
export function token(user: string): Promise<string | undefined> {
  let promise = tokens.get(user);
  promise ??= (async () => {
    const response = await fetch(`${apiUrl}/api/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user }),
    });
    if (response.status === 404) {
      await response.text();
      return undefined;
    }

    assert.equal(response.status, 200, `POST /api/dev/token answered ${response.status}`);
    return ((await response.json()) as { token: string }).token;
  })();
  tokens.set(user, promise);
  return promise;
}

/** A client's network: its sockets, and a switch that makes every new connection attempt fail. */
export interface Network {
  readonly sockets: NodeWebSocket[];
  /** When each socket made while online opened (Date.now()); a test may empty it to time the next one. */
  readonly opened: number[];
  offline: boolean;
  /** The current socket, dropped without a close handshake, as a dead network path or a killed process would. */
  kill(): void;
}

export interface TestClient {
  readonly client: ReactiveClient;
  readonly network: Network;
  readonly events: ClientEvent[];
}

const open: ReactiveClient[] = [];

/**
 * Closes every client the tests made: a client left open after a failed assertion would keep its socket, and so the
 * test process, alive. Each suite calls it after its tests.
 */
export function closeClients(): void {
  for (const client of open.splice(0)) {
    client.close();
  }
}

/**
 * A client of the real stack. Clients of one `user` see the same boards; each user has its own rate limits (writes
 * per second), so a test that writes in bursts takes a user of its own.
 */
export async function connect(options: Partial<ReactiveClientOptions> = {}, user = 'ts-client-tests'): Promise<TestClient> {
  const bearer = await token(user);
  const sockets: NodeWebSocket[] = [];
  const opened: number[] = [];
  const network: Network = {
    sockets,
    opened,
    offline: false,
    kill: () => sockets.at(-1)?.terminate(),
  };

  class TestWebSocket extends NodeWebSocket {
    constructor(url: string) {
      // Port 9 (discard) refuses connections: an attempt while offline fails as an unplugged network's does.
      super(network.offline ? 'ws://127.0.0.1:9/' : url);
      sockets.push(this);
      this.once('open', () => opened.push(Date.now()));
    }
  }

  const client = new ReactiveClient({
    apiUrl,
    observersUrl,
    webSocket: TestWebSocket as unknown as typeof WebSocket,
    backoff: { initialMs: 50, maxMs: 500 },
    ...(bearer === undefined ? {} : { token: () => bearer }),
    ...options,
  });
  open.push(client);
  const events: ClientEvent[] = [];
  client.onStateChange((_, detail) => events.push(detail));
  return { client, network, events };
}

/** REST calls for the tests' writes, through a client's authenticated fetch. */
export class Rest {
  constructor(private readonly client: ReactiveClient) {}

  async createBoard(name = 'ts'): Promise<number> {
    return ((await this.send('POST', '/api/boards', { name }, 201)) as { id: number }).id;
  }

  async createTask(boardId: number, fields: Partial<Task> = {}): Promise<Task> {
    return (await this.send('POST', '/api/tasks', { boardId, title: 'task', ...fields }, 201)) as Task;
  }

  /** Undefined when the task is gone (a concurrent delete). */
  async patchTask(id: number, fields: Partial<Task>): Promise<Task | undefined> {
    return (await this.send('PATCH', `/api/tasks/${id}`, fields, 200, true)) as Task | undefined;
  }

  async deleteTask(id: number): Promise<void> {
    await this.send('DELETE', `/api/tasks/${id}`, undefined, 204, true);
  }

  /** A fresh GET without observe: the list's page, or a detail as zero or one item. */
  async current<T>(path: string): Promise<T[]> {
    const response = await this.client.fetch(path);
    if (response.status === 404 && !path.includes('?')) {
      await response.text();
      return [];
    }

    assert.equal(response.status, 200, `GET ${path}: ${response.status}`);
    const body = (await response.json()) as { results?: T[] } & T;
    return body.results ?? [body];
  }

  private async send(method: string, path: string, body: unknown, expected: number, goneIsFine = false): Promise<unknown> {
    const request = (): Promise<Response> =>
      this.client.fetch(path, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
    let response = await request();
    for (let tries = 0; response.status === 429 && tries < 10; tries++) {
      // Over the user's write rate: wait as told, as a well-behaved client does.
      await response.text();
      await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('Retry-After') ?? 1)));
      response = await request();
    }

    if (goneIsFine && response.status === 404) {
      await response.text();
      return undefined;
    }

    const text = await response.text();
    assert.equal(response.status, expected, `${method} ${path}: ${response.status} ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  }
}

/**
 * Waits until the live query shows exactly what a fresh GET returns now (after every write has been answered), with a
 * deadline; each applied batch re-checks at once, and the GET is repeated now and then in case the expected list
 * itself was read before a slow commit.
 */
export async function assertConverges<T>(rest: Rest, live: LiveQuery<T>, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let expected = await rest.current<T>(live.path);
  let lastGet = Date.now();
  for (;;) {
    if (JSON.stringify(live.items) === JSON.stringify(expected)) {
      return;
    }

    if (Date.now() > deadline) {
      assert.deepEqual(live.items, expected, `${live.path} did not converge within ${deadlineMs} ms`);
      return;
    }

    if (Date.now() - lastGet > 2000) {
      expected = await rest.current<T>(live.path);
      lastGet = Date.now();
      continue;
    }

    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 250);
      const off = live.subscribe(done);
      function done(): void {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }
}

/** Waits for a condition that the server reaches on its own (such as an observer dropped), with a deadline. */
export async function eventually(condition: () => Promise<boolean>, what: string, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, `Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
