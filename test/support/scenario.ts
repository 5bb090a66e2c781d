import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Client } from './http.ts';

export const adminCredentials = { email: 'admin@fastflix.test', password: 'admin-password-1' };
export const adminEnvironment = { FASTFLIX_ADMIN_EMAIL: adminCredentials.email, FASTFLIX_ADMIN_PASSWORD: adminCredentials.password };

export interface SignedIn {
  readonly userId: string;
  readonly email: string;
  readonly password: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

export const uniqueEmail = (): string => `viewer-${randomUUID().slice(0, 8)}@fastflix.test`;

export const register = async (
  api: Client,
  email = uniqueEmail(),
  password = 'correct horse battery',
): Promise<{ userId: string; email: string; password: string }> => {
  const reply = await api.post('/auth/register', { email, password, displayName: 'A Viewer' });
  expect(reply.status, JSON.stringify(reply.body)).to.equal(201);
  return { userId: String(reply.body.userId), email, password };
};

export const logIn = async (api: Client, email: string, password: string): Promise<{ accessToken: string; refreshToken: string }> => {
  const reply = await api.post('/auth/login', { email, password });
  expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
  return { accessToken: String(reply.body.accessToken), refreshToken: String(reply.body.refreshToken) };
};

export const signUp = async (api: Client): Promise<SignedIn> => {
  const account = await register(api);
  return { ...account, ...(await logIn(api, account.email, account.password)) };
};

export const signInAsAdmin = async (api: Client): Promise<{ accessToken: string; refreshToken: string }> =>
  logIn(api, adminCredentials.email, adminCredentials.password);

export const newMovie = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  title: `Heat ${randomUUID().slice(0, 6)}`,
  year: 1995,
  genres: ['crime', 'thriller'],
  overview: 'A group of professional bank robbers start to feel the heat from police.',
  runtime: 170,
  externalIds: { tmdbId: 949, imdbId: 'tt0113277' },
  ...overrides,
});

export const addMovie = async (
  api: Client,
  adminToken: string,
  overrides: Record<string, unknown> = {},
): Promise<{ movieId: string; slug: string; position: string }> => {
  const reply = await api.post('/movies', newMovie(overrides), { token: adminToken });
  expect(reply.status, JSON.stringify(reply.body)).to.equal(201);
  return { movieId: String(reply.body.movieId), slug: String(reply.body.slug), position: String(reply.body.position) };
};
