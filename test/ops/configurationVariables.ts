import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryPath } from './composeFile.ts';

// The variables the service's configuration reads: every key of the environment codecs under
// src/infrastructure/config (`NAME: codec,`). Read from the source rather than imported, so that the
// check holds however the codecs are split and combined.

const folder = repositoryPath('src/infrastructure/config');

const declared = new Set(
  readdirSync(folder)
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) =>
      [...readFileSync(join(folder, file), 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]+): [a-zA-Z]/gm)].map((match) => match[1] ?? ''),
    ),
);

export const readsVariable = (name: string): boolean => declared.has(name);
