import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import * as canonicalizeModule from 'canonicalize';
import { canonicalJson, chainHash, encodeEvent, firstBrokenLink, genesisHash } from '../../../src/infrastructure/eventStore/envelope.ts';
import type { StoredEvent } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { streamName } from '../../../src/infrastructure/eventStore/streamName.ts';

// The reference implementation of RFC 8785 (CommonJS typed as an ES default export).
const reference = canonicalizeModule.default as unknown as (value: unknown) => string;

describe('the event envelope', () => {
  describe('canonical JSON', () => {
    const samples: unknown[] = [
      { b: 1, a: 2, c: { z: [3, { y: null, x: true }], é: 'ü', A: -0, big: 1e21, small: 1e-7, frac: 0.1 + 0.2 } },
      ['\u2028', '\u0000', '"\\', '😀', { '': 1, ' ': 2, '10': 3, '9': 4, Ä: 5, a: 6 }],
      { nested: { deeper: { deepest: [[], {}, [null]] } }, unicodeKeys: { '€': 1, '\u0080': 2, ﬀ: 3 } },
      'plain',
      42,
      -1.5,
      false,
      null,
    ];
    samples.forEach((sample, index) => {
      it(`matches the reference implementation (sample ${index + 1})`, () => {
        expect(canonicalJson(sample)).to.equal(reference(sample));
      });
    });

    it('matches it on random objects', () => {
      for (let n = 0; n < 200; n++) {
        const value = randomValue(3);
        expect(canonicalJson(value)).to.equal(reference(value));
      }
    });

    // Values whose keys are in order already take the native JSON.stringify; the rest are assembled.
    it('matches it on random objects whose keys are in order already, or in order but for one nested object', () => {
      for (let n = 0; n < 200; n++) {
        const ordered = inKeyOrder(randomValue(3));
        expect(canonicalJson(ordered)).to.equal(reference(ordered));
        const mixed = { a: ordered, b: { y: 1, x: [ordered, { d: 2, c: 1 }] }, c: ordered };
        expect(canonicalJson(mixed)).to.equal(reference(mixed));
      }
    });

    it('writes integer-like keys, which objects keep first, in code-unit order', () => {
      expect(canonicalJson({ '9': 1, '10': 2, a: 3 })).to.equal('{"10":2,"9":1,"a":3}');
    });

    it('refuses what has no JSON form wherever it is nested', () => {
      expect(() => canonicalJson({ a: 1, b: () => 1 })).to.throw(TypeError);
      expect(() => canonicalJson({ a: [Symbol('s')] })).to.throw(TypeError);
      expect(() => canonicalJson({ a: 1n })).to.throw(TypeError);
    });
  });

  describe('the hash chain', () => {
    const stream = streamName('movie', randomUUID());
    const event = (n: number) => ({
      eventId: randomUUID(),
      type: 'MovieAdded',
      schemaVersion: 1,
      data: { n },
      metadata: { occurredAt: '2026-01-01T00:00:00.000Z', actorId: null, correlationId: 'c', causationId: null },
    });

    it('digests the canonical envelope, so key order does not matter', () => {
      const a = event(1);
      const reordered = {
        ...a,
        data: { n: 1 },
        metadata: { causationId: null, correlationId: 'c', actorId: null, occurredAt: a.metadata.occurredAt },
      };
      expect(encodeEvent(stream, a).digest.equals(encodeEvent(stream, reordered).digest)).to.equal(true);
      expect(encodeEvent(stream, a).digest.equals(encodeEvent(streamName('movie', randomUUID()), a).digest)).to.equal(false);
    });

    it('writes the bulk flag into the canonical metadata when present, and only then', () => {
      const plain = event(1);
      const bulk = { ...plain, metadata: { ...plain.metadata, bulk: true } };
      expect(encodeEvent(stream, bulk).metadataJson).to.equal(reference(bulk.metadata));
      expect(encodeEvent(stream, plain).metadataJson).to.equal(reference(plain.metadata));
      expect(encodeEvent(stream, bulk).digest.equals(encodeEvent(stream, plain).digest)).to.equal(false);
    });

    it('finds the first event whose stored form was changed', () => {
      let hash: Buffer = genesisHash;
      const stored: StoredEvent[] = [0, 1, 2].map((n) => {
        const appended = event(n);
        hash = chainHash(hash, encodeEvent(stream, appended).digest);
        return {
          ...appended,
          streamName: stream,
          revision: BigInt(n),
          position: BigInt(n + 1),
          hash: hash.toString('hex'),
          recordedAt: new Date(),
        };
      });
      expect(firstBrokenLink(stored)).to.equal(undefined);
      expect(firstBrokenLink(stored.map((e, i) => (i === 2 ? { ...e, type: 'MovieArchived' } : e)))).to.equal(2n);
      expect(firstBrokenLink(stored.map((e, i) => (i === 0 ? { ...e, metadata: { ...e.metadata, actorId: 'mallory' } } : e)))).to.equal(0n);
    });
  });
});

const inKeyOrder = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(inKeyOrder);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, inKeyOrder((value as Record<string, unknown>)[key])]),
  );
};

const randomValue = (depth: number): unknown => {
  const pick = Math.floor(Math.random() * (depth > 0 ? 7 : 5));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return Math.random() < 0.5;
    case 2:
      return (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 40 - 20);
    case 3:
      return String.fromCodePoint(
        ...Array.from({ length: 5 }, () => Math.floor(Math.random() * 0x2ffff)).filter((c) => c < 0xd800 || c > 0xdfff),
      );
    case 4:
      return Math.floor(Math.random() * 1e6);
    case 5:
      return Array.from({ length: Math.floor(Math.random() * 4) }, () => randomValue(depth - 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(Math.random() * 5) }, () => [
          randomUUID().slice(0, Math.ceil(Math.random() * 8)),
          randomValue(depth - 1),
        ]),
      );
  }
};
