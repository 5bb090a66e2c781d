import { request, type Agent } from 'node:http';

/** A response as it came: status, headers (lower-case names) and the body's text. */
export interface RawReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

export interface RawRequest {
  readonly method: string;
  /** Sent as is: percent-escapes, `..` and all (fetch would normalise it, and refuses TRACE). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/**
 * HTTP with node's own client, which sends any method and any path the server's parser takes. Bodies
 * get a Content-Length unless the headers say `Transfer-Encoding: chunked`.
 */
export const rawRequest = (base: string, raw: RawRequest, agent?: Agent): Promise<RawReply> =>
  new Promise((resolve, reject) => {
    // Host and port apart from the path: a URL would be normalised (`/a/../b` sent as `/b`).
    const { hostname, port } = new URL(base);
    // Node's client frames a GET or DELETE body with neither Content-Length nor chunks: the server
    // would read the body as the next request.
    const chunked = Object.keys(raw.headers ?? {}).some((name) => name.toLowerCase() === 'transfer-encoding');
    const length = raw.body === undefined || chunked ? {} : { 'Content-Length': String(Buffer.byteLength(raw.body)) };
    const headers = { ...raw.headers, ...length };
    const outgoing = request({ hostname, port, path: raw.path, method: raw.method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(raw.body);
  });
