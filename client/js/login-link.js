import { loggedIn, mfaStep } from './mfa-step.js';
import { errorMessage, tooManyMessage } from './session.js';

// The page a sign-in link opens: PUBLIC_URL/login-link#token=... The token rides in the fragment,
// so it never reaches a server log or a Referer; it is read once and cleared from the address bar
// and history, then posted. Opened without a token, the page asks for a link instead.

const status = document.getElementById('status');
const error = document.getElementById('error');
const errorText = document.getElementById('error-text');
const requestForm = document.getElementById('request-form');
const requestButton = document.getElementById('request-button');

function showStatus(text) {
  status.textContent = text;
  status.classList.toggle('d-none', !text);
}

function showError(text) {
  errorText.textContent = text;
  error.classList.remove('d-none');
}

/** The link cannot be used (spent, expired, unknown): a new one is the way on. */
function linkFailed(text) {
  showStatus('');
  showError(text);
  requestForm.classList.remove('d-none');
}

async function failureMessage(response) {
  return response.status === 429 ? tooManyMessage(response) : errorMessage(response);
}

const mfa = mfaStep({
  failureMessage,
  // The challenge is spent or expired: the link was spent too.
  onSpent: () => linkFailed('Your sign-in timed out or had too many wrong codes. Ask for a new link below.'),
});

function showMfaStep(mfaToken, methods) {
  showStatus('');
  mfa.show(mfaToken, methods);
}

async function signIn(token) {
  showStatus('Signing you in…');
  try {
    const response = await fetch('/login/link?refreshToken=cookie', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    if (response.ok) {
      const answer = await response.json();
      if (answer.mfaRequired === true) {
        showMfaStep(answer.mfaToken, answer.methods);
      } else {
        loggedIn(answer.token);
      }
      return;
    }
    if (response.status === 400) {
      linkFailed('This sign-in link is invalid, used or expired. Ask for a new one below.');
    } else if (response.status === 404) {
      linkFailed('Sign-in links are not enabled on this server. Sign in with your password.');
      requestForm.classList.add('d-none');
    } else {
      linkFailed(await failureMessage(response));
    }
  } catch {
    linkFailed('The server cannot be reached. Open the link again.');
  }
}

requestForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.classList.add('d-none');
  const email = document.getElementById('email').value.trim();
  if (!email) {
    showError('Enter your email address.');
    return;
  }
  requestButton.disabled = true;
  try {
    const response = await fetch('/login/email', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    if (response.status === 202) {
      requestForm.classList.add('d-none');
      showStatus((await response.json()).message);
      return;
    }
    showError(
      response.status === 404
        ? 'Sign-in links are not enabled on this server. Sign in with your password.'
        : await failureMessage(response),
    );
  } catch {
    showError('The server cannot be reached. Try again.');
  } finally {
    requestButton.disabled = false;
  }
});

/** The token in the address, if any, taken out of the address bar and the history at once. */
function takeToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash) {
    // A token left on screen or in the history is a secret left behind.
    history.replaceState(null, '', location.pathname + location.search);
  }
  return token;
}

const token = takeToken();
if (token) {
  void signIn(token);
} else {
  requestForm.classList.remove('d-none');
  document.getElementById('email').focus();
}
// A link opened in the tab that already shows this page changes only the fragment.
window.addEventListener('hashchange', () => {
  const next = takeToken();
  if (next) {
    error.classList.add('d-none');
    requestForm.classList.add('d-none');
    void signIn(next);
  }
});
