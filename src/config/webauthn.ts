import { isIP } from 'node:net';

/**
 * The WebAuthn relying party (docs/passkeys.md): the domain passkeys are bound to, the origins the
 * pages are served from, and the name authenticators show. Checked at start-up, because a wrong
 * value does not fail there: every passkey ceremony would fail later, in the browser.
 */
export interface RelyingParty {
  id: string;
  /** Each one an origin (`scheme://host[:port]`), as browsers write it in clientDataJSON. */
  origins: string[];
  name: string;
}

/** A domain name of letters, digits and hyphens (no IP address, port or scheme), as RP IDs must be. */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Why `rpId` cannot be an RP ID, or undefined. */
export function rpIdProblem(rpId: string): string | undefined {
  if (isIP(rpId) !== 0) {
    // Browsers refuse an IP address as an RP ID: 127.0.0.1 is not localhost to WebAuthn.
    return 'must be a domain name, not an IP address (use localhost for local use)';
  }
  return DOMAIN.test(rpId) ? undefined : 'must be a lower-case domain name (no scheme, port or path)';
}

/** The origin `value` names, or why it cannot be one of an RP ID's: https, or http on localhost. */
export function parseOrigin(value: string, rpId: string): { origin: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'must be a list of URLs like https://auth.example.com' };
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') {
    return { problem: 'must be origins only (scheme, host and port; no path, query or credentials)' };
  }
  const local = url.hostname === 'localhost' || url.hostname.endsWith('.localhost');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    return { problem: 'must use https (http only on localhost)' };
  }
  if (url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`)) {
    return { problem: `must each be on WEBAUTHN_RP_ID (${rpId}) or a subdomain of it` };
  }
  return { origin: url.origin };
}

/** The relying party of a validated environment (env.schema.ts has checked every origin). */
export function relyingPartyOf(env: {
  WEBAUTHN_RP_ID: string;
  WEBAUTHN_ORIGIN: string;
  WEBAUTHN_RP_NAME: string;
}): RelyingParty {
  const origins = env.WEBAUTHN_ORIGIN.split(',').flatMap((value) => {
    const parsed = parseOrigin(value.trim(), env.WEBAUTHN_RP_ID);
    return 'origin' in parsed ? [parsed.origin] : [];
  });
  return { id: env.WEBAUTHN_RP_ID, origins, name: env.WEBAUTHN_RP_NAME };
}
