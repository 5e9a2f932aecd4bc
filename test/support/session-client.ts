import type { Server } from 'node:http';
import request from 'supertest';

export interface Pair {
  token: string;
  refreshToken: string;
  cookie: string;
}

/** Logs in over HTTP and returns the pair and the Set-Cookie the browser would keep. */
export async function login(
  server: Server,
  name: string,
  password: string,
  userAgent = 'jest',
): Promise<Pair> {
  const response = await request(server)
    .post('/login')
    .set('User-Agent', userAgent)
    .send({ name, password })
    .expect(200);
  return pairFrom(response);
}

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
