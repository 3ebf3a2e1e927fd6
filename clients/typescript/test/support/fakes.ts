/** A WebSocket and an API that a test drives by hand: the client under test cannot tell them from real ones. */

export interface FakeSocket {
  readonly url: string;
  readonly sent: string[];
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  open(): void;
  deliver(...messages: (object | string)[]): void;
  serverClose(code?: number, reason?: string): void;
}

export function fakeSockets(): { WebSocket: typeof WebSocket; sockets: FakeSocket[] } {
  const sockets: FakeSocket[] = [];
  class Socket implements FakeSocket {
    readonly sent: string[] = [];
    closedWith: FakeSocket['closedWith'] = undefined;
    readyState = 0;
    onopen: FakeSocket['onopen'] = null;
    onmessage: FakeSocket['onmessage'] = null;
    onclose: FakeSocket['onclose'] = null;
    onerror: FakeSocket['onerror'] = null;

    constructor(readonly url: string) {
      sockets.push(this);
    }

    send(text: string): void {
      this.sent.push(text);
    }

    close(code?: number, reason?: string): void {
      this.closedWith = { code, reason };
      this.readyState = 3;
    }

    open(): void {
      this.readyState = 1;
      this.onopen?.({});
    }

    deliver(...messages: (object | string)[]): void {
      for (const message of messages) {
        this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
      }
    }

    serverClose(code = 1006, reason = ''): void {
      this.readyState = 3;
      this.onclose?.({ code, reason });
    }
  }

  return { WebSocket: Socket as unknown as typeof WebSocket, sockets };
}

export interface FakeRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly credentials: RequestCredentials | undefined;
  respond(status: number, body?: unknown, headers?: Record<string, string>): void;
}

export function fakeApi(): { fetch: typeof fetch; requests: FakeRequest[]; next: () => Promise<FakeRequest> } {
  const requests: FakeRequest[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  const fetchImpl = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    new Promise((resolve) => {
      requests.push({
        url: String(input),
        method: init?.method ?? 'GET',
        headers: new Headers(init?.headers),
        credentials: init?.credentials,
        respond: (status, body, headers = {}) =>
          resolve(
            new Response(body === undefined ? null : JSON.stringify(body), {
              status,
              headers: { 'content-type': status < 400 ? 'application/json' : 'application/problem+json', ...headers },
            }),
          ),
      });
      wake?.();
    });

  /** The next request not yet taken, waiting for it if need be. */
  const next = async (): Promise<FakeRequest> => {
    while (requests.length <= taken) {
      await new Promise<void>((resolve) => (wake = resolve));
    }

    return requests[taken++]!;
  };

  return { fetch: fetchImpl as typeof fetch, requests, next };
}

/** Waits, a turn of the event loop at a time, until `condition` holds; fails after `ms`. */
export async function until(condition: () => boolean, ms = 2000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}.`);
    }

    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
