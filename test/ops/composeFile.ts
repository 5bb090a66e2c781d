import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

// Reading the ops files of the repository as Docker Compose and GitHub Actions would: YAML with merge
// keys (`<<: *anchor`), then plain objects.

export const repositoryPath = (relative: string): string => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

export const readYaml = (relative: string): unknown => parse(readFileSync(repositoryPath(relative), 'utf8'), { merge: true });

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const recordAt = (value: unknown, key: string): Record<string, unknown> => {
  const found = isRecord(value) ? value[key] : undefined;
  if (!isRecord(found)) throw new Error(`${key} is not a mapping`);
  return found;
};

/** A service's `depends_on`, in either of its forms: a list of names, or names with conditions. */
export const dependenciesOf = (service: Record<string, unknown>): Map<string, string> => {
  const dependsOn = service.depends_on;
  if (dependsOn === undefined) return new Map();
  if (Array.isArray(dependsOn)) return new Map(dependsOn.map((name) => [String(name), 'service_started']));
  if (!isRecord(dependsOn)) throw new Error('depends_on is neither a list nor a mapping');
  return new Map(Object.entries(dependsOn).map(([name, condition]) => [name, String(recordAt({ c: condition }, 'c').condition)]));
};

/** `HOST:CONTAINER` port mappings, as `[host, container]`. */
export const publishedPorts = (service: Record<string, unknown>): [string, string][] =>
  (Array.isArray(service.ports) ? service.ports : []).map((port) => {
    const [host, container] = String(port).split(':');
    return [host ?? '', container ?? ''];
  });

/** `${NAME}`, `${NAME:-default}`, `${NAME:?message}` in a text. */
export const interpolatedVariables = (text: string): Set<string> =>
  new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)(?::?[-?][^}]*)?\}/g)].map((match) => match[1] ?? ''));

/** `value[key]` when it is a list, else an empty one. */
export const listAt = (value: unknown, key: string): unknown[] => {
  const found: unknown = isRecord(value) ? value[key] : undefined;
  return Array.isArray(found) ? (found as unknown[]) : [];
};
