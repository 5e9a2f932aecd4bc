import type { Server } from 'node:http';
import request from 'supertest';

export interface Pair {
  token: string;
  refreshToken: string;
  cookie: string;
}

/** An app's HTTP server in this process, or the URL of the built service in its own. */
export type Target = Server | string;

/** POST /login with nothing asserted: for the tests of a refusal. */
export const postLogin = (target: Target, name: string, password: string, userAgent = 'jest') =>
  request(target).post('/login').set('User-Agent', userAgent).send({ name, password });

/** Logs in over HTTP and returns the pair and the Set-Cookie the browser would keep. */
export async function login(
  target: Target,
  name: string,
  password: string,
  userAgent = 'jest',
): Promise<Pair> {
  return pairFrom(await postLogin(target, name, password, userAgent).expect(200));
}

/** Logs in (expecting 200) and returns the access token. */
export const tokenFor = async (target: Target, name: string, password: string) =>
  (await login(target, name, password)).token;

export function pairFrom(response: request.Response): Pair {
  const body = response.body as { token: string; refreshToken: string };
  const cookies = response.headers['set-cookie'] as unknown as string[] | undefined;
  return { token: body.token, refreshToken: body.refreshToken, cookie: cookies?.[0] ?? '' };
}

export const refresh = (server: Server, refreshToken: string) =>
  request(server).post('/refresh').send({ refreshToken });

export const getUser = (server: Server, token: string) =>
  request(server).get('/user').set('Authorization', `Bearer ${token}`);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
