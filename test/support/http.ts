/** A response read whole: status, headers and the parsed JSON body (or the text, when not JSON). */
export interface Reply<Body = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Body;
}

export interface RequestOptions {
  readonly token?: string;
  readonly headers?: Record<string, string>;
  /** Sent as is (for malformed bodies); otherwise `body` is JSON-encoded. */
  readonly raw?: string;
  readonly form?: Record<string, string>;
}

/** Real HTTP against the running service, the way a client app talks to it. */
export const client = (base: string) => {
  const call = async <Body = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<Reply<Body>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    let payload: string | undefined;
    if (options.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(options.form).toString();
    } else if (options.raw !== undefined || body !== undefined) {
      headers['Content-Type'] ??= 'application/json';
      payload = options.raw ?? JSON.stringify(body);
    }
    const response = await fetch(`${base}${path}`, { method, headers, body: payload });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as Body };
  };
  return {
    get: <Body = Record<string, unknown>>(path: string, options?: RequestOptions) => call<Body>('GET', path, undefined, options),
    post: <Body = Record<string, unknown>>(path: string, body?: unknown, options?: RequestOptions) =>
      call<Body>('POST', path, body, options),
    put: <Body = Record<string, unknown>>(path: string, body?: unknown, options?: RequestOptions) => call<Body>('PUT', path, body, options),
    patch: <Body = Record<string, unknown>>(path: string, body?: unknown, options?: RequestOptions) =>
      call<Body>('PATCH', path, body, options),
    delete: <Body = Record<string, unknown>>(path: string, options?: RequestOptions) => call<Body>('DELETE', path, undefined, options),
    /** A DELETE with a body (`DELETE /me` carries the password). */
    deleteWith: <Body = Record<string, unknown>>(path: string, body?: unknown, options?: RequestOptions) =>
      call<Body>('DELETE', path, body, options),
  };
};

export type Client = ReturnType<typeof client>;
