import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A secret generated once and kept under the data directory, so that development restarts keep
 * sessions valid without anyone choosing a secret. Production never comes here (see `loadConfig`).
 */
export const generatedSecret = async (dataDir: string, name: string): Promise<string> => {
  const file = join(dataDir, name);
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return existing;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const created = randomBytes(48).toString('base64url');
  await writeFile(file, `${created}\n`, { mode: 0o600 });
  return created;
};

export const isNotFound = (error: unknown): boolean => error instanceof Error && 'code' in error && error.code === 'ENOENT';
