import * as E from 'fp-ts/lib/Either.js';
import { parseConnectionString, type ConnectionOptions } from '@eventstore/db-client/dist/Client/parseConnectionString.js';

// EVENTSTORE_URL as @eventstore/db-client 6.2.1 reads it. That client parses only esdb:// and
// esdb+discover://, and with its own grammar (several hosts separated by commas, which no WHATWG URL
// allows), so the value is checked by the client's own parser and handed to it as written, with the
// newer kurrentdb:// schemes (KurrentDB's clients, same grammar and options) rewritten to the old ones.

/** Every form the client accepts, for the message that refuses a value. */
export const acceptedForms =
  'esdb://host:2113?tls=false (one node), esdb://host1:2113,host2:2113,host3:2113?tls=false (a cluster by gossip seeds), ' +
  'esdb+discover://cluster.example.com:2113 (a cluster by DNS), or the same with kurrentdb:// and kurrentdb+discover://; ' +
  'user:password@ before the hosts; options as ?key=value&key=value';

/** The options the client knows (it warns about others on the console and ignores them). */
const knownOptions = [
  'tls',
  'tlsCAFile',
  'userCertFile',
  'userKeyFile',
  'nodePreference',
  'connectionName',
  'defaultDeadline',
  'maxDiscoverAttempts',
  'discoveryInterval',
  'gossipTimeout',
  'keepAliveInterval',
  'keepAliveTimeout',
  'throwOnAppendFailure',
];

export interface EventStoreConnection {
  /** What the client is given: the value with kurrentdb schemes rewritten. */
  readonly connectionString: string;
  readonly options: ConnectionOptions;
  /** The value with its password hidden, for messages and logs. */
  readonly redacted: string;
}

/** Left: why the client cannot use the value, in one line. */
export const parseEventStoreUrl = (raw: string): E.Either<string, EventStoreConnection> => {
  const value = raw.trim();
  const scheme = /^([a-z+]+):\/\//i.exec(value)?.[1]?.toLowerCase();
  const rewritten = scheme === 'kurrentdb' || scheme === 'kurrentdb+discover' ? `esdb${value.slice('kurrentdb'.length)}` : value;
  if (scheme === undefined || !['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover'].includes(scheme)) {
    return E.left(`it does not start with esdb://, esdb+discover://, kurrentdb:// or kurrentdb+discover://`);
  }
  if (optionKeys(rewritten).some((key) => flat(key) === 'tlsverifycert')) {
    return E.left('tlsVerifyCert has no effect in @eventstore/db-client 6.2.1: give tlsCAFile instead');
  }
  const unknown = optionKeys(rewritten).filter((key) => !knownOptions.some((known) => flat(known) === flat(key)));
  if (unknown.length > 0) return E.left(`unknown option ${unknown.map((key) => JSON.stringify(key)).join(', ')}`);
  try {
    const options = parseConnectionString(rewritten);
    if (options.hosts.length === 0) return E.left('it names no host');
    return E.right({ connectionString: rewritten, options, redacted: redact(value) });
  } catch (error) {
    // The parser's message quotes the value, password and all.
    const message = error instanceof Error ? error.message : String(error);
    // Positions in the value as written, not in its rewritten form.
    const shift = value.length - rewritten.length;
    const located = message.replace(/at position (\d+)/, (_, position: string) => `at position ${Number(position) + shift}`);
    return E.left(redact(located).replace(/\.$/, ''));
  }
};

/** `user:secret@` becomes `user:***@`. */
export const redact = (text: string): string => text.replace(/(\/\/[^:/@]+:)[^@]*@/g, '$1***@');

const flat = (key: string): string => key.trim().toLowerCase().replace(/[_-]/g, '');

const optionKeys = (value: string): string[] => {
  const query = value.indexOf('?');
  if (query < 0) return [];
  return value
    .slice(query + 1)
    .split('&')
    .map((pair) => pair.split('=')[0] ?? '')
    .filter((key) => key !== '');
};
