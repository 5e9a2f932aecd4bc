// The access token is kept in localStorage between page loads (the tutorial's choice); it lives
// 15 minutes. The refresh token never reaches this script: the server keeps it in an HttpOnly
// cookie that only POST /refresh receives (`?refreshToken=cookie` leaves it out of the body).
const TOKEN_KEY = 'token';

export const session = {
  get token() {
    return localStorage.getItem(TOKEN_KEY);
  },
  save(token) {
    localStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    localStorage.removeItem(TOKEN_KEY);
  },
};

/**
 * Trades the refresh cookie for a new access token; false when the session is over. The JSON body
 * `{}` is required: the server refuses a body-less refresh, which another origin could send.
 */
export async function renew() {
  const response = await fetch('/refresh?refreshToken=cookie', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });
  if (!response.ok) {
    session.clear();
    return false;
  }
  session.save((await response.json()).token);
  return true;
}

/**
 * fetch() with the access token; on a 401 it renews the token once, silently, and retries.
 * A second 401 is returned to the caller (the session is over).
 */
export async function authorizedFetch(url, options = {}) {
  const send = () =>
    fetch(url, { ...options, headers: { ...options.headers, Authorization: `Bearer ${session.token}` } });
  if (session.token) {
    const response = await send();
    if (response.status !== 401) {
      return response;
    }
  }
  return (await renew()) ? send() : new Response(null, { status: 401 });
}

/** A 429's wait, from Retry-After (seconds). */
export function tooManyMessage(response) {
  const seconds = Number(response.headers.get('Retry-After'));
  const wait = Number.isFinite(seconds) && seconds > 0 ? ` Try again in ${seconds} s.` : ' Try again later.';
  return `Too many attempts.${wait}`;
}

/** What to tell the reader of a failed call: the wait of a 429, else the server's message. */
export async function failureMessage(response) {
  return response.status === 429 ? tooManyMessage(response) : errorMessage(response);
}

/** The server's error message, or the status line when the body is not ours. */
export async function errorMessage(response) {
  try {
    const body = await response.json();
    if (typeof body.message === 'string') {
      return body.message;
    }
  } catch {
    // not JSON: fall through
  }
  return `${response.status} ${response.statusText}`;
}
