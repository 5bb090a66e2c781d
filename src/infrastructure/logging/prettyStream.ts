import bunyan from 'bunyan';

// Log records as a person reads them on a terminal: time, level, message, then the fields. JSON lines
// (what log collectors read) stay the format everywhere else: see `logFormatFor`.

export type LogFormat = 'json' | 'pretty';

/** Pretty on a terminal, JSON otherwise (a pipe, a file, a collector), unless asked for one. */
export const logFormatFor = (stream: NodeJS.WritableStream, asked?: LogFormat): LogFormat =>
  asked ?? ('isTTY' in stream && stream.isTTY === true ? 'pretty' : 'json');

// Fields every record has, or that the line shows in its own place.
const shown = new Set(['name', 'hostname', 'pid', 'level', 'time', 'msg', 'v', 'err', 'src']);

const colours: Readonly<Record<string, string>> = {
  TRACE: '\u001b[90m',
  DEBUG: '\u001b[36m',
  INFO: '\u001b[32m',
  WARN: '\u001b[33m',
  ERROR: '\u001b[31m',
  FATAL: '\u001b[35m',
};

const valueText = (value: unknown): string => {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? String(value);
};

/** One record as a line (and, for an error, its stack indented below). */
export const formatRecord = (record: Readonly<Record<string, unknown>>, colour = false): string => {
  const time = record.time instanceof Date ? record.time : new Date(String(record.time));
  const level = (bunyan.nameFromLevel[Number(record.level)] ?? 'info').toUpperCase();
  const paint = (text: string): string => (colour ? `${colours[level] ?? ''}${text}\u001b[0m` : text);
  const fields = Object.entries(record)
    .filter(([key, value]) => !shown.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${valueText(value)}`);
  const line = `${Number.isNaN(time.getTime()) ? '-' : time.toISOString().slice(11, 23)} ${paint(level.padEnd(5))} ${typeof record.msg === 'string' ? record.msg : ''}${
    fields.length > 0 ? ` ${fields.join(' ')}` : ''
  }`;
  const err = record.err;
  const stack = typeof err === 'object' && err !== null && 'stack' in err && typeof err.stack === 'string' ? err.stack : undefined;
  return stack === undefined ? line : `${line}\n${stack.replace(/^/gm, '    ')}`;
};

/** A bunyan raw stream writing `formatRecord` lines to `out`, coloured when it is a terminal. */
export const prettyStream = (out: NodeJS.WritableStream): { write: (record: object) => void } => {
  const colour = logFormatFor(out) === 'pretty';
  return { write: (record) => void out.write(`${formatRecord(Object.fromEntries(Object.entries(record)), colour)}\n`) };
};
