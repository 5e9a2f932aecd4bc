import { isIP } from 'node:net';
import { z } from 'zod';
import { flag, integer, seconds, wholeNumber } from './env-rules.js';

/** The process and its listeners. */
export const serverVariables = {
  NODE_ENV: z
    .enum(['development', 'production', 'test'], {
      error: 'must be development, production or test',
    })
    .default('development'),
  PORT: integer(3000, 0, 65_535, 'a port number'),
  HOST: z.string().trim().min(1, 'must not be empty').optional(),
  // Unset: no metrics listener. Set: GET /metrics on this port of HOST (docs/metrics.md).
  METRICS_PORT: wholeNumber(1, 65_535, 'a port number').optional(),
};

/** Which optional routes are served. */
export const routeVariables = {
  SIGNUP_ENABLED: flag(),
  // With sign-up on: POST /users refuses a body without `email` (docs/email.md#sign-up).
  SIGNUP_REQUIRE_EMAIL: flag(),
  DOCS_ENABLED: flag(),
};

/** How long a request may take, and how a shutdown drains. */
export const lifecycleVariables = {
  HTTP_REQUEST_TIMEOUT: seconds(15, 1, 600),
  // Unset: the default depends on NODE_ENV (shutdownDelayOf).
  SHUTDOWN_DELAY: wholeNumber(0, 300, 'a whole number of seconds').optional(),
};

/** An IP address or a CIDR range (10.0.0.0/8, fd00::/8). */
function isProxyAddress(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) {
    return false;
  }
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/** The proxies whose forwarded headers are believed. */
export const proxyVariables = {
  // Parsed into the list Fastify's trustProxy takes.
  TRUST_PROXY: z
    .string()
    .transform((value) => value.split(',').map((proxy) => proxy.trim()))
    .refine(
      (proxies) => proxies.every(isProxyAddress),
      'must be a comma-separated list of IP addresses or CIDR ranges',
    )
    .optional(),
};
