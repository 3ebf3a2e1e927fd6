import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyItemMessage } from '../../src/apply.js';
import type { ItemMessage, ItemMessageKind } from '../../src/messages.js';
import { random } from '../support/random.js';

interface Item {
  id: number;
  v: number;
}

function message(msg: ItemMessageKind, order: number, item: Item, seq = 0): ItemMessage<Item> {
  return { msg, observer: 'o', primary_key: 'id', order, item, seq };
}

const item = (id: number, v = 0): Item => ({ id, v });

describe('applyItemMessage', () => {
  it('inserts added items at their order', () => {
    const items = [item(1), item(2)];
    applyItemMessage(items, message('added', 1, item(3)));
    assert.deepEqual(items, [item(1), item(3), item(2)]);
  });

  it('deletes removed items by key, whatever their order says', () => {
    const items = [item(1), item(2), item(3)];
    assert.equal(applyItemMessage(items, message('removed', 0, item(2))), true);
    assert.deepEqual(items, [item(1), item(3)]);
    assert.equal(applyItemMessage(items, message('removed', 0, item(9))), false);
  });

  it('moves a changed item: delete, then insert at order', () => {
    const items = [item(1), item(2), item(3)];
    applyItemMessage(items, message('changed', 2, item(1, 5)));
    assert.deepEqual(items, [item(2), item(3), item(1, 5)]);
  });

  it('changes an item in place when its index already equals order', () => {
    const items = [item(1), item(2), item(3)];
    applyItemMessage(items, message('changed', 1, item(2, 7)));
    assert.deepEqual(items, [item(1), item(2, 7), item(3)]);
  });

  it('ignores a changed message for an unknown key', () => {
    const items = [item(1)];
    assert.equal(applyItemMessage(items, message('changed', 0, item(4))), false);
    assert.deepEqual(items, [item(1)]);
  });

  it('replaces rather than duplicates an added item it already holds', () => {
    const items = [item(1), item(2)];
    applyItemMessage(items, message('added', 0, item(2, 1)));
    assert.deepEqual(items, [item(2, 1), item(1)]);
  });

  it('turns any list into any other with the messages the protocol describes (randomized)', () => {
    const { next, seed } = random();
    for (let round = 0; round < 500; round++) {
      const before = randomList(next);
      const after = randomList(next);
      const copy = before.map((x) => ({ ...x }));
      for (const m of protocolMessages(before, after, next)) {
        applyItemMessage(copy, m);
      }

      assert.deepEqual(copy, after, `seed ${seed}, round ${round}`);
    }
  });
});

function randomList(next: () => number): Item[] {
  const ids = [...Array(10).keys()].filter(() => next() < 0.6);
  // Shuffle, with data that sometimes differs between lists.
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }

  return ids.map((id) => item(id, next() < 0.3 ? 1 : 0));
}

/**
 * What a server may send, built independently of the code under test: removed first (by key, so in any order), then,
 * for each index of the new list whose item the client would not already have there, one message at that index, the
 * item deleted first when the client holds it (changed) or not (added). Items already in place stay silent.
 */
function protocolMessages(before: Item[], after: Item[], next: () => number): ItemMessage<Item>[] {
  const messages: ItemMessage<Item>[] = [];
  const afterIds = new Set(after.map((x) => x.id));
  const removed = before.filter((x) => !afterIds.has(x.id));
  removed.sort(() => next() - 0.5);
  for (const x of removed) {
    messages.push(message('removed', before.indexOf(x), x));
  }

  const client = before.filter((x) => afterIds.has(x.id));
  after.forEach((x, order) => {
    const held = client[order];
    if (held !== undefined && held.id === x.id && held.v === x.v) {
      return;
    }

    const at = client.findIndex((c) => c.id === x.id);
    if (at >= 0) {
      client.splice(at, 1);
    }
    client.splice(order, 0, x);
    messages.push(message(at >= 0 ? 'changed' : 'added', order, x));
  });

  return messages;
}
