import * as t from 'io-ts';
import { integerInRange } from '../../infrastructure/codecs/fromQueryString.ts';
import { strictPartial } from '../../infrastructure/codecs/strict.ts';

/** `limit` (1–100, default 20) and an opaque `cursor`, as every list takes them. */
export const pageParams = { limit: integerInRange(1, 100), cursor: t.string };

export const PageQuery = strictPartial(pageParams, 'PageQuery');

export const defaultLimit = 20;
