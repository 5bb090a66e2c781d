import {
  AccessDeniedError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  StreamDeletedError as ClientStreamDeletedError,
  UnavailableError,
  UnknownError,
} from '@eventstore/db-client';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import {
  EventStoreAccessDeniedError,
  EventStoreUnavailableError,
  InvalidEventError,
  StreamDeletedError,
} from '../../../../src/infrastructure/eventStore/errors.ts';
import type { StreamName } from '../../../../src/infrastructure/eventStore/eventStore.ts';
import { drain, translateError } from '../../../../src/infrastructure/eventStore/eventstoredb/clientErrors.ts';
import { parseEventStoreUrl } from '../../../../src/infrastructure/eventStore/eventstoredb/connectionString.ts';
import { leaderConnectionString } from '../../../../src/infrastructure/eventStore/eventstoredb/eventStoreDbEventStore.ts';
import { warnOfForeignRecords } from '../../../../src/infrastructure/eventStore/eventstoredb/foreignRecords.ts';
import { capturingLogger } from '../../../support/logCapture.ts';

// The EventStoreDB adapter's own logic around the client: its errors in the port's vocabulary, the
// deadline its reads lack, the leader's connection string, the warning about foreign records.

const stream = 'movie-1' as StreamName;

describe('EventStoreDB adapter, around the client', () => {
  describe("the client's failures", () => {
    it('become the port errors, and no client class leaks', () => {
      expect(translateError(new ClientStreamDeletedError(undefined, 'movie-1'), 'appending', stream)).to.be.instanceOf(StreamDeletedError);
      const tooLarge = translateError(MaxAppendSizeExceededError.fromMaxAppendSize(1_048_576), 'appending', stream);
      expect(tooLarge).to.be.instanceOf(InvalidEventError);
      expect((tooLarge as Error).message).to.contain('1048576 bytes');
      expect(translateError(new AccessDeniedError(undefined, 'denied'), 'appending', stream)).to.be.instanceOf(EventStoreAccessDeniedError);
      for (const transient of [new UnavailableError(undefined, 'gone'), new DeadlineExceededError(undefined, 'late')]) {
        expect(translateError(transient, 'appending', stream)).to.be.instanceOf(EventStoreUnavailableError);
      }
      expect(translateError(new Error('Failed to discover after 10 attempts.'), 'ping')).to.be.instanceOf(EventStoreUnavailableError);
      const unknown = new UnknownError(undefined, 'odd');
      expect(translateError(unknown, 'appending', stream)).to.equal(unknown);
    });
  });

  describe('a read the server stops answering', () => {
    it('fails as unavailable after the idle deadline, and is cancelled', async () => {
      let cancelled = false;
      const silent = {
        cancel: () => {
          cancelled = true;
          return Promise.resolve();
        },
        [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<number>>(() => undefined) }),
      };
      const started = Date.now();
      const error = await drain(silent, 50, 'ping').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(EventStoreUnavailableError);
      expect((error as Error).message).to.contain('ping: no answer within 50 ms');
      expect(Date.now() - started).to.be.below(1_000);
      expect(cancelled).to.equal(true);
    });

    it('is not cut while messages keep coming', async () => {
      async function* slow() {
        for (let n = 0; n < 5; n++) {
          await new Promise((resolve) => setTimeout(resolve, 30));
          yield n;
        }
      }
      const reading = Object.assign(slow(), { cancel: () => Promise.resolve() });
      expect(await drain(reading, 60, 'reading')).to.deep.equal([0, 1, 2, 3, 4]);
    });
  });

  describe('the connection for appends', () => {
    const connection = (value: string) => {
      const parsed = parseEventStoreUrl(value);
      if (E.isLeft(parsed)) throw new Error(parsed.left);
      return parsed.right;
    };

    it('asks a cluster for the leader when the reads prefer another node', () => {
      expect(leaderConnectionString(connection('esdb://a:2113,b:2113?tls=false&nodePreference=follower'))).to.equal(
        'esdb://a:2113,b:2113?tls=false&nodePreference=leader',
      );
      expect(leaderConnectionString(connection('kurrentdb+discover://c.example:2113?node_preference=random'))).to.equal(
        'esdb+discover://c.example:2113?nodePreference=leader',
      );
    });

    it('is the one connection otherwise', () => {
      expect(leaderConnectionString(connection('esdb://a:2113?nodePreference=follower'))).to.equal(undefined);
      expect(leaderConnectionString(connection('esdb://a:2113,b:2113?nodePreference=leader'))).to.equal(undefined);
      expect(leaderConnectionString(connection('esdb://a:2113,b:2113'))).to.equal(undefined);
    });
  });

  describe('records of other writers', () => {
    const record = (streamId: string, type = 'Something') => ({ id: 'f00d', streamId, revision: 3n, type });

    it('are reported once each when they sit in a FastFlix stream', () => {
      const { log, records } = capturingLogger();
      const foreign = warnOfForeignRecords(log);
      foreign(record('movie-1'));
      foreign(record('movie-1'));
      foreign(record('$settings', '$metadata'));
      foreign(record('Other.App/stream'));
      expect(records.map((entry) => [entry.stream, entry.revision, entry.level])).to.deep.equal([['movie-1', '3', 40]]);
    });
  });
});
