import { Backoff, type BackoffOptions } from './backoff.js';
import { Connection, type ConnectionEvent, type ConnectionState } from './connection.js';
import { ClosedError, HttpError } from './errors.js';
import { LiveQuery, type QueryHost } from './live-query.js';
import { parseServerMessage, type ExpiredReason, type ItemMessage, type ObserveAnswer } from './messages.js';
import { Observation } from './observation.js';

export type ClientState = ConnectionState;

/** Why a list was replaced rather than continued message by message. */
export type ResyncReason =
  | ExpiredReason
  /** The server collapsed a backlog longer than it keeps into one diff (a resync run). */
  | 'resync_run'
  /** More observers than a resume URL can list (150): these are observed again instead. */
  | 'not_resumed'
  | (string & {});

/** What `onStateChange` listeners are told, with the state after it. */
export type ClientEvent =
  | ConnectionEvent
  /** A list was brought up to date by observing it again (after `expired`) or by a resync run. */
  | { readonly event: 'resynced'; readonly observer: string; readonly path: string; readonly reason: ResyncReason };

export type StateListener = (state: ClientState, detail: ClientEvent) => void;

export interface ReactiveClientOptions {
  /** Base of the REST API, such as `http://127.0.0.1:5180`. */
  readonly apiUrl: string;
  /** Base of the observers service; `http(s)` becomes `ws(s)` for `/ws/{subscriber}`. */
  readonly observersUrl: string;
  /**
   * Bearer token provider, called for every request and every connection attempt (so a refreshed token is used).
   * Without it, requests carry the browser's cookies (`credentials: 'include'`).
   */
  readonly token?: () => string | undefined | Promise<string | undefined>;
  /** WebSocket implementation; default the global one (Node 20 has none: pass the `ws` package's). */
  readonly webSocket?: typeof WebSocket;
  /** 1–64 characters of `[A-Za-z0-9_-]`; default random. */
  readonly subscriberId?: string;
  /** Reconnection and retry delays. */
  readonly backoff?: BackoffOptions;
  /** A connection silent this long is sent a heartbeat; silent for twice as long, it is dropped (default 20,000; 0: never). */
  readonly heartbeatMs?: number;
  /** fetch implementation; default the global one. */
  readonly fetch?: typeof fetch;
}

/** The server subscription of one observer and the live queries that show it. */
interface Entry {
  readonly observation: Observation<unknown>;
  readonly queries: Set<LiveQuery<unknown>>;
  /** The path it is observed again with. */
  readonly path: string;
  reloading: boolean;
  /** Told `expired` again while observing again: the answer in flight may already be stale. */
  expiredAgain: boolean;
}

/** A resume URL lists at most this many observers (docs/protocol.md, section 5). */
const maxResumed = 150;

/**
 * A ReactiveRest client: live queries over one WebSocket, opened on the first {@link observe}, reconnected with
 * backoff, resumed from each list's `seq`.
 */
export class ReactiveClient {
  readonly subscriberId: string;
  private readonly apiUrl: string;
  private readonly socketBase: string;
  private readonly options: ReactiveClientOptions;
  private connection: Connection | undefined;
  private currentState: ClientState = 'connecting';
  private readonly stateListeners = new Set<StateListener>();
  private readonly entries = new Map<string, Entry>();
  private readonly queries = new Set<LiveQuery<unknown>>();
  /** Frames for observers not known yet, kept while a GET is in flight whose answer may name them. */
  private readonly unclaimed = new Map<string, ItemMessage[]>();
  private loading = 0;
  private readonly dirty = new Set<Entry>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly sleepers = new Set<() => void>();
  /** Observers that were ready but left out of the resume URL, observed again once the socket opens. */
  private notResumed: Entry[] = [];
  private closed = false;
  private readonly host: QueryHost = { release: (query) => this.release(query) };

  constructor(options: ReactiveClientOptions) {
    this.options = options;
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.socketBase = options.observersUrl.replace(/\/+$/, '').replace(/^http/i, 'ws');
    this.subscriberId = options.subscriberId ?? randomSubscriberId();
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(this.subscriberId)) {
      throw new RangeError('subscriberId must be 1 to 64 characters of [A-Za-z0-9_-].');
    }
  }

  get state(): ClientState {
    return this.currentState;
  }

  /**
   * Calls `listener` on every connection event (connected, disconnected with the retry delay, taken over, closed)
   * and whenever a list was resynced, with the state after it.
   * @returns a function that removes the listener.
   */
  onStateChange(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  /**
   * Observes a list or detail GET, such as `/api/tasks?boardId=1&ordering=position` or `/api/tasks/5`: its result,
   * kept live until {@link LiveQuery.close}.
   */
  observe<T>(path: string): LiveQuery<T> {
    if (this.closed) {
      throw new ClosedError('The client is closed.');
    }

    const query = new LiveQuery<T>(path, this.host);
    this.queries.add(query as LiveQuery<unknown>);
    this.ensureConnection();
    void this.load(query as LiveQuery<unknown>);
    return query;
  }

  /** fetch against the API, with the bearer token (or, without a token provider, the browser's cookies). */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = await this.token();
    if (token !== undefined) {
      headers.set('Authorization', `Bearer ${token}`);
    }

    const request: RequestInit = { ...init, headers };
    if (this.options.token === undefined && init.credentials === undefined) {
      request.credentials = 'include';
    }

    const fetchImpl = this.options.fetch ?? globalThis.fetch;
    return fetchImpl(this.apiUrl + path, request);
  }

  /** Closes the socket and ends every subscription of this client; its live queries keep their last items. */
  close(): void {
    if (this.closed) {
      return;
    }

    this.closed = true;
    clearTimeout(this.flushTimer);
    for (const wake of this.sleepers) {
      wake();
    }

    for (const query of this.queries) {
      if (query.observer === undefined) {
        query.fail(new ClosedError('The client was closed before the first answer.'));
      }
    }

    for (const observer of this.entries.keys()) {
      // Polite, not needed: the server would end them after its grace period anyway.
      this.unsubscribe(observer).catch(() => undefined);
    }

    this.entries.clear();
    this.queries.clear();
    this.unclaimed.clear();
    if (this.connection !== undefined) {
      this.connection.stop();
    } else {
      this.setState('closed', { event: 'closed' });
    }
  }

  private ensureConnection(): void {
    if (this.connection !== undefined) {
      return;
    }

    const webSocket = this.options.webSocket ?? globalThis.WebSocket;
    if (webSocket === undefined) {
      throw new TypeError('No WebSocket implementation: pass one as the webSocket option (in Node, the ws package).');
    }

    this.connection = new Connection(webSocket, new Backoff(this.options.backoff), this.options.heartbeatMs ?? 20_000, {
      url: () => this.socketUrl(),
      message: (text) => this.onFrame(text),
      opened: () => this.onOpened(),
      state: (state, event) => this.setState(state, event),
    });
    this.connection.start();
  }

  private async socketUrl(): Promise<string> {
    const parameters: string[] = [];
    const token = await this.token();

    // After the token's await: no frame can arrive while no socket is open, so these positions are the ones to send.
    const resumable = [...this.entries.values()].filter((entry) => entry.observation.ready);
    this.notResumed = resumable.slice(maxResumed);
    if (resumable.length > 0) {
      const positions = resumable.slice(0, maxResumed).map((entry) => `${entry.observation.observer}:${entry.observation.seq}`);
      parameters.push(`resume=${positions.join(',')}`);
    }

    if (token !== undefined) {
      parameters.push(`access_token=${encodeURIComponent(token)}`);
    }

    const query = parameters.length > 0 ? `?${parameters.join('&')}` : '';
    return `${this.socketBase}/ws/${this.subscriberId}${query}`;
  }

  private onOpened(): void {
    const left = this.notResumed;
    this.notResumed = [];
    for (const entry of left) {
      if (this.entries.get(entry.observation.observer) === entry) {
        entry.observation.expire();
        void this.reload(entry, 'not_resumed');
      }
    }
  }

  private onFrame(text: string): void {
    const message = parseServerMessage(text);
    if (message === undefined || message.msg === 'error') {
      // This client sends nothing but heartbeats, so an error frame can only be a server's complaint about those.
      return;
    }

    const entry = this.entries.get(message.observer);
    if (message.msg === 'expired') {
      if (entry !== undefined) {
        entry.observation.expire();
        void this.reload(entry, message.reason);
      }

      return;
    }

    if (entry === undefined) {
      if (this.loading > 0) {
        const frames = this.unclaimed.get(message.observer) ?? [];
        frames.push(message);
        this.unclaimed.set(message.observer, frames);
      }

      return;
    }

    const runs = entry.observation.resyncRuns;
    if (entry.observation.receive(message)) {
      this.markDirty(entry);
    }

    if (entry.observation.resyncRuns > runs) {
      this.emitResynced(entry, 'resync_run');
    }
  }

  /** The first GET of a live query. */
  private async load(query: LiveQuery<unknown>): Promise<void> {
    this.loading++;
    try {
      const answer = await this.observeGet(query.path, () => query.isClosed);
      if (answer !== undefined) {
        this.attach(query, answer);
      }
    } catch (error) {
      this.queries.delete(query);
      query.fail(asError(error));
    } finally {
      this.finishLoading();
    }
  }

  private attach(query: LiveQuery<unknown>, answer: ObserveAnswer): void {
    let entry = this.entries.get(answer.observer);
    if (query.isClosed || this.closed) {
      // The GET subscribed although nobody wants the list any more.
      if (entry === undefined && !this.closed) {
        this.unsubscribe(answer.observer).catch(() => undefined);
      }

      return;
    }

    if (entry === undefined) {
      entry = {
        observation: new Observation(answer.observer),
        queries: new Set(),
        path: query.path,
        reloading: false,
        expiredAgain: false,
      };
      this.entries.set(answer.observer, entry);
      for (const frame of this.unclaimed.get(answer.observer) ?? []) {
        entry.observation.receive(frame);
      }

      this.unclaimed.delete(answer.observer);
    }

    entry.queries.add(query);
    entry.observation.answer(answer);
    query.attach(entry.observation);
    this.markDirty(entry);
  }

  /** Observes an entry's query again after `expired`; its live queries keep showing the old list until the answer. */
  private async reload(entry: Entry, reason: ResyncReason): Promise<void> {
    if (entry.reloading) {
      entry.expiredAgain = true;
      return;
    }

    entry.reloading = true;
    this.loading++;
    const observer = entry.observation.observer;
    const released = (): boolean => this.entries.get(observer) !== entry;
    try {
      do {
        entry.expiredAgain = false;
        const answer = await this.observeGet(entry.path, released);
        if (answer === undefined) {
          return;
        }

        if (released()) {
          this.unsubscribe(answer.observer).catch(() => undefined);
          return;
        }

        if (answer.observer !== observer) {
          // Observed as someone else now (a token for another user): the list is another observer's.
          this.entries.delete(observer);
          for (const query of entry.queries) {
            this.attach(query, answer);
          }

          return;
        }

        if (!entry.expiredAgain) {
          entry.observation.answer(answer);
          this.markDirty(entry);
          this.emitResynced(entry, reason);
        }
      } while (entry.expiredAgain);
    } catch (error) {
      // A 4xx when observing again: a detail item deleted while away, or access lost. The queries end with it.
      if (!released()) {
        this.entries.delete(observer);
        for (const query of entry.queries) {
          this.queries.delete(query);
          query.fail(asError(error));
        }
      }
    } finally {
      entry.reloading = false;
      this.finishLoading();
    }
  }

  /**
   * The GET with `observe`: retried after a network error, 408, 429 or 5xx (503 says `Retry-After`), since those say
   * nothing about the query; a 4xx is the answer and throws {@link HttpError}.
   * @returns undefined when the client or the caller gave up meanwhile.
   */
  private async observeGet(path: string, cancelled: () => boolean): Promise<ObserveAnswer | undefined> {
    const backoff = new Backoff(this.options.backoff);
    const url = `${path}${path.includes('?') ? '&' : '?'}observe=${this.subscriberId}`;
    for (;;) {
      if (this.closed || cancelled()) {
        return undefined;
      }

      let response: Response;
      try {
        response = await this.fetch(url, { headers: { Accept: 'application/json' } });
      } catch {
        await this.sleep(backoff.next());
        continue;
      }

      if (response.ok) {
        return (await response.json()) as ObserveAnswer;
      }

      if (response.status >= 500 || response.status === 408 || response.status === 429) {
        const retryAfter = Number(response.headers.get('Retry-After'));
        await response.text().catch(() => undefined);
        const backoffMs = backoff.next();
        await this.sleep(retryAfter > 0 ? Math.max(retryAfter * 1000, backoffMs / 2) : backoffMs);
        continue;
      }

      throw await HttpError.from(response, path);
    }
  }

  private finishLoading(): void {
    this.loading--;
    if (this.loading === 0) {
      // No answer can claim them any more: frames of observers this client let go.
      this.unclaimed.clear();
    }
  }

  private async release(query: LiveQuery<unknown>): Promise<void> {
    this.queries.delete(query);
    const observer = query.observer;
    const entry = observer === undefined ? undefined : this.entries.get(observer);
    if (entry === undefined || !entry.queries.delete(query) || entry.queries.size > 0) {
      // Not answered yet (the answer unsubscribes), failed, or shared with another live query.
      return;
    }

    this.entries.delete(entry.observation.observer);
    this.dirty.delete(entry);
    if (!this.closed) {
      await this.unsubscribe(entry.observation.observer);
    }
  }

  private async unsubscribe(observer: string): Promise<void> {
    const path = `/api/queryobserver/unsubscribe?observer=${observer}&subscriber=${this.subscriberId}`;
    const response = await this.fetch(path, { method: 'POST' });
    if (!response.ok && response.status !== 404) {
      throw await HttpError.from(response, path);
    }

    await response.text();
  }

  /** Listeners hear of changes once per batch of frames: the frames of one evaluation arrive together. */
  private markDirty(entry: Entry): void {
    this.dirty.add(entry);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const entries = [...this.dirty];
      this.dirty.clear();
      for (const dirty of entries) {
        for (const query of dirty.queries) {
          query.notify();
        }
      }
    }, 0);
  }

  private emitResynced(entry: Entry, reason: ResyncReason): void {
    this.setState(this.currentState, { event: 'resynced', observer: entry.observation.observer, path: entry.path, reason });
  }

  private setState(state: ClientState, detail: ClientEvent): void {
    this.currentState = state;
    for (const listener of [...this.stateListeners]) {
      try {
        listener(state, detail);
      } catch (error) {
        console.error(error);
      }
    }
  }

  private async token(): Promise<string | undefined> {
    const token = this.options.token === undefined ? undefined : await this.options.token();
    return token === undefined || token === '' ? undefined : token;
  }

  /** A wait that {@link close} cuts short, so that a closed client leaves no timer behind. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** 128 random bits, base64url: 22 characters, within the protocol's alphabet. */
function randomSubscriberId(): string {
  const bytes = new Uint8Array(16);
  if (globalThis.crypto?.getRandomValues === undefined) {
    // Node.js 18 has Web Crypto only behind a flag; a guessable id is not an option.
    throw new Error('No Web Crypto (globalThis.crypto) to draw a subscriber id from: pass subscriberId, or on Node.js 18 run node with --experimental-global-webcrypto.');
  }

  globalThis.crypto.getRandomValues(bytes);
  let text = '';
  for (const byte of bytes) {
    text += String.fromCharCode(byte);
  }

  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
