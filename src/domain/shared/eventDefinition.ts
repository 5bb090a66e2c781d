import type * as t from 'io-ts';

// How the domain declares an event type: its name, the version of its current shape, the codec of
// that shape, and how to bring data stored at any older version up to the current one. Stored events
// are never rewritten; old versions are upcast every time they are read.

export type JsonPrimitive = string | number | boolean | null;
export type Json = JsonPrimitive | readonly Json[] | { readonly [key: string]: Json };
export type JsonRecord = { readonly [key: string]: Json };

/** Turns data stored at version `n` into the shape of version `n + 1`. Pure. */
export type Upcaster = (data: JsonRecord) => JsonRecord;

export interface EventDefinition<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly schemaVersion: number;
  readonly codec: t.Type<Data, JsonRecord, unknown>;
  /** `upcasters[n]` upgrades version n to n + 1, for every n below `schemaVersion`. */
  readonly upcasters: Readonly<Record<number, Upcaster>>;
}

export const defineEvent = <Type extends string, Data>(
  type: Type,
  codec: t.Type<Data, JsonRecord, unknown>,
  options: { readonly schemaVersion?: number; readonly upcasters?: Readonly<Record<number, Upcaster>> } = {},
): EventDefinition<Type, Data> => {
  const schemaVersion = options.schemaVersion ?? 1;
  const upcasters = options.upcasters ?? {};
  for (let version = 1; version < schemaVersion; version++) {
    if (upcasters[version] === undefined) throw new Error(`${type} v${schemaVersion} has no upcaster from v${version}`);
  }
  return { type, schemaVersion, codec, upcasters };
};

/** Any definition, whatever its data: what a registry of several event types holds. */
export interface SomeEventDefinition {
  readonly type: string;
  readonly schemaVersion: number;
  readonly codec: t.Mixed;
  readonly upcasters: Readonly<Record<number, Upcaster>>;
}

/** The event a definition describes: `{ type, data }`, the shape deciders produce and evolve from. */
export type EventOf<D> = D extends { readonly type: infer Type; readonly codec: t.Type<infer Data, JsonRecord, unknown> }
  ? { readonly type: Type; readonly data: Data }
  : never;
