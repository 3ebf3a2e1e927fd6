import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ItemMessage, ItemMessageKind } from '../../src/messages.js';
import { Observation } from '../../src/observation.js';

interface Item {
  id: number;
  title: string;
}

const item = (id: number, title = `t${id}`): Item => ({ id, title });

function message(msg: ItemMessageKind, order: number, it: Item, seq: number, resync = false): ItemMessage<Item> {
  return { msg, observer: 'o', primary_key: 'id', order, item: it, seq, ...(resync ? { resync: true } : {}) };
}

describe('Observation', () => {
  it('queues messages that arrive before the answer and applies those after its seq', () => {
    const observation = new Observation<Item>('o');
    // seq 5 is already in the answer (a write the GET saw), 6 and 7 are not.
    assert.equal(observation.receive(message('added', 1, item(2), 5)), false);
    assert.equal(observation.receive(message('added', 0, item(3), 6)), false);
    assert.equal(observation.receive(message('changed', 2, item(1, 'x'), 7)), false);
    assert.deepEqual(observation.items, []);
    assert.equal(observation.ready, false);

    observation.answer({ observer: 'o', items: [item(1), item(2)], seq: 5 });
    assert.equal(observation.ready, true);
    assert.deepEqual(observation.items, [item(3), item(2), item(1, 'x')]);
    assert.equal(observation.seq, 7);
  });

  it('ignores a message it already applied (a resend after resuming)', () => {
    const observation = new Observation<Item>('o');
    observation.answer({ observer: 'o', items: [], seq: 0 });
    assert.equal(observation.receive(message('added', 0, item(1), 1)), true);
    assert.equal(observation.receive(message('added', 0, item(1), 1)), false);
    assert.equal(observation.receive(message('removed', 0, item(1), 1)), false);
    assert.deepEqual(observation.items, [item(1)]);
  });

  it('accepts a jump in seq: an empty resync run moves the position without a message', () => {
    const observation = new Observation<Item>('o');
    observation.answer({ observer: 'o', items: [], seq: 3 });
    observation.receive(message('added', 0, item(1), 90));
    assert.equal(observation.seq, 90);
    assert.deepEqual(observation.items, [item(1)]);
  });

  it('applies a resync run whole at its last message and resumes from its target', () => {
    const observation = new Observation<Item>('o');
    observation.answer({ observer: 'o', items: [item(1), item(2)], seq: 10 });
    assert.equal(observation.receive(message('removed', 0, item(1), -1, true)), false);
    assert.equal(observation.receive(message('added', 1, item(3), -1, true)), false);
    // Until the run ends, the list and the position are those the client truly has.
    assert.deepEqual(observation.items, [item(1), item(2)]);
    assert.equal(observation.seq, 10);
    assert.equal(observation.receive(message('changed', 0, item(2, 'y'), 200, true)), true);
    assert.deepEqual(observation.items, [item(2, 'y'), item(3)]);
    assert.equal(observation.seq, 200);
    assert.equal(observation.resyncRuns, 1);
    assert.equal(observation.receive(message('added', 2, item(4), 201)), true);
    assert.deepEqual(observation.items, [item(2, 'y'), item(3), item(4)]);
  });

  it('drops a queued resync run that the answer already covers', () => {
    const observation = new Observation<Item>('o');
    observation.receive(message('removed', 0, item(9), -1, true));
    observation.receive(message('added', 0, item(8), 4, true));
    observation.receive(message('added', 1, item(5), 5));
    observation.answer({ observer: 'o', items: [item(8)], seq: 4 });
    assert.deepEqual(observation.items, [item(8), item(5)]);
  });

  it('after expired, queues again for the next answer and forgets what it held of the old subscription', () => {
    const observation = new Observation<Item>('o');
    observation.answer({ observer: 'o', items: [item(1)], seq: 3 });
    observation.receive(message('removed', 0, item(1), -1, true));
    observation.expire();
    assert.equal(observation.ready, false);
    // Shown until the answer replaces it.
    assert.deepEqual(observation.items, [item(1)]);
    observation.receive(message('added', 1, item(7), 1));
    observation.answer({ observer: 'o', items: [item(6)], seq: 0 });
    assert.deepEqual(observation.items, [item(6), item(7)]);
    assert.equal(observation.seq, 1);
  });

  it('ignores an answer older than the list it holds (the same query observed again while messages flowed)', () => {
    const observation = new Observation<Item>('o');
    observation.answer({ observer: 'o', items: [], seq: 0 });
    observation.receive(message('added', 0, item(1), 1));
    observation.receive(message('added', 1, item(2), 2));
    assert.equal(observation.answer({ observer: 'o', items: [item(1)], seq: 1 }), false);
    assert.deepEqual(observation.items, [item(1), item(2)]);
    assert.equal(observation.answer({ observer: 'o', items: [item(1), item(2), item(3)], seq: 3 }), true);
    assert.deepEqual(observation.items, [item(1), item(2), item(3)]);
  });

  it('hands out the same frozen array until the list changes', () => {
    const observation = new Observation<Item>('o');
    observation.answer({ observer: 'o', items: [item(1)], seq: 0 });
    const first = observation.items;
    assert.equal(observation.items, first);
    assert.ok(Object.isFrozen(first));
    observation.receive(message('added', 1, item(2), 1));
    assert.notEqual(observation.items, first);
    assert.deepEqual(first, [item(1)]);
  });
});
