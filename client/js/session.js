// Where the pages keep the access token between page loads (the tutorial's choice).
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
