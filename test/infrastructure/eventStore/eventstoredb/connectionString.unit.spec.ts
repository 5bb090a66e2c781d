import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EventStoreDBClient } from '@eventstore/db-client';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import pg from 'pg';
import { loadConfig } from '../../../../src/infrastructure/config/config.ts';
import { openEventStore } from '../../../../src/infrastructure/eventStore/openEventStore.ts';
import { parseEventStoreUrl } from '../../../../src/infrastructure/eventStore/eventstoredb/connectionString.ts';
import { StartupError } from '../../../../src/infrastructure/postgres/database.ts';
import { capturingLogger } from '../../../support/logCapture.ts';

// EVENTSTORE_URL through @eventstore/db-client's own parser (parseConnectionString, and the client
// built from it, which connects lazily): every form the README documents, and the refusals.

const parsed = (value: string) => {
  const result = parseEventStoreUrl(value);
  if (E.isLeft(result)) throw new Error(`refused ${value}: ${result.left}`);
  return result.right;
};

const refusal = (value: string): string => {
  const result = parseEventStoreUrl(value);
  if (E.isRight(result)) throw new Error(`accepted ${value}`);
  return result.left;
};

describe('EVENTSTORE_URL, read by the EventStoreDB client', () => {
  describe('every form the README documents', () => {
    it('takes one node, with and without TLS', () => {
      const plain = parsed('esdb://127.0.0.1:2113?tls=false');
      expect(plain.options.hosts).to.deep.equal([{ address: '127.0.0.1', port: 2113 }]);
      expect(plain.options.tls).to.equal(false);
      expect(plain.options.dnsDiscover).to.equal(false);
      expect(parsed('esdb://eventstore').options.hosts).to.deep.equal([{ address: 'eventstore', port: 2113 }]);
    });

    it('takes a cluster by gossip seeds, which no WHATWG URL can hold', () => {
      const cluster = parsed('esdb://a.example:2113,b.example:2113,c.example:2113?tls=false&nodePreference=follower');
      expect(cluster.options.hosts.map((host) => host.address)).to.deep.equal(['a.example', 'b.example', 'c.example']);
      expect(cluster.options.nodePreference).to.equal('follower');
      expect(URL.canParse('esdb://a.example:2113,b.example:2113,c.example:2113?tls=false')).to.equal(false);
    });

    it('takes a cluster by DNS discovery', () => {
      const discover = parsed('esdb+discover://cluster.example.com:2113');
      expect(discover.options.dnsDiscover).to.equal(true);
      expect(discover.options.hosts).to.deep.equal([{ address: 'cluster.example.com', port: 2113 }]);
    });

    it('takes kurrentdb:// and kurrentdb+discover://, handed to the client as esdb:// and esdb+discover://', () => {
      const single = parsed('kurrentdb://db.example:2113?tls=false');
      expect(single.connectionString).to.equal('esdb://db.example:2113?tls=false');
      expect(single.options.hosts).to.deep.equal([{ address: 'db.example', port: 2113 }]);
      const discover = parsed('kurrentdb+discover://cluster.example.com:2113');
      expect(discover.connectionString).to.equal('esdb+discover://cluster.example.com:2113');
      expect(discover.options.dnsDiscover).to.equal(true);
      expect(parsed('KurrentDB://a:2113,b:2113?tls=false').options.hosts).to.have.length(2);
    });

    it('takes credentials and options, and hides the password in what it prints', () => {
      const secured = parsed('esdb://admin:ch%40ngeit@db.example:2113?tls=true&connectionName=fastflix&defaultDeadline=5000');
      expect(secured.options.defaultCredentials).to.deep.equal({ username: 'admin', password: 'ch@ngeit' });
      expect(secured.options.defaultDeadline).to.equal(5000);
      expect(secured.redacted).to.equal('esdb://admin:***@db.example:2113?tls=true&connectionName=fastflix&defaultDeadline=5000');
    });

    it('takes every connection string the README shows', () => {
      const readme = readFileSync(fileURLToPath(new URL('../../../../README.md', import.meta.url)), 'utf8');
      const shown = new Set([...readme.matchAll(/(?:esdb|kurrentdb)(?:\+discover)?:\/\/[^`'\s…)]+/g)].map((match) => match[0]));
      const schemes = new Set([...shown].map((value) => value.split(':')[0]));
      expect([...schemes].sort()).to.deep.equal(['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover']);
      for (const value of shown) expect(E.isRight(parseEventStoreUrl(value)), value).to.equal(true);
      expect(parsed('esdb://user:password@host:2113?tls=true&tlsCAFile=ca.crt').options.tlsCAFile).to.equal('ca.crt');
    });

    it('builds a client from each without connecting', async () => {
      for (const value of [
        'esdb://127.0.0.1:2113?tls=false',
        'esdb://a:2113,b:2113,c:2113?tls=false',
        'esdb+discover://cluster.example.com:2113?tls=false',
        'kurrentdb://127.0.0.1:2113?tls=false',
        'kurrentdb+discover://cluster.example.com:2113?tls=false',
      ]) {
        const client = EventStoreDBClient.connectionString(parsed(value).connectionString);
        await client.dispose();
      }
    });
  });

  describe('values the client cannot use', () => {
    it('refuses other schemes', () => {
      expect(refusal('http://db:2113')).to.match(
        /does not start with esdb:\/\/, esdb\+discover:\/\/, kurrentdb:\/\/ or kurrentdb\+discover:\/\//,
      );
      expect(refusal('db:2113')).to.match(/does not start with/);
    });

    it("passes on the client's own complaint, with the position", () => {
      expect(refusal('esdb://db:abc')).to.equal('Unexpected "abc" at position 10, expected port number');
      expect(refusal('kurrentdb://db:abc')).to.equal('Unexpected "abc" at position 15, expected port number');
      expect(refusal('esdb://db?tls=maybe')).to.match(/expected true or false/);
      expect(refusal('esdb://[::1]:2113')).to.match(/expected host/);
    });

    it('refuses options the client would only warn about and ignore', () => {
      expect(refusal('esdb://db:2113?tsl=false')).to.equal('unknown option "tsl"');
      expect(refusal('esdb://db:2113?tls=true&tlsVerifyCert=false')).to.match(/tlsVerifyCert has no effect/);
    });

    it('never prints the password', () => {
      expect(refusal('esdb://admin:s3cret@db:abc')).to.not.contain('s3cret');
    });
  });

  describe('at start', () => {
    it('stops the configuration with one line naming EVENTSTORE_URL and the forms accepted', () => {
      const config = loadConfig({ EVENTSTORE_URL: 'esdb://admin:s3cret@a:2113;b:2113' });
      if (E.isRight(config)) throw new Error('accepted');
      expect(config.left.split('\n')).to.have.length(1);
      expect(config.left).to.match(/^Invalid configuration: EVENTSTORE_URL must be an EventStoreDB connection string: /);
      expect(config.left).to.contain('esdb+discover://').and.to.contain('kurrentdb://').and.to.contain('gossip seeds');
      expect(config.left).to.not.contain('s3cret');
      const cluster = loadConfig({ EVENTSTORE_URL: 'esdb://a:2113,b:2113,c:2113?tls=false' });
      expect(E.isRight(cluster) && cluster.right.eventStoreUrl).to.equal('esdb://a:2113,b:2113,c:2113?tls=false');
    });

    it('stops with a StartupError naming EVENTSTORE_URL when EventStoreDB does not answer', async function () {
      this.timeout(20_000);
      const pool = new pg.Pool();
      const started = Date.now();
      const error = await openEventStore(
        { eventStoreUrl: 'esdb://admin:s3cret@127.0.0.1:1?tls=false', secret: undefined },
        pool,
        new URL('postgres://unused'),
        capturingLogger().log,
        1_500,
      ).catch((e: unknown) => e);
      await pool.end();
      expect(error).to.be.instanceOf(StartupError);
      const message = (error as Error).message;
      expect(message).to.match(
        /^EventStoreDB at EVENTSTORE_URL=esdb:\/\/admin:\*\*\*@127\.0\.0\.1:1\?tls=false did not answer within 1\.5 s/,
      );
      expect(message.split('\n')).to.have.length(1);
      expect(Date.now() - started).to.be.below(10_000);
    });

    it('stops with a StartupError when the client cannot be built from the value', async () => {
      const pool = new pg.Pool();
      const error = await openEventStore(
        { eventStoreUrl: 'esdb://db:2113?tls=true&tlsCAFile=/nonexistent/ca.pem', secret: undefined },
        pool,
        new URL('postgres://unused'),
        capturingLogger().log,
      ).catch((e: unknown) => e);
      await pool.end();
      expect(error).to.be.instanceOf(StartupError);
      expect((error as Error).message).to.match(
        /^EVENTSTORE_URL=esdb:\/\/db:2113\?tls=true&tlsCAFile=\/nonexistent\/ca\.pem cannot be used: /,
      );
    });
  });
});
