import { session } from './session.js';

// The second step of a sign-in, shared by the login page and the sign-in link's page: the code of
// the authenticator app or a recovery code, posted to POST /login/mfa with the challenge the first
// step answered. Both pages hold the same #mfa-form markup.

const mfaForm = document.getElementById('mfa-form');
const mfaHint = document.getElementById('mfa-hint');
const mfaLabel = document.getElementById('mfa-code-label');
const mfaCode = document.getElementById('mfa-code');
const mfaButton = document.getElementById('mfa-button');
const mfaToggle = document.getElementById('mfa-toggle');
const mfaError = document.getElementById('mfa-error');
const mfaErrorText = document.getElementById('mfa-error-text');

/** Keeps the access token and goes home: the end of every successful sign-in. */
export function loggedIn(token) {
  session.save(token);
  location.assign('/');
}

/**
 * Wires the form once. `failureMessage(response)` words a refused answer as the page does;
 * `onSpent()` is called when the challenge itself is spent or expired (the server's answer ends
 * with "log in again"), after the form is hidden: the first step is the only way on.
 * Returns `show(mfaToken, methods)` and `hide()`.
 */
export function mfaStep({ failureMessage, onSpent }) {
  /** The pending step: the challenge's token and which kind of code is asked. */
  let mfa = null;

  function showMfaError(text) {
    mfaErrorText.textContent = text;
    mfaError.classList.remove('d-none');
  }

  function setMfaMode(mode) {
    mfa.mode = mode;
    const recovery = mode === 'recovery';
    mfaLabel.textContent = recovery ? 'Recovery code' : 'Authentication code';
    mfaHint.textContent = recovery
      ? (mfa.totpLocked ? 'Authentication codes are locked after too many wrong ones. ' : '') +
        'Enter one of your recovery codes (xxxxx-xxxxx). Each works once.'
      : 'Enter the 6-digit code from your authenticator app.';
    // While codes are locked (MFA_FAILURE_LIMIT) the server checks recovery codes only.
    mfaToggle.classList.toggle('d-none', mfa.totpLocked);
    mfaToggle.textContent = recovery ? 'Use an authentication code' : 'Use a recovery code';
    mfaCode.setAttribute('inputmode', recovery ? 'text' : 'numeric');
    mfaCode.setAttribute('autocomplete', recovery ? 'off' : 'one-time-code');
    mfaCode.value = '';
    mfaError.classList.add('d-none');
    mfaCode.focus();
  }

  function show(mfaToken, methods) {
    const totpLocked = Array.isArray(methods) && !methods.includes('totp');
    mfa = { token: mfaToken, mode: 'totp', totpLocked };
    mfaForm.classList.remove('d-none');
    setMfaMode(totpLocked ? 'recovery' : 'totp');
  }

  function hide() {
    mfa = null;
    mfaForm.classList.add('d-none');
  }

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
      // The server ends every answer that spends or refuses the mfaToken itself with "log in
      // again" (expired, used, too many wrong codes).
      if (response.status === 400 && /log in again$/.test(message)) {
        hide();
        onSpent();
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

  return { show, hide };
}
