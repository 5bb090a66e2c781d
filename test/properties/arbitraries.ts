import fc from 'fast-check';

// Generators of what clients may send, made from the edges of the codecs at the edge: every boundary
// length and value, and text that is hostile to some store (SQL, tsquery and JSON syntax, control
// characters, non-characters, combining marks, right-to-left overrides, surrogate pairs, NFKC changes)
// mixed with arbitrary code points (lone surrogates and NUL among them, which must be refused).

/** Text each of which some layer has treated specially; all of it well-formed Unicode. */
export const edgeTexts = [
  ' ',
  ' padded ',
  '\t\n\r',
  '\u0001\u001f\u007f',
  '\u0085\u00a0\u2028\u2029',
  '\ufeff',
  '\uffff\ufffe',
  '\u{10ffff}\u{e0001}',
  '🎬👩‍👩‍👧🏳️‍🌈',
  'e\u0301\u0301\u0301',
  'ﬁ ｆｕｌｌ Ⅻ ㎏',
  '\u212A\u2126\u00c5',
  '\u202eevil\u202c',
  "'; DROP TABLE rm_catalogue.movies; --",
  '\\',
  '"quoted" \\"',
  '%_*',
  '!&|():*<-> & | ! <2>',
  '-war or "" -',
  '<script>alert(1)</script>',
  'null',
  '{"a":1}',
  'İıŉǰ',
  'ß'.repeat(10),
  'a',
] as const;

/** Text no store keeps as given: the codecs must refuse every one of these. */
export const unstorableTexts = ['\u0000', 'a\u0000b', 'lone \ud800', '\udc00 lone', 'reversed \udc00\ud800', 'cut emoji \ud83d'] as const;

/** Text up to `max` characters: an edge, an edge repeated to the limit, or arbitrary code points. */
export const text = (options: { readonly min?: number; readonly max: number }): fc.Arbitrary<string> => {
  const { min = 0, max } = options;
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...edgeTexts) },
    { weight: 1, arbitrary: fc.constantFrom(...unstorableTexts) },
    { weight: 1, arbitrary: fc.constantFrom(...edgeTexts).map((edge) => edge.repeat(Math.ceil(max / edge.length)).slice(0, max)) },
    { weight: 1, arbitrary: fc.constantFrom('x'.repeat(max), 'x'.repeat(max + 1), 'x'.repeat(Math.max(0, min - 1)), 'x'.repeat(min)) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 0, maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 60) }) },
  );
};

export const genreNames = fc.array(
  fc.constantFrom(
    'drama',
    'Drama',
    'Sci-Fi',
    'Science Fiction',
    "Children's",
    'Film-Noir',
    'Musical',
    'TV Movie',
    'IMAX',
    'ACTION',
    'Polka',
  ),
  { maxLength: 6 },
);

export const year = fc.oneof(fc.constantFrom(1869, 1870, 2100, 2101, null), fc.integer({ min: 1870, max: 2100 }));

export const runtime = fc.oneof(fc.constantFrom(0, 1, 1_000, 1_001, null), fc.integer({ min: 1, max: 1_000 }));

export const externalIds = fc.record(
  {
    tmdbId: fc.constantFrom(1, Number.MAX_SAFE_INTEGER, 2 ** 31, 0),
    imdbId: fc.constantFrom('tt0000000', 'tt999999999', 'tt0133093', 'tt123'),
    movielensId: fc.constantFrom(1, Number.MAX_SAFE_INTEGER, 2 ** 53),
  },
  { requiredKeys: [] },
);

export const slug = fc.oneof(
  fc.constantFrom('a', 'x'.repeat(120), 'x'.repeat(121), 'a-b-c-1999', '0', 'a--b'),
  fc.stringMatching(/^[a-z0-9]{1,20}(?:-[a-z0-9]{1,20}){0,3}$/),
);

export const score = fc.oneof(
  fc.constantFrom(0.5, 5, 0, 5.5, 4.25),
  fc.integer({ min: 1, max: 10 }).map((halves) => halves / 2),
);

const digits = (count: number, max: number): fc.Arbitrary<string> => fc.integer({ min: 0, max }).map((n) => String(n).padStart(count, '0'));

/**
 * Anything of the shape of an RFC 3339 time, each field over all its digits could spell (month 19,
 * day 39, hour 29, a long fraction, offset 19:99): what a pattern-only check lets through.
 */
const timeShaped = fc
  .tuple(
    fc.oneof(digits(4, 9_999), fc.constantFrom('2000', '2023', '2024')),
    digits(2, 19),
    digits(2, 39),
    digits(2, 29),
    digits(2, 69),
    digits(2, 69),
    fc.oneof(
      fc.constant(''),
      fc.integer({ min: 1, max: 12 }).map((length) => `.${'9'.repeat(length)}`),
    ),
    fc.oneof(
      fc.constant('Z'),
      fc.tuple(fc.constantFrom('+', '-'), digits(2, 19), digits(2, 99)).map(([sign, h, m]) => `${sign}${h}:${m}`),
    ),
  )
  .map(([y, mo, d, h, mi, s, fraction, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}${zone}`);

/** Times at the edges of what a watch may be: the first films, leap days, extreme offsets, microseconds, and time-shaped text. */
export const watchedAt = (now: Date): fc.Arbitrary<string> =>
  fc.oneof(
    timeShaped,
    fc.constantFrom(
      '1870-01-01T00:00:00Z',
      '1870-01-01T00:00:00+14:00',
      '1870-01-01T00:00:00-14:00',
      '2000-02-29T23:59:59.999999Z',
      '2024-02-29T00:00:00+05:45',
      '1999-12-31T23:59:59.5-00:30',
      now.toISOString(),
    ),
    fc.date({ min: new Date(Date.UTC(1870, 0, 1)), max: now, noInvalidDate: true }).map((date) => date.toISOString()),
  );

export const email = fc.oneof(
  fc.constantFrom(`${'a'.repeat(64)}@${'b'.repeat(185)}.test`, 'a+tag@fastflix.test', 'ｋｉｍ@fastflix.test', '\u212Aelvin@fastflix.test'),
  fc.tuple(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 10 }), fc.nat()).map(([local, n]) => `${local}${n}@fastflix.test`),
);
