import { afterEach, describe, it } from 'node:test';
import type { LiveQuery } from '@reactiverest/client';
import { random } from '../support/random.js';
import { assertConverges, closeClients, connect, Rest, skip, type Task } from '../support/stack.js';

describe('convergence against the real stack', { skip }, () => {
  afterEach(closeClients);

  it('keeps several live lists equal to fresh GETs under concurrent random writes and a dropped socket', async () => {
    const { next, int, seed } = random();
    console.log(`convergence seed: ${seed} (REACTIVEREST_SEED=${seed} replays the same writes)`);

    const first = await connect();
    const second = await connect();
    const rest = new Rest(first.client);
    const boardId = await rest.createBoard('convergence');
    const alive: number[] = [];
    for (let i = 0; i < 8; i++) {
      alive.push((await rest.createTask(boardId, { title: `seed ${i}`, position: int(20) })).id);
    }

    const lists = [
      `/api/tasks?boardId=${boardId}&ordering=position`,
      `/api/tasks?boardId=${boardId}&ordering=-position&limit=5`,
      `/api/tasks?boardId=${boardId}&done=false&ordering=title&limit=4&offset=2`,
      `/api/tasks?boardId=${boardId}&ordering=-updatedAt&limit=3`,
      `/api/tasks?boardId=${boardId}&title__icontains=a&ordering=position,-id&limit=6`,
    ];
    const lives: LiveQuery<unknown>[] = [
      ...lists.map((path) => first.client.observe<Task>(path)),
      ...lists.slice(0, 3).map((path) => second.client.observe<Task>(path)),
      second.client.observe<Task>(`/api/tasks/${alive[0]}`),
      second.client.observe(`/api/boardstats/${boardId}`),
    ];
    await Promise.all(lives.map((live) => live.ready));

    const words = ['alpha', 'beta', 'gamma', 'delta', 'kappa', 'omega', 'zeta', 'psi'];
    const title = (): string => `${words[int(words.length)]} ${int(100)}`;
    const operations = 120;
    let started = 0;
    const worker = async (): Promise<void> => {
      while (started < operations) {
        const n = started++;
        if (n === operations / 2) {
          first.network.kill();
        }

        const roll = next();
        const id = alive.length > 0 ? alive[int(alive.length)]! : undefined;
        if (roll < 0.3 || id === undefined) {
          alive.push((await rest.createTask(boardId, { title: title(), position: int(30), done: next() < 0.3 })).id);
        } else if (roll < 0.45) {
          await rest.patchTask(id, { title: title() });
        } else if (roll < 0.6) {
          await rest.patchTask(id, { done: next() < 0.5 });
        } else if (roll < 0.85) {
          await rest.patchTask(id, { position: int(30) });
        } else {
          alive.splice(alive.indexOf(id), 1);
          await rest.deleteTask(id);
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);

    for (const live of lives) {
      await assertConverges(rest, live);
    }

    console.log(
      `converged: ${lives.length} live queries; first client reconnected ${first.network.sockets.length - 1} time(s); ` +
        `resynced: ${[...first.events, ...second.events].filter((e) => e.event === 'resynced').length}`,
    );
    first.client.close();
    second.client.close();
  });
});
