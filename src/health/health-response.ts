import { NO_STORE } from '../docs/api-error-responses.decorator.js';

/** One check's entry in `info`, `error` and `details`. */
const CHECK = {
  type: 'object',
  required: ['status'],
  properties: {
    status: {
      type: 'string',
      enum: ['up', 'degraded', 'down', 'disabled'],
      description: '`degraded` still serves; `disabled`: not configured.',
    },
    message: { type: 'string', description: 'Why it is not `up`.' },
    responseTime: { type: 'integer', description: 'Milliseconds the check took.' },
  },
  additionalProperties: true,
};

const CHECKS = { type: 'object', additionalProperties: CHECK };

/**
 * @nestjs/terminus' result, kept for 200 and 503 alike (what health tooling reads), where every
 * other error of the API is `{statusCode, error, message}` (docs/api.md#health).
 */
const healthBody = (statuses: string[], example: object) => ({
  type: 'object',
  required: ['status', 'details'],
  properties: {
    status: { type: 'string', enum: statuses },
    info: { ...CHECKS, description: 'The checks that are `up`, `degraded` or `disabled`.' },
    error: { ...CHECKS, description: 'The checks that are `down`.' },
    details: { ...CHECKS, description: 'Every check.' },
  },
  example,
});

const READY = {
  database: { status: 'up', responseTime: 1 },
  migrations: { status: 'up', applied: 3, responseTime: 1 },
  redis: { status: 'disabled' },
};

export const LIVE_RESPONSE = {
  description: 'The process answers. No check of the database: a restart would not mend it.',
  schema: healthBody(['ok'], { status: 'ok', info: {}, error: {}, details: {} }),
  headers: NO_STORE,
};

export const READY_RESPONSE = {
  description:
    'Ready: the database answers and holds every migration of this release. `degraded` when Redis is ' +
    'unwell: still ready, its users fail open.',
  schema: healthBody(['ok', 'degraded'], { status: 'ok', info: READY, error: {}, details: READY }),
  headers: NO_STORE,
};

export const NOT_READY_RESPONSE = {
  description:
    'Not ready: `error` when the database does not answer within a second or misses a migration, ' +
    '`shutting_down` from SIGTERM until the process exits (SHUTDOWN_DELAY). No Retry-After.',
  schema: healthBody(['error', 'shutting_down'], {
    status: 'error',
    info: { database: READY.database, redis: READY.redis },
    error: { migrations: { status: 'down', message: 'pending: AddNameSkeleton1764900000000' } },
    details: { ...READY, migrations: { status: 'down', message: 'pending: AddNameSkeleton1764900000000' } },
  }),
  headers: NO_STORE,
};
