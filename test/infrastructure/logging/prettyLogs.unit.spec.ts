import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '../../../src/infrastructure/logging/logger.ts';
import { formatRecord, logFormatFor } from '../../../src/infrastructure/logging/prettyStream.ts';

describe('log lines for a person at a terminal', () => {
  const record = {
    name: 'fastflix',
    hostname: 'vm',
    pid: 7,
    level: 30,
    time: new Date('2024-02-29T20:15:01.234Z'),
    v: 0,
    msg: 'request',
    req_id: 'abc',
    method: 'PUT',
    route: '/movies/:id/rating',
    status: 200,
    detail: 'two words',
  };

  it('reads time, level, message, then the fields as key=value (text with spaces quoted)', () => {
    expect(formatRecord(record)).to.equal(
      '20:15:01.234 INFO  request req_id=abc method=PUT route=/movies/:id/rating status=200 detail="two words"',
    );
  });

  it('puts an error stack below its line, indented', () => {
    const line = formatRecord({ ...record, level: 50, msg: 'request failed', err: { message: 'boom', stack: 'Error: boom\n    at here' } });
    expect(line.split('\n')).to.deep.equal([
      '20:15:01.234 ERROR request failed req_id=abc method=PUT route=/movies/:id/rating status=200 detail="two words"',
      '    Error: boom',
      '        at here',
    ]);
  });

  it('colours the level only when asked', () => {
    expect(formatRecord(record, true)).to.include('\u001b[32mINFO \u001b[0m');
    expect(formatRecord(record)).not.to.include('\u001b');
  });

  it('is chosen on a terminal, JSON elsewhere, unless asked', () => {
    const pipe = new PassThrough();
    const terminal = Object.assign(new PassThrough(), { isTTY: true });
    expect(logFormatFor(pipe)).to.equal('json');
    expect(logFormatFor(terminal)).to.equal('pretty');
    expect(logFormatFor(terminal, 'json')).to.equal('json');
    expect(logFormatFor(pipe, 'pretty')).to.equal('pretty');
  });

  it('writes JSON lines by default and pretty lines when asked, through the service logger', () => {
    const written = (format: 'json' | 'pretty'): string => {
      const out = new PassThrough();
      let text = '';
      out.on('data', (chunk: Buffer) => (text += chunk.toString()));
      createLogger('info', 'fastflix', out, format).info({ route: '/movies' }, 'request');
      return text;
    };
    expect(JSON.parse(written('json'))).to.include({ msg: 'request', route: '/movies', level: 30 });
    expect(written('pretty')).to.match(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}request route=\/movies\n$/);
  });
});
