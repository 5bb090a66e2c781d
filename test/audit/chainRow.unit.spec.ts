import { expect } from 'chai';
import { digestOf } from '../../src/audit/chainRow.ts';
import { encodeEvent } from '../../src/infrastructure/eventStore/envelope.ts';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { event } from './support/auditLog.ts';

// `audit verify` and `audit export` hash the stored text of data and metadata instead of parsing it;
// that is only sound while the digest they assemble is the one the store computed on append.

describe('the digest audit recomputes from stored text', () => {
  const cases = [
    event('MovieRated', { userId: 'u', movieId: 'm', score: 4.5, previousScore: null }),
    event('MovieAdded', { title: 'Amélie "Le fabuleux" \\ destin', genres: ['drama', 'comedy'], externalIds: { tmdbId: 194 }, year: 2001 }),
    event('UserRegistered', { email: 'ünïcode@example.com', displayName: '名前 😀' }, { actorId: 'someone', causationId: 'cause' }),
  ];

  it('is the digest the store computed when it appended the event', () => {
    for (const appended of cases) {
      const stream = streamName('movie', '1234');
      const encoded = encodeEvent(stream, appended);
      const recomputed = digestOf({ ...appended, streamId: stream, dataJson: encoded.dataJson, metadataJson: encoded.metadataJson });
      expect(recomputed.toString('hex')).to.equal(encoded.digest.toString('hex'));
    }
  });

  it('changes when one byte of the stored data changes', () => {
    const appended = cases[0];
    if (appended === undefined) throw new Error('no case');
    const encoded = encodeEvent(streamName('movie', '1'), appended);
    const flipped = digestOf({
      ...appended,
      streamId: 'movie-1',
      dataJson: encoded.dataJson.replace('4.5', '4.6'),
      metadataJson: encoded.metadataJson,
    });
    expect(flipped.equals(encoded.digest)).to.equal(false);
  });
});
