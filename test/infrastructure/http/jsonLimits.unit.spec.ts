import { expect } from 'chai';
import { breachOf } from '../../../src/infrastructure/http/jsonLimits.ts';

const limits = { maxDepth: 3, maxArrayLength: 4 };

describe('the JSON limits scan', () => {
  it('lets through what stays within the bounds', () => {
    for (const text of ['{}', '{"a":{"b":[1,2,3,4]}}', '[[[]]]', '{"a":[{},{},{},{}]}', '[]', 'not json at all', '"[[[[[["']) {
      expect(breachOf(text, limits), text).to.equal(undefined);
    }
  });

  it('refuses a container opened below the deepest level', () => {
    expect(breachOf('[[[[]]]]', limits)).to.deep.equal({ limit: 'depth', max: 3 });
    expect(breachOf('{"a":{"b":{"c":{}}}}', limits)).to.deep.equal({ limit: 'depth', max: 3 });
    // Unclosed, as an attacker need not close what it opens.
    expect(breachOf('['.repeat(500_000), limits)).to.deep.equal({ limit: 'depth', max: 3 });
  });

  it('refuses an array of one item more than allowed, at any level', () => {
    expect(breachOf('[1,2,3,4,5]', limits)).to.deep.equal({ limit: 'arrayLength', max: 4 });
    expect(breachOf('{"a":[[1],[1,2,3,4,5]]}', limits)).to.deep.equal({ limit: 'arrayLength', max: 4 });
  });

  it('counts the items of each array apart, and no commas of objects', () => {
    expect(breachOf('[[1,2,3],[1,2,3],[1,2,3],[1,2,3]]', limits)).to.equal(undefined);
    expect(breachOf('[{"a":1,"b":2,"c":3,"d":4,"e":5}]', limits)).to.equal(undefined);
  });

  it('ignores brackets and commas inside strings, escaped quotes included', () => {
    expect(breachOf('{"a":"[[[[[[,,,,,,,"}', limits)).to.equal(undefined);
    expect(breachOf('["\\"[[[[,,,,,", "\\\\", 3]', limits)).to.equal(undefined);
    // After an escaped backslash the quote closes the string: the brackets after it count.
    expect(breachOf('["\\\\"[[[[]]]]]', limits)).to.deep.equal({ limit: 'depth', max: 3 });
  });

  it('scans a megabyte in one pass', () => {
    // Milliseconds on an idle machine; the bound is loose so that only a scan that is not linear fails.
    const text = `{"a":[${'"x",'.repeat(250_000)}"x"]}`;
    const started = process.hrtime.bigint();
    expect(breachOf(text, { maxDepth: 32, maxArrayLength: 1_000_000 })).to.equal(undefined);
    expect(Number(process.hrtime.bigint() - started) / 1e6).to.be.below(2_000);
  });
});
