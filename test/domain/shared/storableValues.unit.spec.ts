import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { GenreList, GenreName } from '../../../src/domain/movie/values.ts';
import { DisplayName, Email, IsoDateTime } from '../../../src/domain/shared/codecs.ts';
import { NewPassword, Password } from '../../../src/commands/shared/accounts.ts';
import { fieldErrors } from '../../../src/infrastructure/codecs/decodeErrors.ts';

const decoded = <A>(codec: t.Type<A, unknown, unknown>, value: unknown): A | undefined => {
  const result = codec.decode(value);
  return E.isRight(result) ? result.right : undefined;
};
const messageOf = <A, O>(codec: t.Type<A, O, unknown>, value: unknown): string => {
  const result = codec.decode(value);
  return E.isLeft(result) ? (fieldErrors(result.left)[0]?.message ?? '') : 'decoded';
};

describe('values as strict as the places they are stored', () => {
  describe('a time (IsoDateTime)', () => {
    it('takes real RFC 3339 times, leap days, offsets and up to six fractional digits', () => {
      for (const time of [
        '2024-02-29T20:15:00Z',
        '1999-12-31T23:59:59.999999+14:00',
        '2000-01-01T00:00:00.1-09:30',
        '1000-01-01T00:00:00Z',
      ])
        expect(decoded(IsoDateTime, time), time).to.equal(time);
    });

    it('refuses what Date.parse would roll over or PostgreSQL would refuse or read differently', () => {
      for (const time of [
        '2020-02-30T00:00:00Z',
        '2023-02-29T00:00:00Z',
        '2020-04-31T00:00:00Z',
        '2020-01-01T24:00:00Z',
        '2020-01-01T23:60:00Z',
        '2020-01-01T23:59:60Z',
        '2020-13-01T00:00:00Z',
        '2020-00-10T00:00:00Z',
        `2020-01-01T00:00:00.${'1'.repeat(500)}Z`,
        '2020-01-01T00:00:00.1234567Z',
        '2020-01-01T00:00:00+15:00',
        '2020-01-01T00:00:00+01:60',
        '0999-12-31T00:00:00Z',
        '2020-01-01 00:00:00Z',
        '2020-01-01T00:00:00',
        '2020-01-01T00:00:00\u0000Z',
      ])
        expect(decoded(IsoDateTime, time), time).to.equal(undefined);
      expect(messageOf(IsoDateTime, '2020-02-30T00:00:00Z')).to.match(/real date and time/);
    });
  });

  describe('text', () => {
    const hostile = ['a\u0000b', 'lone \ud800 high', 'lone \udc00 low', 'reversed \udc00\ud800', 'ends high \ud83d'];

    it('refuses NUL and unpaired surrogates wherever people write text, saying which', () => {
      for (const text of hostile) {
        expect(decoded(DisplayName, text), JSON.stringify(text)).to.equal(undefined);
        expect(decoded(Password, text), JSON.stringify(text)).to.equal(undefined);
      }
      expect(messageOf(DisplayName, 'a\u0000b')).to.match(/NUL/);
      expect(messageOf(DisplayName, 'x\ud800')).to.match(/unpaired UTF-16 surrogate/);
    });

    it('takes any well-formed Unicode, surrogate pairs included', () => {
      expect(decoded(DisplayName, 'Zoë 🎬 東京')).to.equal('Zoë 🎬 東京');
    });

    it('never echoes a refused password in its message', () => {
      expect(messageOf(NewPassword, 'Secret7')).to.not.include('Secret7');
      expect(messageOf(NewPassword, 'Secret7\ud800')).to.not.include('Secret7');
    });
  });

  describe('what people type and compare (NFKC)', () => {
    it('reads an e-mail address with a Kelvin sign or full-width letters as the plain address', () => {
      expect(decoded(Email, '\u212Aim@example.com')).to.equal('Kim@example.com');
      expect(decoded(Email, 'ｋｉｍ@example.com')).to.equal('kim@example.com');
    });

    it('reads passwords in one form, so that the same characters are the same password', () => {
      expect(decoded(NewPassword, 'ﬁfteen letters')).to.equal('fifteen letters');
      expect(decoded(NewPassword, 'Cafe\u0301 au lait')).to.equal(decoded(NewPassword, 'Café au lait'));
    });
  });

  describe('genres as people write them', () => {
    it('takes any letter case and the names MovieLens and TMDB use, answering the canonical spelling', () => {
      expect(
        decoded(GenreList, ['Drama', 'Sci-Fi', 'Science Fiction', "Children's", 'Film-Noir', 'Musical', 'TV Movie', 'ACTION']),
      ).to.deep.equal(['drama', 'science-fiction', 'family', 'film-noir', 'music', 'tv-movie', 'action']);
    });

    it('leaves out IMAX, a screen format and no genre, as the importer does', () => {
      expect(decoded(GenreList, ['IMAX', 'Drama'])).to.deep.equal(['drama']);
      expect(decoded(GenreName, 'imax')).to.equal(null);
    });

    it('refuses an unknown genre, naming its place and the genres allowed', () => {
      const result = GenreList.decode(['drama', 'Polka']);
      expect(E.isLeft(result) && fieldErrors(result.left)).to.deep.equal([{ path: '[1]', message: messageOf(GenreName, 'Polka') }]);
      expect(messageOf(GenreName, 'Polka')).to.include('science-fiction').and.include('Sci-Fi');
    });

    it("refuses the names of Object.prototype's members as unknown genres", () => {
      for (const name of ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty']) {
        expect(E.isLeft(GenreName.decode(name)), name).to.equal(true);
      }
    });
  });
});
