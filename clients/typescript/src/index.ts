export { ReactiveClient } from './client.js';
export type { ClientEvent, ClientState, ReactiveClientOptions, ResyncReason, StateListener } from './client.js';
export type { ConnectionEvent } from './connection.js';
export { LiveQuery } from './live-query.js';
export type { ItemsListener } from './live-query.js';
export { ClosedError, HttpError } from './errors.js';
export type { BackoffOptions } from './backoff.js';
export { applyItemMessage } from './apply.js';
export { HEARTBEAT, parseServerMessage } from './messages.js';
export type {
  ErrorMessage,
  ExpiredMessage,
  ExpiredReason,
  ItemMessage,
  ItemMessageKind,
  ObserveAnswer,
  ProblemDetails,
  ServerMessage,
} from './messages.js';
