import * as E from 'fp-ts/lib/Either.js';
import type { StreamName } from './eventStore.ts';
import { InvalidStreamNameError } from './errors.ts';

// `<category>-<id>`: the category groups a kind of stream (`movie`, `user`) for filters and
// projections; the id is whatever identifies one (a uuid, a hash). `$` is reserved by EventStoreDB
// for system streams, and anything that needs quoting anywhere is refused.
const pattern = /^([a-z][a-zA-Z0-9]{0,49})-([A-Za-z0-9][A-Za-z0-9._:@+=-]{0,199})$/;

export const parseStreamName = (raw: string): E.Either<InvalidStreamNameError, StreamName> => {
  if (typeof raw !== 'string' || raw.length === 0) return E.left(new InvalidStreamNameError(String(raw), 'it is empty'));
  if (raw.length > 256) return E.left(new InvalidStreamNameError(raw, 'it is longer than 256 characters'));
  if (!pattern.test(raw)) {
    return E.left(
      new InvalidStreamNameError(
        raw,
        'expected <category>-<id>: a lower-case letter and letters or digits, a dash, then letters, digits or ._:@+=-',
      ),
    );
  }
  return E.right(raw as StreamName);
};

/** For names built from trusted parts; throws on a bad one, which is a programming error. */
export const streamName = (category: string, id: string): StreamName =>
  E.getOrElseW((error: InvalidStreamNameError) => {
    throw error;
  })(parseStreamName(`${category}-${id}`));

export const categoryOf = (stream: StreamName): string => stream.slice(0, stream.indexOf('-'));
