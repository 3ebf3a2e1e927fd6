/**
 * The reactive protocol's messages (docs/protocol.md, "Reactive protocol"), as they travel on the wire: snake_case
 * keys are the protocol's own (django-rest-framework-reactive's), so they are kept, not renamed.
 */

/** The answer to a GET with `observe={subscriber}`. */
export interface ObserveAnswer<T = unknown> {
  /** 32 hex characters; the same for the same query however it is spelled. */
  readonly observer: string;
  /** The page of a list, or a one-element list for a detail GET. */
  readonly items: T[];
  /** The position of `items` in the observer's log: the first message for it has `seq + 1`. */
  readonly seq: number;
}

export type ItemMessageKind = 'added' | 'changed' | 'removed';

/** One item of one evaluation: apply in the order received. */
export interface ItemMessage<T = unknown> {
  readonly msg: ItemMessageKind;
  readonly observer: string;
  /** The item's field that holds its key (`"id"`). */
  readonly primary_key: string;
  /** Index in the new result (`added`, `changed`), or in the previous one (`removed`). */
  readonly order: number;
  /** The item as the API serializes it; for `removed`, the previous item. */
  readonly item: T;
  /** Position in the observer's log; -1 inside a resync run, except on its last message. */
  readonly seq: number;
  /** Part of a resync run: one diff that replaced a backlog longer than the server keeps. */
  readonly resync?: boolean;
}

export type ExpiredReason =
  | 'subscription_ended'
  | 'unknown_position'
  | 'resync_interrupted'
  | 'backlog_lost'
  | 'observer_gone'
  | 'observer_recreated'
  | 'log_lost';

/** The server cannot continue this observer for this subscriber: observe the query again. */
export interface ExpiredMessage {
  readonly msg: 'expired';
  readonly observer: string;
  /** One of {@link ExpiredReason}; kept open so that a newer server's reason does not break the client. */
  readonly reason: ExpiredReason | (string & {});
}

/** The answer to a client frame that is not part of the protocol. */
export interface ErrorMessage {
  readonly msg: 'error';
  readonly error: string;
  readonly detail: string;
}

export type ServerMessage<T = unknown> = ItemMessage<T> | ExpiredMessage | ErrorMessage;

/** RFC 9457 problem details, as every error of the API is shaped. */
export interface ProblemDetails {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  /** Parameter or field name → messages (400). */
  readonly errors?: Readonly<Record<string, readonly string[]>>;
  readonly traceId?: string;
  readonly [extension: string]: unknown;
}

/** django-websocket-redis clients send this; the server echoes it at once. */
export const HEARTBEAT = '--heartbeat--';

/**
 * Reads one text frame. Undefined for the heartbeat's echo and for anything that is not a protocol message, which a
 * client must survive rather than trust (a newer server may say more than this client knows).
 */
export function parseServerMessage(text: string): ServerMessage | undefined {
  if (text === HEARTBEAT) {
    return undefined;
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }

  if (typeof value !== 'object' || value === null) {
    return undefined;
  }

  const message = value as Record<string, unknown>;
  switch (message['msg']) {
    case 'added':
    case 'changed':
    case 'removed':
      return typeof message['observer'] === 'string' &&
        typeof message['primary_key'] === 'string' &&
        typeof message['order'] === 'number' &&
        typeof message['item'] === 'object' &&
        message['item'] !== null
        ? (message as unknown as ItemMessage)
        : undefined;
    case 'expired':
      return typeof message['observer'] === 'string' ? (message as unknown as ExpiredMessage) : undefined;
    case 'error':
      return message as unknown as ErrorMessage;
    default:
      return undefined;
  }
}
