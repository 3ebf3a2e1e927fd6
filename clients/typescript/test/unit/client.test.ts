import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ReactiveClient, type ClientEvent, type ClientState } from '../../src/client.js';
import { HttpError } from '../../src/errors.js';
import { fakeApi, fakeSockets, until, type FakeRequest, type FakeSocket } from '../support/fakes.js';

interface Task {
  id: number;
  title: string;
}

const task = (id: number, title = `t${id}`): Task => ({ id, title });
const added = (observer: string, order: number, item: Task, seq: number) => ({ msg: 'added', observer, primary_key: 'id', order, item, seq });

let clients: ReactiveClient[] = [];
afterEach(() => {
  for (const client of clients) {
    client.close();
  }
  clients = [];
});

function setup(options: { token?: () => string | undefined; heartbeatMs?: number } = {}) {
  const { WebSocket, sockets } = fakeSockets();
  const api = fakeApi();
  const events: [ClientState, ClientEvent][] = [];
  const client = new ReactiveClient({
    apiUrl: 'http://api.test/',
    observersUrl: 'http://observers.test',
    webSocket: WebSocket,
    fetch: api.fetch,
    subscriberId: 'me',
    backoff: { initialMs: 1, maxMs: 2 },
    heartbeatMs: options.heartbeatMs ?? 0,
    ...(options.token ? { token: options.token } : {}),
  });
  client.onStateChange((state, detail) => events.push([state, detail]));
  clients.push(client);
  return { client, sockets, api, events };
}

/** Opens the client's first socket once it is made (its URL waits for the token provider). */
async function opened(sockets: FakeSocket[]): Promise<void> {
  await until(() => sockets.length > 0, 2000, 'the socket');
  sockets[0]!.open();
}

/** Answers an unsubscribe as the API does. */
function answerUnsubscribes(request: FakeRequest): boolean {
  if (request.method === 'POST') {
    request.respond(200, {});
    return true;
  }
  return false;
}

describe('ReactiveClient (fake socket and API)', () => {
  it('opens one socket lazily and observes with the subscriber id', async () => {
    const { client, sockets, api } = setup();
    assert.equal(sockets.length, 0);
    client.observe('/api/tasks?boardId=1');
    client.observe('/api/tasks/5');
    await until(() => sockets.length === 1);
    assert.equal(sockets[0]!.url, 'ws://observers.test/ws/me');
    assert.equal((await api.next()).url, 'http://api.test/api/tasks?boardId=1&observe=me');
    const detail = await api.next();
    assert.equal(detail.url, 'http://api.test/api/tasks/5?observe=me');
    // No token provider: a browser would send its cookies.
    assert.equal(detail.credentials, 'include');
  });

  it('queues frames that arrive before the GET answer and applies them after it, by seq', async () => {
    const { client, sockets, api } = setup();
    const live = client.observe<Task>('/api/tasks?boardId=1');
    await opened(sockets);
    const get = await api.next();
    // seq 4 is the write the GET already saw; 5 and 6 came after it.
    sockets[0]!.deliver(added('o1', 1, task(2), 4), added('o1', 0, task(3), 5), {
      msg: 'changed',
      observer: 'o1',
      primary_key: 'id',
      order: 2,
      item: task(1, 'renamed'),
      seq: 6,
    });
    assert.deepEqual(live.items, []);
    get.respond(200, { observer: 'o1', items: [task(1), task(2)], seq: 4 });
    assert.deepEqual(await live.ready, [task(3), task(2), task(1, 'renamed')]);
    assert.equal(live.observer, 'o1');
  });

  it('calls listeners once per batch of frames, after the batch', async () => {
    const { client, sockets, api } = setup();
    const live = client.observe<Task>('/api/tasks');
    await opened(sockets);
    (await api.next()).respond(200, { observer: 'o1', items: [task(1), task(2)], seq: 0 });
    await live.ready;
    const seen: (readonly Task[])[] = [];
    live.subscribe((items) => seen.push(items));
    // A reorder: the intermediate list, with task 1 removed and not yet inserted, must never be seen.
    sockets[0]!.deliver({ msg: 'changed', observer: 'o1', primary_key: 'id', order: 1, item: task(1), seq: 1 });
    sockets[0]!.deliver(added('o1', 0, task(3), 2));
    await until(() => seen.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(seen, [[task(3), task(2), task(1)]]);
  });

  it('sends the token as a bearer header and in the socket URL', async () => {
    const { client, sockets, api } = setup({ token: () => 'a b' });
    client.observe('/api/tasks');
    const get = await api.next();
    assert.equal(get.headers.get('authorization'), 'Bearer a b');
    assert.equal(get.credentials, undefined);
    await until(() => sockets.length === 1);
    assert.equal(sockets[0]!.url, 'ws://observers.test/ws/me?access_token=a%20b');
    const posting = client.fetch('/api/boards', { method: 'POST', body: '{}' });
    const post = await api.next();
    assert.equal(post.headers.get('authorization'), 'Bearer a b');
    post.respond(201, { id: 1 });
    assert.equal((await posting).status, 201);
  });

  it('reconnects after a drop and resumes from the last applied seq; a resend is not applied twice', async () => {
    const { client, sockets, api, events } = setup();
    const live = client.observe<Task>('/api/tasks');
    await opened(sockets);
    (await api.next()).respond(200, { observer: 'o1', items: [], seq: 3 });
    await live.ready;
    sockets[0]!.deliver(added('o1', 0, task(1), 4));
    sockets[0]!.serverClose(1006);
    assert.equal(client.state, 'reconnecting');
    await until(() => sockets.length === 2, 2000, 'the reconnect');
    assert.equal(sockets[1]!.url, 'ws://observers.test/ws/me?resume=o1:4');
    sockets[1]!.open();
    assert.equal(client.state, 'live');
    sockets[1]!.deliver(added('o1', 0, task(1), 4), added('o1', 1, task(2), 5));
    await until(() => live.items.length === 2);
    assert.deepEqual(live.items, [task(1), task(2)]);
    assert.deepEqual(
      events.map(([state, detail]) => `${state}:${detail.event}`),
      ['live:connected', 'reconnecting:disconnected', 'live:connected'],
    );
  });

  it('observes again when told expired, keeps frames of the new subscription, and reports resynced', async () => {
    const { client, sockets, api, events } = setup();
    const live = client.observe<Task>('/api/tasks?boardId=1');
    await opened(sockets);
    (await api.next()).respond(200, { observer: 'o1', items: [task(1)], seq: 9 });
    await live.ready;
    sockets[0]!.deliver({ msg: 'expired', observer: 'o1', reason: 'subscription_ended' });
    const again = await api.next();
    assert.equal(again.url, 'http://api.test/api/tasks?boardId=1&observe=me');
    // Until the new answer, the old list stays on show.
    assert.deepEqual(live.items, [task(1)]);
    sockets[0]!.deliver(added('o1', 1, task(3), 1));
    again.respond(200, { observer: 'o1', items: [task(2)], seq: 0 });
    await until(() => live.items.length === 2);
    assert.deepEqual(live.items, [task(2), task(3)]);
    assert.deepEqual(events.at(-1), ['live', { event: 'resynced', observer: 'o1', path: '/api/tasks?boardId=1', reason: 'subscription_ended' }]);
  });

  it('applies a resync run at once and reports it', async () => {
    const { client, sockets, api, events } = setup();
    const live = client.observe<Task>('/api/tasks');
    await opened(sockets);
    (await api.next()).respond(200, { observer: 'o1', items: [task(1)], seq: 0 });
    await live.ready;
    let calls = 0;
    live.subscribe(() => calls++);
    sockets[0]!.deliver(
      { msg: 'removed', observer: 'o1', primary_key: 'id', order: 0, item: task(1), seq: -1, resync: true },
      { msg: 'added', observer: 'o1', primary_key: 'id', order: 0, item: task(5), seq: 80, resync: true },
    );
    await until(() => calls === 1);
    assert.deepEqual(live.items, [task(5)]);
    assert.equal(events.at(-1)![1].event, 'resynced');
  });

  it('rejects ready with the status and problem details of a 4xx', async () => {
    const { client, sockets, api } = setup();
    const live = client.observe<Task>('/api/tasks?limit=0');
    await opened(sockets);
    const problem = { title: 'One or more validation errors occurred.', status: 400, errors: { limit: ['Must be an integer from 1 to 1000.'] } };
    (await api.next()).respond(400, problem);
    await assert.rejects(live.ready, (error: unknown) => {
      assert.ok(error instanceof HttpError);
      assert.equal(error.status, 400);
      assert.deepEqual(error.problem?.errors, problem.errors);
      return true;
    });
    assert.equal(live.error instanceof HttpError, true);
  });

  it('retries the GET after a 5xx or a network error', async () => {
    const { client, sockets, api } = setup();
    const live = client.observe<Task>('/api/tasks');
    await opened(sockets);
    (await api.next()).respond(503, { status: 503 });
    (await api.next()).respond(200, { observer: 'o1', items: [task(1)], seq: 0 });
    assert.deepEqual(await live.ready, [task(1)]);
  });

  it('unsubscribes on close, only once the last live query of an observer closes', async () => {
    const { client, sockets, api } = setup();
    const a = client.observe<Task>('/api/tasks?boardId=1');
    const b = client.observe<Task>('/api/tasks?boardId=01');
    await opened(sockets);
    (await api.next()).respond(200, { observer: 'o1', items: [task(1)], seq: 2 });
    (await api.next()).respond(200, { observer: 'o1', items: [task(1)], seq: 2 });
    await Promise.all([a.ready, b.ready]);
    await a.close();
    assert.equal(api.requests.length, 2);
    sockets[0]!.deliver(added('o1', 1, task(2), 3));
    await until(() => b.items.length === 2);
    assert.deepEqual(a.items, b.items);
    const closing = b.close();
    const post = await api.next();
    assert.equal(post.method, 'POST');
    assert.equal(post.url, 'http://api.test/api/queryobserver/unsubscribe?observer=o1&subscriber=me');
    post.respond(200, { observer: 'o1', subscriber: 'me' });
    await closing;
  });

  it('unsubscribes when a live query is closed before its answer', async () => {
    const { client, sockets, api } = setup();
    const live = client.observe<Task>('/api/tasks');
    await opened(sockets);
    const get = await api.next();
    await live.close();
    await assert.rejects(live.ready);
    get.respond(200, { observer: 'o1', items: [], seq: 0 });
    const post = await api.next();
    assert.ok(answerUnsubscribes(post));
    assert.match(post.url, /unsubscribe\?observer=o1&subscriber=me$/);
  });

  it('stops when another connection takes the subscriber over (4000)', async () => {
    const { client, sockets } = setup();
    client.observe('/api/tasks');
    await opened(sockets);
    sockets[0]!.serverClose(4000);
    assert.equal(client.state, 'closed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(sockets.length, 1);
  });

  it('reconnects at once with a fresh token and resumes when its token expired (4001)', async () => {
    let issued = 0;
    const { client, sockets, api, events } = setup({ token: () => `token-${++issued}` });
    const live = client.observe<Task>('/api/tasks');
    await opened(sockets);
    (await api.next()).respond(200, { observer: 'o1', items: [task(1)], seq: 7 });
    await live.ready;
    sockets[0]!.serverClose(4001);
    await until(() => sockets.length === 2);
    const url = new URL(sockets[1]!.url);
    assert.equal(url.searchParams.get('resume'), 'o1:7');
    assert.notEqual(url.searchParams.get('access_token'), new URL(sockets[0]!.url).searchParams.get('access_token'));
    const disconnected = events.find(([, detail]) => detail.event === 'disconnected');
    assert.deepEqual(disconnected?.[1], { event: 'disconnected', code: 4001, reason: '', retryInMs: 0 });
  });

  it('observes again what a resume URL cannot list (more than 150 observers)', async () => {
    const { client, sockets, api, events } = setup();
    const lives = Array.from({ length: 151 }, (_, i) => client.observe<Task>(`/api/tasks/${i}`));
    await opened(sockets);
    for (let i = 0; i < 151; i++) {
      (await api.next()).respond(200, { observer: `o${i}`, items: [task(i)], seq: i });
    }
    await Promise.all(lives.map((live) => live.ready));
    sockets[0]!.serverClose(1001);
    await until(() => sockets.length === 2);
    const resume = new URL(sockets[1]!.url).searchParams.get('resume')!;
    assert.equal(resume.split(',').length, 150);
    assert.ok(resume.startsWith('o0:0,o1:1,'));
    sockets[1]!.open();
    const again = await api.next();
    assert.equal(again.url, 'http://api.test/api/tasks/150?observe=me');
    again.respond(200, { observer: 'o150', items: [task(150, 'new')], seq: 500 });
    await until(() => lives[150]!.item?.title === 'new');
    assert.equal(events.at(-1)![1].event, 'resynced');
  });

  it('sends a heartbeat on a silent connection and drops it when even that is not answered', async () => {
    const { client, sockets } = setup({ heartbeatMs: 10 });
    client.observe('/api/tasks');
    await opened(sockets);
    await until(() => sockets[0]!.sent.includes('--heartbeat--'), 2000, 'the heartbeat');
    await until(() => sockets.length === 2, 2000, 'the reconnect');
    assert.notEqual(sockets[0]!.closedWith, undefined);
  });

  it('closes: no more sockets, pending live queries rejected', async () => {
    const { client, sockets } = setup();
    const live = client.observe('/api/tasks');
    client.close();
    assert.equal(client.state, 'closed');
    await assert.rejects(live.ready);
    assert.throws(() => client.observe('/api/tasks'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(sockets.length, 0);
  });
});
