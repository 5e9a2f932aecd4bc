// Forged tokens against the default, ES256: confusion attacks with the public key among them.
process.env.LOGIN_RATE_LIMIT = '1000000';
process.env.LOGIN_FAILURE_LIMIT = '1000000';
process.env.JWT_ALGORITHM = 'ES256';

import { describeForgedTokens } from '../support/forged-token-suite.js';

describeForgedTokens('ES256');
