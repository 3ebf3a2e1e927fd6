import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { HttpError } from '@reactiverest/client';
import { assertConverges, closeClients, connect, eventually, Rest, skip, type Task } from '../support/stack.js';

describe('live queries against the real stack', { skip }, () => {
  afterEach(closeClients);

  it('observes a detail GET: changes, then the delete', async () => {
    const { client } = await connect();
    const rest = new Rest(client);
    const boardId = await rest.createBoard('detail');
    const task = await rest.createTask(boardId, { title: 'watch me' });
    const live = client.observe<Task>(`/api/tasks/${task.id}`);
    assert.deepEqual(await live.ready, [task]);
    assert.equal(live.item?.title, 'watch me');

    const renamed = await rest.patchTask(task.id, { title: 'renamed', done: true });
    await assertConverges(rest, live);
    assert.deepEqual(live.item, renamed);

    await rest.deleteTask(task.id);
    await assertConverges(rest, live);
    assert.equal(live.item, undefined);
    assert.deepEqual(live.items, []);
    client.close();
  });

  it('calls subscribers with each new list, in order', async () => {
    const { client } = await connect();
    const rest = new Rest(client);
    const boardId = await rest.createBoard('subscribe');
    const live = client.observe<Task>(`/api/tasks?boardId=${boardId}&ordering=position`);
    await live.ready;
    const seen: string[][] = [];
    live.subscribe((items) => seen.push(items.map((t) => t.title)));
    const a = await rest.createTask(boardId, { title: 'a', position: 1 });
    await rest.createTask(boardId, { title: 'b', position: 2 });
    await rest.patchTask(a.id, { position: 3 });
    await assertConverges(rest, live);
    assert.deepEqual(live.items.map((t) => t.title), ['b', 'a']);
    // Listeners hear of a batch just after it is applied.
    await eventually(async () => seen.at(-1)?.join() === 'b,a', 'the listener to see the last list');
    assert.ok(seen.every((titles) => new Set(titles).size === titles.length), JSON.stringify(seen));
    client.close();
  });

  it('close() unsubscribes: the observer is dropped and the list no longer changes', async () => {
    const { client } = await connect();
    const rest = new Rest(client);
    const boardId = await rest.createBoard('close');
    const live = client.observe<Task>(`/api/tasks?boardId=${boardId}`);
    await live.ready;
    const observer = live.observer!;
    const stats = await client.fetch(`/api/queryobserver/${observer}`);
    assert.equal(stats.status, 200);
    assert.equal(((await stats.json()) as { subscribers: number }).subscribers, 1);

    await live.close();
    await eventually(async () => {
      const response = await client.fetch(`/api/queryobserver/${observer}`);
      await response.text();
      return response.status === 404;
    }, 'the observer to be dropped');

    let called = false;
    live.subscribe(() => (called = true));
    // A sentinel on the same socket: another query of the board, opened after the close. Once it shows the write, a
    // message the closed query would have had for that write (same change, same socket) would have come too.
    const sentinel = client.observe<Task>(`/api/tasks?boardId=${boardId}&ordering=-id`);
    await sentinel.ready;
    await rest.createTask(boardId, { title: 'unseen' });
    await assertConverges(rest, sentinel);
    assert.deepEqual(sentinel.items.map((t) => t.title), ['unseen']);
    assert.deepEqual(live.items, []);
    assert.equal(called, false);
    client.close();
  });

  it('rejects ready with the status and problem details of a 4xx', async () => {
    const { client } = await connect();
    const invalid = client.observe('/api/tasks?limit=0&bogus=1');
    await assert.rejects(invalid.ready, (error: unknown) => {
      assert.ok(error instanceof HttpError, String(error));
      assert.equal(error.status, 400);
      assert.ok(error.problem?.errors?.['limit'], JSON.stringify(error.problem));
      assert.ok(error.problem?.errors?.['bogus'], JSON.stringify(error.problem));
      return true;
    });

    const missing = client.observe('/api/tasks/2000000000');
    await assert.rejects(missing.ready, (error: unknown) => error instanceof HttpError && error.status === 404);
    client.close();
  });
});
