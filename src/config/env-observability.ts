import { z } from 'zod';
import { integer } from './env-rules.js';

/** What the logs say and how they are written. */
export const loggingVariables = {
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).optional(),
};

/** How long the stored audit trail is kept. */
export const auditVariables = {
  // Days the stored audit trail (audit_events) keeps an event; older ones are pruned.
  AUDIT_RETENTION_DAYS: integer(90, 1, 36_500, 'a whole number of days'),
};
