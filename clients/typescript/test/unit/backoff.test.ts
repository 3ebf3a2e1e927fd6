import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from '../../src/backoff.js';

describe('Backoff', () => {
  it('doubles up to the maximum, each delay jittered within its upper half, and starts over on reset', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0);
    const high = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0.999999);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => low.next()), [50, 100, 200, 400, 500, 500]);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => high.next()), [100, 200, 400, 800, 1000, 1000]);
    low.reset();
    assert.equal(low.next(), 50);
  });
});
