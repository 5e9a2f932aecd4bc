// Shared by the account pages (forgot password, reset, verify, sign-up, the login page's links).

/**
 * The token of a mailed link (`#token=...`), taken off the address bar at once: the fragment
 * never reaches the server, and after replaceState it is not left in the history either.
 */
export function takeLinkToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash !== '') {
    history.replaceState(null, '', location.pathname + location.search);
  }
  return token !== null && /^[A-Za-z0-9_-]{1,128}$/.test(token) ? token : null;
}

/** What the service offers the pages (GET /pages/config); nothing offered when it cannot be read. */
export async function pagesConfig() {
  try {
    const response = await fetch('/pages/config');
    if (response.ok) {
      return await response.json();
    }
  } catch {
    // fall through: offer nothing optional
  }
  return { signUp: false, signUpRequiresEmail: false, mail: false };
}

/** POSTs `body` as JSON (no token: these routes are public). */
export function postJson(url, body) {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Shows `text` in the alert `box` (a `.d-none` wrapper holding `[role=alert]`), or hides it. */
export function showAlert(box, text) {
  box.querySelector('[role="alert"]').textContent = text ?? '';
  box.classList.toggle('d-none', text === undefined);
}

/** The password rule of the service (docs/api.md): at least 8 characters (code points). */
export const PASSWORD_MIN_LENGTH = 8;
export const longEnough = (password) => [...password].length >= PASSWORD_MIN_LENGTH;
