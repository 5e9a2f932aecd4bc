import { DomainError } from '../common/errors/domain-error.js';

/**
 * No key can sign at this moment (a revocation or a secret change left none usable, until the
 * next is read): a 503, answered like every 5xx without its message.
 */
export class NoSignerError extends DomainError {
  readonly code = 'no_signer';
  readonly status = 503;
  override readonly expose = false;

  constructor() {
    super('no signing key can sign now; retry in a moment');
  }
}
