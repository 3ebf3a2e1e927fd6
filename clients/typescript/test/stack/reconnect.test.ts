import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { assertConverges, closeClients, connect, eventually, Rest, skip, type Task } from '../support/stack.js';

/** The test stack's grace period (ReactiveRestApp.GracePeriod) and log length (MaxLogMessages). */
const gracePeriodMs = 4000;
const maxLogMessages = 64;

/**
 * Fails unless the client was away for less than the grace period: the claims of "resumed" tests hold only then, so a
 * run too slow to test them fails rather than passes without checking them.
 */
function assertWithinGracePeriod(awayMs: number): void {
  assert.ok(awayMs < gracePeriodMs, `away ${awayMs} ms, not less than the grace period (${gracePeriodMs} ms): the claim was not tested`);
}

describe('reconnecting against the real stack', { skip }, () => {
  afterEach(closeClients);

  it('resumes after its socket is killed, with the writes made meanwhile', async () => {
    const { client, network, events } = await connect();
    const rest = new Rest(client);
    const boardId = await rest.createBoard('kill');
    const path = `/api/tasks?boardId=${boardId}&ordering=-position&limit=4`;
    const live = client.observe<Task>(path);
    await live.ready;
    await rest.createTask(boardId, { title: 'before', position: 1 });
    await assertConverges(rest, live);

    const away = Date.now();
    network.offline = true;
    network.kill();
    for (let i = 0; i < 5; i++) {
      await rest.createTask(boardId, { title: `while away ${i}`, position: 10 + i });
    }
    await eventually(async () => client.state === 'reconnecting', 'the client to notice');
    network.opened.length = 0;
    network.offline = false;
    await assertConverges(rest, live);

    assert.ok(network.sockets.length >= 2, 'a new socket');
    await eventually(async () => network.opened.length > 0, 'a new socket to open');
    // Back within the grace period (its resume is read as the socket opens), with fewer writes than the log keeps:
    // continued exactly, not observed again. A run too slow for that fails: its claim would be untested.
    assertWithinGracePeriod(network.opened[0]! - away);
    assert.deepEqual(events.filter((e) => e.event === 'resynced'), []);
    client.close();
  });

  it('reconnects after its socket is closed cleanly from the client side', async () => {
    const { client, network } = await connect();
    const rest = new Rest(client);
    const boardId = await rest.createBoard('close-socket');
    const live = client.observe<Task>(`/api/tasks?boardId=${boardId}`);
    await live.ready;
    network.sockets.at(-1)!.close(1000, 'test');
    await rest.createTask(boardId, { title: 'after close' });
    await assertConverges(rest, live);
    await eventually(async () => client.state === 'live' && network.sockets.length >= 2, 'the reconnect');
    client.close();
  });

  it('takes a resync run when it was away for more writes than the log keeps', async () => {
    // A user of its own: its burst of writes must not wait for a write rate other tests used up.
    const { client, network, events } = await connect({}, 'ts-client-resync');
    const rest = new Rest(client);
    const boardId = await rest.createBoard('resync');
    const live = client.observe<Task>(`/api/tasks?boardId=${boardId}&ordering=-id&limit=20`);
    await live.ready;

    const away = Date.now();
    network.offline = true;
    network.kill();
    // Creates, each an added message however evaluations coalesce; in parallel, to stay well within the grace period.
    let created = 0;
    const writer = async (): Promise<void> => {
      while (created < maxLogMessages + 16) {
        created++;
        await rest.createTask(boardId, { title: `while away ${created}` });
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    network.opened.length = 0;
    network.offline = false;

    await eventually(async () => network.opened.length > 0, 'a new socket');
    // Its resume was read when the socket opened: back within the grace period, the subscription was still there.
    assertWithinGracePeriod(network.opened[0]! - away);
    await assertConverges(rest, live);
    await eventually(async () => events.some((e) => e.event === 'resynced'), 'a resynced event');
    const reasons = events.flatMap((e) => (e.event === 'resynced' ? [e.reason] : []));
    // The backlog, longer than the log, came as one resync run (not expired and observed again).
    assert.deepEqual(reasons, ['resync_run']);
    client.close();
  });

  it('observes again when the server says expired (away past the grace period)', async () => {
    const { client, network, events } = await connect();
    const rest = new Rest(client);
    const boardId = await rest.createBoard('expired');
    const live = client.observe<Task>(`/api/tasks?boardId=${boardId}`);
    await live.ready;
    const observer = live.observer!;

    network.offline = true;
    network.kill();
    await rest.createTask(boardId, { title: 'while gone' });
    // The grace period ends and, with its only subscriber, the observer is dropped.
    await eventually(async () => {
      const response = await client.fetch(`/api/queryobserver/${observer}`);
      await response.text();
      return response.status === 404;
    }, 'the subscription to end');
    network.offline = false;

    await assertConverges(rest, live);
    await eventually(async () => events.some((e) => e.event === 'resynced'), 'a resynced event');
    const resynced = events.find((e) => e.event === 'resynced');
    assert.deepEqual(resynced, { event: 'resynced', observer, path: live.path, reason: 'subscription_ended' });

    // Observed again, it is live again.
    await rest.createTask(boardId, { title: 'after' });
    await assertConverges(rest, live);
    client.close();
  });
});
