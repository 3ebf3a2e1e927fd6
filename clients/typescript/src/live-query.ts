import { ClosedError } from './errors.js';
import type { Observation } from './observation.js';

export type ItemsListener<T> = (items: readonly T[]) => void;

/** What a live query needs of its client. */
export interface QueryHost {
  release(query: LiveQuery<unknown>): Promise<void>;
}

const empty: readonly never[] = Object.freeze([]);

/**
 * One observed GET: its current result, kept live. Several live queries of one client for the same query share one
 * observer on the server (the observer id is the same), and so one list.
 */
export class LiveQuery<T> {
  /** Resolves with the items once the first GET's answer is applied; rejects with an {@link HttpError} on 4xx. */
  readonly ready: Promise<readonly T[]>;
  private source: Observation<T> | undefined;
  private readonly listeners = new Set<ItemsListener<T>>();
  private failure: Error | undefined;
  private closed = false;
  private settled = false;
  private resolveReady!: (items: readonly T[]) => void;
  private rejectReady!: (error: Error) => void;

  /** @internal */
  constructor(
    /** The GET's path and query, as given to `observe`. */
    readonly path: string,
    private readonly host: QueryHost,
  ) {
    this.ready = new Promise<readonly T[]>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Whoever awaits `ready` still sees the rejection; nobody awaiting it must not crash a Node process.
    this.ready.catch(() => undefined);
  }

  /** The current list (a detail GET's: zero or one item). The same frozen array until the next change. */
  get items(): readonly T[] {
    return this.source?.items ?? empty;
  }

  /** For a detail GET: the item, or undefined before `ready` and once the item is gone. */
  get item(): T | undefined {
    return this.items[0];
  }

  /** The server's observer id, once the GET answered. */
  get observer(): string | undefined {
    return this.source?.observer;
  }

  /** Why the query stopped: a 4xx on the first GET, or on a GET that observed it again (a detail item deleted). */
  get error(): Error | undefined {
    return this.failure;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Calls `listener` with the new items after every applied batch (the frames that arrived together, such as one
   * evaluation's messages, so that a reorder is never seen half done). Not called at once: read {@link items}.
   * @returns a function that removes the listener.
   */
  subscribe(listener: ItemsListener<T>): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Stops observing: the server subscription ends (`POST /api/queryobserver/unsubscribe`) unless another live query of this client shares it. */
  close(): Promise<void> {
    if (this.closed) {
      return Promise.resolve();
    }

    this.closed = true;
    this.listeners.clear();
    this.settle(new ClosedError('The live query was closed before its first answer.'));
    return this.host.release(this as LiveQuery<unknown>);
  }

  /** @internal The GET answered: the list is the observation's from now on. */
  attach(observation: Observation<T>): void {
    this.source = observation;
    this.failure = undefined;
    this.settle();
  }

  /** @internal */
  notify(): void {
    const items = this.items;
    for (const listener of [...this.listeners]) {
      try {
        listener(items);
      } catch (error) {
        // One listener's bug must not starve the others nor break the client's frame handling.
        console.error(error);
      }
    }
  }

  /** @internal The query cannot be observed (any more): it shows nothing, and says why. */
  fail(error: Error): void {
    this.failure = error;
    const hadItems = this.source !== undefined;
    this.source = undefined;
    this.settle(error);
    if (hadItems) {
      this.notify();
    }
  }

  private settle(error?: Error): void {
    if (this.settled) {
      return;
    }

    this.settled = true;
    if (error === undefined) {
      this.resolveReady(this.items);
    } else {
      this.rejectReady(error);
    }
  }
}
