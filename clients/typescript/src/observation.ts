import { applyItemMessage } from './apply.js';
import type { ItemMessage, ObserveAnswer } from './messages.js';

/**
 * One observer's list as this client holds it, and where it stands in the observer's log (`seq`). Pure: no I/O, so
 * every rule of ordering and queueing is unit-tested without a server.
 *
 * - Before the GET's answer (and again after `expired`, until the new answer) messages are queued; the answer's items
 *   are then taken and the queued messages applied after them, those the answer already covers (seq ≤ its seq) skipped.
 * - A message whose seq is not past the list's is a duplicate (a resend after a resume, or one the answer covered).
 * - A resync run (seq -1 … then its target seq) is held until its last message and applied at once: listeners never see
 *   a half-applied diff, and a connection cut inside the run leaves `seq` at a position the client truly has, which it
 *   can resume from (rather than -1, which the server must answer with `expired`).
 * - A later seq than the next one (seq + 1) is accepted: the server sends no message for an empty resync run (the list
 *   was already current) yet moves the position on.
 */
export class Observation<T> {
  private working: T[] = [];
  private snapshot: readonly T[] | undefined = Object.freeze([]) as readonly T[];
  private queue: ItemMessage<T>[] = [];
  private run: ItemMessage<T>[] = [];
  private position = 0;
  private answered = false;
  private runsApplied = 0;

  constructor(readonly observer: string) {}

  /** Whether a GET's answer was applied since the start or the last {@link expire}. */
  get ready(): boolean {
    return this.answered;
  }

  /** The seq of the last message applied (the answer's if none was): what a resume sends. */
  get seq(): number {
    return this.position;
  }

  /** Resync runs applied so far (a client reports them as `resynced`). */
  get resyncRuns(): number {
    return this.runsApplied;
  }

  /** The current list; the same frozen array until the next change, so listeners may keep it. */
  get items(): readonly T[] {
    this.snapshot ??= Object.freeze(this.working.slice());
    return this.snapshot;
  }

  /**
   * Takes a GET's answer. When the list is already ready and further on than the answer (another observe of the same
   * query while messages flowed), the answer is older than what is held and is ignored.
   * @returns whether the list changed.
   */
  answer(answer: ObserveAnswer<T>): boolean {
    if (this.answered && answer.seq < this.position) {
      return false;
    }

    this.working = answer.items.slice();
    this.position = answer.seq;
    this.answered = true;
    this.snapshot = undefined;
    const queued = this.queue;
    this.queue = [];
    for (const message of queued) {
      this.receive(message);
    }

    return true;
  }

  /** Takes one item message. @returns whether the list changed. */
  receive(message: ItemMessage<T>): boolean {
    if (!this.answered) {
      this.queue.push(message);
      return false;
    }

    if (message.resync === true) {
      this.run.push(message);
      if (message.seq === -1) {
        return false;
      }

      // The run's last message: apply it whole, unless the list already stands at or past where it leads.
      const run = this.run;
      this.run = [];
      if (message.seq <= this.position) {
        return false;
      }

      let changed = false;
      for (const part of run) {
        changed = applyItemMessage(this.working, part) || changed;
      }

      this.position = message.seq;
      this.runsApplied++;
      return this.touched(changed);
    }

    if (typeof message.seq === 'number' && message.seq <= this.position) {
      return false;
    }

    const changed = applyItemMessage(this.working, message);
    if (typeof message.seq === 'number') {
      this.position = message.seq;
    }

    return this.touched(changed);
  }

  /**
   * The server ended this subscription (`expired`): the list is kept on show until a new answer replaces it, and
   * messages from now on are queued for that answer. Anything held of the old subscription is dropped.
   */
  expire(): void {
    this.answered = false;
    this.queue = [];
    this.run = [];
  }

  private touched(changed: boolean): boolean {
    if (changed) {
      this.snapshot = undefined;
    }

    return changed;
  }
}
