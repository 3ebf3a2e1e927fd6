export interface BackoffOptions {
  /** The first delay, in milliseconds (default 500). */
  readonly initialMs?: number;
  /** The largest delay, in milliseconds (default 30,000). */
  readonly maxMs?: number;
}

/**
 * Exponential backoff with "equal jitter": the n-th delay is drawn from [d/2, d] with d = min(max, initial·2ⁿ), so
 * many clients that lost the same server do not come back in one wave, yet none waits much less than planned.
 */
export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(options: BackoffOptions = {}, private readonly random: () => number = Math.random) {
    this.initialMs = Math.max(1, options.initialMs ?? 500);
    this.maxMs = Math.max(this.initialMs, options.maxMs ?? 30_000);
  }

  /** The delay before the next attempt; each call counts one attempt. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
