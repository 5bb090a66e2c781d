import { Agent, request as httpRequest } from 'node:http';

// An open-loop load driver: requests are sent on a fixed schedule (`rate` a second), whatever the
// answers' speed, over at most `connections` keep-alive connections. A request that must wait for a
// free connection waits in the queue, and its latency counts from when it was due, not from when it
// was sent: a closed loop (autocannon) sends less when the service slows and hides that wait.

export interface PlannedRequest {
  readonly kind: string;
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly path: string;
  readonly token?: string;
  readonly body?: unknown;
}

export interface Answer {
  readonly kind: string;
  readonly status: number;
  /** From when the request was due to when its answer was read, in milliseconds. */
  readonly ms: number;
  /** The command's `position`, for the lag measured at the end. */
  readonly position?: bigint;
}

export const openLoop = async (options: {
  readonly base: string;
  readonly rate: number;
  readonly seconds: number;
  readonly connections: number;
  readonly next: () => PlannedRequest;
}): Promise<Answer[]> => {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const url = new URL(options.base);
  const answers: Answer[] = [];
  const pending: Promise<void>[] = [];
  const total = Math.round(options.rate * options.seconds);
  const started = performance.now();
  const interval = 1000 / options.rate;
  for (let sent = 0; sent < total; sent++) {
    const due = started + sent * interval;
    const wait = due - performance.now();
    // Timers are coarse: sleep only when at least a millisecond ahead, and send the ones due together.
    if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const planned = options.next();
    pending.push(send(agent, url, planned).then((answer) => void answers.push({ ...answer, ms: performance.now() - due })));
  }
  await Promise.all(pending);
  agent.destroy();
  return answers;
};

const send = (agent: Agent, base: URL, planned: PlannedRequest): Promise<Omit<Answer, 'ms'>> =>
  new Promise((resolve) => {
    const body = planned.body === undefined ? undefined : JSON.stringify(planned.body);
    const request = httpRequest(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: planned.method,
        path: planned.path,
        headers: {
          ...(planned.token === undefined ? {} : { authorization: `Bearer ${planned.token}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          resolve({ kind: planned.kind, status, position: positionOf(planned.method, status, Buffer.concat(chunks).toString('utf8')) });
        });
      },
    );
    // A connection refused or reset: status 0, counted as an error.
    request.on('error', () => resolve({ kind: planned.kind, status: 0 }));
    request.end(body);
  });

const positionOf = (method: string, status: number, text: string): bigint | undefined => {
  if (method === 'GET' || status < 200 || status >= 300) return undefined;
  const match = /"position":"(\d+)"/.exec(text);
  return match?.[1] === undefined ? undefined : BigInt(match[1]);
};
