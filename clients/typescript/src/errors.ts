import type { ProblemDetails } from './messages.js';

/** An API answer that is not a success: `status`, and the problem details the API sends with every error. */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly url: string,
    readonly problem: ProblemDetails | undefined,
  ) {
    super(`${status} ${problem?.title ?? 'HTTP error'} for ${url}${problem?.detail ? `: ${problem.detail}` : ''}`);
  }

  /** Reads the body as problem details when it is JSON; an error body that is not is reported without. */
  static async from(response: Response, url: string): Promise<HttpError> {
    let problem: ProblemDetails | undefined;
    try {
      const body: unknown = await response.json();
      if (typeof body === 'object' && body !== null) {
        problem = body as ProblemDetails;
      }
    } catch {
      problem = undefined;
    }

    return new HttpError(response.status, url, problem);
  }
}

/** The client or the query was closed while something waited for it. */
export class ClosedError extends Error {
  override readonly name = 'ClosedError';
}
