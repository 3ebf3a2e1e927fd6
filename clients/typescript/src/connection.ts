import type { Backoff } from './backoff.js';
import { HEARTBEAT } from './messages.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** Why the connection's state changed. */
export type ConnectionEvent =
  | { readonly event: 'connected' }
  | { readonly event: 'disconnected'; readonly code: number; readonly reason: string; readonly retryInMs: number }
  /** Another connection took this subscriber over (close code 4000): another tab or process is this subscriber. */
  | { readonly event: 'taken_over' }
  | { readonly event: 'closed' };

export interface ConnectionHandlers {
  /** The URL for the next attempt, built then: the token and the resume positions must be current. */
  url(): Promise<string>;
  message(text: string): void;
  /** The socket is open: the client re-observes what it could not list for resuming. */
  opened(): void;
  state(state: ConnectionState, event: ConnectionEvent): void;
}

/** The close code of a socket whose token expired (docs/protocol.md): reconnect at once with a fresh token. */
export const TOKEN_EXPIRED = 4001;

/** Assigned in place of the handlers of a socket that is let go, so that its late events do nothing (and `ws`, an EventEmitter, never throws for an `error` nobody listens to). */
const ignore = (): void => undefined;

/**
 * The one WebSocket of a client: opened on {@link start}, and after any drop opened again after a backoff, until
 * {@link stop} or a takeover. Knows nothing of observers; the client builds each attempt's URL.
 */
export class Connection {
  private socket: WebSocket | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private heard = false;
  private pinged = false;
  private started = false;
  private stopped = false;

  constructor(
    private readonly webSocket: typeof WebSocket,
    private readonly backoff: Backoff,
    private readonly heartbeatMs: number,
    private readonly handlers: ConnectionHandlers,
  ) {}

  start(): void {
    if (this.started || this.stopped) {
      return;
    }

    this.started = true;
    void this.open();
  }

  /** Lets the current socket go at once, as a lost network would, and reconnects as after any drop. */
  drop(): void {
    const socket = this.release();
    if (socket === undefined || this.stopped) {
      return;
    }

    closeQuietly(socket, 1000, 'dropped');
    this.retry(1006, 'dropped by the client');
  }

  stop(): void {
    if (this.stopped) {
      return;
    }

    this.stopped = true;
    clearTimeout(this.retryTimer);
    const socket = this.release();
    if (socket !== undefined) {
      closeQuietly(socket, 1000, 'client closed');
    }

    this.handlers.state('closed', { event: 'closed' });
  }

  private async open(): Promise<void> {
    let url: string;
    try {
      url = await this.handlers.url();
    } catch (error) {
      // The token provider failed: a retry may find it working again.
      this.retry(0, String(error));
      return;
    }

    if (this.stopped) {
      return;
    }

    let socket: WebSocket;
    try {
      socket = new this.webSocket(url);
    } catch (error) {
      this.retry(0, String(error));
      return;
    }

    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) {
        return;
      }

      this.backoff.reset();
      this.startHeartbeat();
      this.handlers.state('live', { event: 'connected' });
      this.handlers.opened();
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket) {
        return;
      }

      this.heard = true;
      if (typeof event.data === 'string') {
        this.handlers.message(event.data);
      }
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) {
        return;
      }

      this.release();
      if (this.stopped) {
        return;
      }

      if (event.code === 4000) {
        // Reconnecting would take the subscriber back from the connection that took it over, and so on forever.
        this.stopped = true;
        this.handlers.state('closed', { event: 'taken_over' });
        return;
      }

      if (event.code === TOKEN_EXPIRED) {
        // Nothing is wrong with the connection: no backoff. The next URL carries the token provider's fresh token and
        // resumes every list where it stood.
        this.backoff.reset();
        this.retry(event.code, event.reason, true);
        return;
      }

      this.retry(event.code, event.reason);
    };
    // Every error is followed by a close event, which does the work.
    socket.onerror = ignore;
  }

  private retry(code: number, reason: string, immediately = false): void {
    const retryInMs = immediately ? 0 : this.backoff.next();
    this.handlers.state('reconnecting', { event: 'disconnected', code, reason, retryInMs });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.open();
    }, retryInMs);
  }

  /**
   * A peer that vanished without closing (a dead network path) sends nothing, and a browser's socket says nothing
   * until TCP gives up, minutes later. So when a whole period passes without a frame, the client sends a heartbeat,
   * which the server echoes at once; a second silent period means the connection is dead.
   */
  private startHeartbeat(): void {
    this.heard = true;
    this.pinged = false;
    if (this.heartbeatMs <= 0) {
      return;
    }

    this.heartbeatTimer = setInterval(() => {
      if (this.heard) {
        this.heard = false;
        this.pinged = false;
      } else if (!this.pinged) {
        this.pinged = true;
        try {
          this.socket?.send(HEARTBEAT);
        } catch {
          // A socket that cannot send is about to report its close.
        }
      } else {
        this.drop();
      }
    }, this.heartbeatMs);
  }

  /** Detaches the current socket: none of its later events reach the client. */
  private release(): WebSocket | undefined {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) {
      socket.onopen = ignore;
      socket.onmessage = ignore;
      socket.onclose = ignore;
      socket.onerror = ignore;
    }

    return socket;
  }
}

function closeQuietly(socket: WebSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // Closing a socket that is already closing may throw in some implementations; it is let go either way.
  }
}
