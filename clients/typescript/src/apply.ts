import type { ItemMessage } from './messages.js';

/** The key of an item under the message's `primary_key`. */
export function keyOf(item: unknown, primaryKey: string): unknown {
  return (item as Record<string, unknown>)[primaryKey];
}

function indexOfKey<T>(items: readonly T[], primaryKey: string, key: unknown): number {
  return items.findIndex((candidate) => keyOf(candidate, primaryKey) === key);
}

/** Inserts at `order`, clamped so that a message for a list the client got wrong cannot throw. */
function insertAt<T>(items: T[], order: number, item: T): void {
  items.splice(Math.max(0, Math.min(order, items.length)), 0, item);
}

/**
 * Applies one item message to a list in place, exactly as docs/protocol.md says:
 * - `removed`: delete the item with that key;
 * - `added`: insert the item at `order`;
 * - `changed`: delete the item with that key, then insert the new one at `order`; ignore an unknown key.
 * An `added` for a key the list already holds replaces it (as `changed`), so that a message applied twice cannot
 * leave a duplicate.
 * @returns whether the list changed.
 */
export function applyItemMessage<T>(items: T[], message: ItemMessage<T>): boolean {
  const key = keyOf(message.item, message.primary_key);
  const index = indexOfKey(items, message.primary_key, key);
  switch (message.msg) {
    case 'removed':
      if (index < 0) {
        return false;
      }
      items.splice(index, 1);
      return true;
    case 'changed':
      if (index < 0) {
        return false;
      }
      items.splice(index, 1);
      insertAt(items, message.order, message.item);
      return true;
    case 'added':
      if (index >= 0) {
        items.splice(index, 1);
      }
      insertAt(items, message.order, message.item);
      return true;
  }
}
