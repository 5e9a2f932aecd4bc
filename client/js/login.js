import { pagesConfig, postJson } from './account-pages.js';
import { loggedIn, mfaStep } from './mfa-step.js';
import { errorMessage, tooManyMessage } from './session.js';

const form = document.getElementById('login-form');
const button = document.getElementById('login-button');
const error = document.getElementById('error');
const errorText = document.getElementById('error-text');

function showError(text) {
  errorText.textContent = text;
  error.classList.remove('d-none');
}

async function failureMessage(response) {
  if (response.status === 429) {
    return tooManyMessage(response);
  }
  return response.status === 400 ? errorMessage(response) : `Error: ${await errorMessage(response)}`;
}

const mfa = mfaStep({
  failureMessage,
  onSpent: () =>
    showPasswordStep('Your sign-in timed out or had too many wrong codes. Enter your password again.'),
});

function showMfaStep(mfaToken, methods) {
  form.classList.add('d-none');
  mfa.show(mfaToken, methods);
}

/** Back to the name and password, with `message` when the second step cannot go on. */
function showPasswordStep(message) {
  mfa.hide();
  form.classList.remove('d-none');
  document.getElementById('password').value = '';
  error.classList.add('d-none');
  if (message) {
    showError(message);
  }
  document.getElementById('password').focus();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.classList.add('d-none');
  unverified.classList.add('d-none');
  const name = document.getElementById('name').value;
  const password = document.getElementById('password').value;
  if (!name || !password) {
    showError('Enter your user name and password.');
    return;
  }
  button.disabled = true;
  try {
    const response = await fetch('/login?refreshToken=cookie', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, password }),
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
    const message = await failureMessage(response);
    // EMAIL_VERIFICATION_REQUIRED: the right password of an account whose address is unconfirmed.
    if (response.status === 403 && message.includes('email address not verified')) {
      showUnverified(name);
      return;
    }
    showError(message);
  } catch {
    showError('The server cannot be reached. Try again.');
  } finally {
    button.disabled = false;
  }
});

// An unconfirmed address: say so plainly, and offer a new link (POST /email/verify/resend).
const unverified = document.getElementById('unverified');
const resendButton = document.getElementById('resend-button');
const resendStatus = document.getElementById('resend-status');
let unverifiedName = null;

function showUnverified(name) {
  unverifiedName = name;
  showError('Confirm your email address first: open the link we mailed to it, then log in.');
  resendStatus.classList.add('d-none');
  unverified.classList.remove('d-none');
}

resendButton.addEventListener('click', async () => {
  resendButton.disabled = true;
  try {
    const response = await postJson('/email/verify/resend', { name: unverifiedName });
    resendStatus.textContent = response.ok
      ? 'A new link is on its way. Check your mail.'
      : await failureMessage(response);
  } catch {
    resendStatus.textContent = 'The server cannot be reached. Try again.';
  } finally {
    resendStatus.classList.remove('d-none');
    resendButton.disabled = false;
  }
});

// A passkey sign-in: options from the server, the browser's ceremony (the authenticator offers
// this site's passkeys: no name typed), the signed answer back. A passkey is both factors, so
// the answer is the same as a password login's without a second step.
const passkeyButton = document.getElementById('passkey-button');

/** What to say when the browser's ceremony throws: cancelled, timed out, or unsupported. */
function ceremonyMessage(failure) {
  if (failure?.name === 'NotAllowedError' || failure?.name === 'AbortError') {
    return 'The passkey sign-in was cancelled or timed out. Try again, or use your password.';
  }
  return `Your browser could not use a passkey${failure?.message ? `: ${failure.message}` : '.'}`;
}

async function signInWithPasskey() {
  error.classList.add('d-none');
  passkeyButton.disabled = true;
  try {
    const optionsResponse = await fetch('/login/passkey/options', { method: 'POST' });
    if (!optionsResponse.ok) {
      showError(await failureMessage(optionsResponse));
      return;
    }
    const { challengeId, options } = await optionsResponse.json();
    let answer;
    try {
      answer = await window.SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: options });
    } catch (failure) {
      showError(ceremonyMessage(failure));
      return;
    }
    const response = await fetch('/login/passkey?refreshToken=cookie', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ challengeId, response: answer }),
    });
    if (response.ok) {
      loggedIn((await response.json()).token);
      return;
    }
    showError(
      response.status === 401
        ? 'That passkey was not accepted. It may have been removed: use your password.'
        : await failureMessage(response),
    );
  } catch {
    showError('The server cannot be reached. Try again.');
  } finally {
    passkeyButton.disabled = false;
  }
}

// Shown only where WebAuthn exists (and its script loaded): elsewhere the button could only fail.
if (window.PublicKeyCredential && window.SimpleWebAuthnBrowser) {
  document.getElementById('passkey-login').classList.remove('d-none');
  passkeyButton.addEventListener('click', () => void signInWithPasskey());
}

document.getElementById('mfa-cancel').addEventListener('click', () => showPasswordStep());

// "Forgot password?" only where mail is on (the reset routes exist), "Create an account" only
// where sign-up is (SIGNUP_ENABLED): the service says which (GET /pages/config).
void pagesConfig().then((config) => {
  document.getElementById('forgot-link').classList.toggle('d-none', !config.mail);
  document.getElementById('signup-link').classList.toggle('d-none', !config.signUp);
});
