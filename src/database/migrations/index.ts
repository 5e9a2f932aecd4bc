import { CreateUsers1764230400000 } from './1764230400000-create-users.js';
import { CreateSessions1764230500000 } from './1764230500000-create-sessions.js';
import { AddNameSkeleton1764900000000 } from './1764900000000-add-name-skeleton.js';
import { WidenNameKey1765000000000 } from './1765000000000-widen-name-key.js';
import { CreateSigningKeys1766000000000 } from './1766000000000-create-signing-keys.js';
import { AddRoles1767000000000 } from './1767000000000-add-roles.js';
import { CreateAuditEvents1767100000000 } from './1767100000000-create-audit-events.js';
import { CreateMfa1767900000000 } from './1767900000000-create-mfa.js';
import { AddMfaChallengeFailures1767910000000 } from './1767910000000-add-mfa-challenge-failures.js';
import { CreatePasskeys1768200000000 } from './1768200000000-create-passkeys.js';
import { AddTotpFailedAttempts1768300000000 } from './1768300000000-add-totp-failed-attempts.js';
import { AddUserEmail1768400000000 } from './1768400000000-add-user-email.js';
import { CreateMailOutbox1768410000000 } from './1768410000000-create-mail-outbox.js';
import { CreateLinkTokens1768420000000 } from './1768420000000-create-link-tokens.js';
import { AddPendingEmail1768430000000 } from './1768430000000-add-pending-email.js';

/** Every migration, oldest first. They run automatically at start-up. */
export const migrations = [
  CreateUsers1764230400000,
  CreateSessions1764230500000,
  AddNameSkeleton1764900000000,
  WidenNameKey1765000000000,
  CreateSigningKeys1766000000000,
  AddRoles1767000000000,
  CreateAuditEvents1767100000000,
  CreateMfa1767900000000,
  AddMfaChallengeFailures1767910000000,
  CreatePasskeys1768200000000,
  AddTotpFailedAttempts1768300000000,
  AddUserEmail1768400000000,
  CreateMailOutbox1768410000000,
  CreateLinkTokens1768420000000,
  AddPendingEmail1768430000000,
];
