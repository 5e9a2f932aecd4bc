/**
 * Why a signed-in user proves themselves again: named on the audit line of a failed check and
 * of the change it allowed (docs/security.md#step-up).
 */
export type StepUpCheck = 'passkey_add' | 'totp_setup' | 'mfa_disable' | 'email_change';

/**
 * Proof, beyond the access token, that the caller is the account's owner: its current password,
 * and the body field that carried it (named in the 400 when it is wrong). An account without a
 * password (upstream sign-in, to come) will prove itself with one of its passkeys instead: a
 * second member of this union, checked in UsersService.proveStepUp, so no route changes.
 */
export type StepUpProof = { password: string; field: 'currentPassword' | 'password' };
