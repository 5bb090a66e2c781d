import type { IsoDateTime } from '../../domain/shared/codecs.ts';

/** A Date as the ISO time the domain takes (`toISOString` always writes a valid one). */
export const isoTime = (date: Date): IsoDateTime => date.toISOString() as IsoDateTime;

export const secondsAfter = (date: Date, seconds: number): IsoDateTime => isoTime(new Date(date.getTime() + seconds * 1000));
