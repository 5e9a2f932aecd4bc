import { errorMessage, session, tooManyMessage } from './session.js';

// The page a sign-in link opens: PUBLIC_URL/login-link#token=... The token rides in the fragment,
// so it never reaches a server log or a Referer; it is read once and cleared from the address bar
// and history, then posted. Opened without a token, the page asks for a link instead.

const status = document.getElementById('status');
const error = document.getElementById('error');
const errorText = document.getElementById('error-text');
const requestForm = document.getElementById('request-form');
const requestButton = document.getElementById('request-button');

const mfaForm = document.getElementById('mfa-form');
const mfaHint = document.getElementById('mfa-hint');
const mfaLabel = document.getElementById('mfa-code-label');
const mfaCode = document.getElementById('mfa-code');
const mfaButton = document.getElementById('mfa-button');
const mfaToggle = document.getElementById('mfa-toggle');
const mfaError = document.getElementById('mfa-error');
const mfaErrorText = document.getElementById('mfa-error-text');

/** The pending second step: the challenge POST /login/link answered, and which kind of code is asked. */
let mfa = null;

function showStatus(text) {
  status.textContent = text;
  status.classList.toggle('d-none', !text);
}

function showError(text) {
  errorText.textContent = text;
  error.classList.remove('d-none');
}

function showMfaError(text) {
  mfaErrorText.textContent = text;
  mfaError.classList.remove('d-none');
}

function loggedIn(token) {
  session.save(token);
  location.assign('/');
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

// As on the login page (login.js): the code of the authenticator app, or a recovery code.
function setMfaMode(mode) {
  mfa.mode = mode;
  const recovery = mode === 'recovery';
  mfaLabel.textContent = recovery ? 'Recovery code' : 'Authentication code';
  mfaHint.textContent = recovery
    ? (mfa.totpLocked ? 'Authentication codes are locked after too many wrong ones. ' : '') +
      'Enter one of your recovery codes (xxxxx-xxxxx). Each works once.'
    : 'Enter the 6-digit code from your authenticator app.';
  mfaToggle.classList.toggle('d-none', mfa.totpLocked);
  mfaToggle.textContent = recovery ? 'Use an authentication code' : 'Use a recovery code';
  mfaCode.setAttribute('inputmode', recovery ? 'text' : 'numeric');
  mfaCode.setAttribute('autocomplete', recovery ? 'off' : 'one-time-code');
  mfaCode.value = '';
  mfaError.classList.add('d-none');
  mfaCode.focus();
}

function showMfaStep(mfaToken, methods) {
  const totpLocked = Array.isArray(methods) && !methods.includes('totp');
  mfa = { token: mfaToken, mode: 'totp', totpLocked };
  showStatus('');
  mfaForm.classList.remove('d-none');
  setMfaMode(totpLocked ? 'recovery' : 'totp');
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

mfaToggle.addEventListener('click', () => setMfaMode(mfa.mode === 'totp' ? 'recovery' : 'totp'));
mfaCode.addEventListener('input', () => mfaError.classList.add('d-none'));

mfaForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  mfaError.classList.add('d-none');
  const value = mfaCode.value.trim();
  const code = value.replace(/\s/g, '');
  if (mfa.mode === 'totp' && !/^\d{6}$/.test(code)) {
    showMfaError('Enter the 6 digits your app shows.');
    return;
  }
  if (mfa.mode === 'recovery' && value === '') {
    showMfaError('Enter one of your recovery codes.');
    return;
  }
  mfaButton.disabled = true;
  try {
    const proof = mfa.mode === 'totp' ? { code } : { recoveryCode: value };
    const response = await fetch('/login/mfa?refreshToken=cookie', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ mfaToken: mfa.token, ...proof }),
    });
    if (response.ok) {
      loggedIn((await response.json()).token);
      return;
    }
    const message = await failureMessage(response);
    // The challenge itself is spent or expired ("log in again"): the link was spent too.
    if (response.status === 400 && /log in again$/.test(message)) {
      mfaForm.classList.add('d-none');
      linkFailed('Your sign-in timed out or had too many wrong codes. Ask for a new link below.');
      return;
    }
    showMfaError(
      response.status === 400 && mfa.mode === 'totp'
        ? 'That code is wrong or was already used. Wait for the next code and try again.'
        : response.status === 400
          ? 'That recovery code is wrong or was already used.'
          : message,
    );
    mfaCode.select();
  } catch {
    showMfaError('The server cannot be reached. Try again.');
  } finally {
    mfaButton.disabled = false;
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
