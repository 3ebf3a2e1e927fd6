import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { assertConverges, closeClients, connect, eventually, Rest, skip, type Task } from '../support/stack.js';

/** The test stack's grace period (ReactiveRestApp.GracePeriod) and log length (MaxLogMessages). */
const gracePeriodMs = 4000;
const maxLogMessages = 64;

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
    network.offline = false;
    await assertConverges(rest, live);
    const awayMs = Date.now() - away;

    assert.ok(network.sockets.length >= 2, 'a new socket');
    if (awayMs < gracePeriodMs / 2) {
      // Well within the grace period, and fewer writes than the log keeps: continued exactly, not observed again.
      assert.deepEqual(events.filter((e) => e.event === 'resynced'), []);
    } else {
      console.log(`away ${awayMs} ms, near the grace period: not checking that it resumed without a resync`);
    }
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
    const { client, network, events } = await connect();
    const rest = new Rest(client);
    const boardId = await rest.createBoard('resync');
    const task = await rest.createTask(boardId, { title: 'busy' });
    const live = client.observe<Task>(`/api/tasks?boardId=${boardId}&ordering=title`);
    await live.ready;

    network.offline = true;
    network.kill();
    for (let i = 0; i < maxLogMessages + 10; i++) {
      await rest.patchTask(task.id, { title: `busy ${i}` });
    }
    await rest.createTask(boardId, { title: 'also new' });
    network.offline = false;

    await assertConverges(rest, live);
    // A resync run when back within the grace period, expired and observed again after it: reported either way.
    await eventually(async () => events.some((e) => e.event === 'resynced'), 'a resynced event');
    console.log(`resynced: ${JSON.stringify(events.filter((e) => e.event === 'resynced'))}`);
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
