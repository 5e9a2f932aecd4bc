import { errorMessage, session } from './session.js';

const form = document.getElementById('login-form');
const button = document.getElementById('login-button');
const error = document.getElementById('error');
const errorText = document.getElementById('error-text');

function showError(text) {
  errorText.textContent = text;
  error.classList.remove('d-none');
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.classList.add('d-none');
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
      const { token } = await response.json();
      session.save(token);
      location.assign('/');
      return;
    }
    showError(
      response.status === 400 ? await errorMessage(response) : `Error: ${await errorMessage(response)}`,
    );
  } catch {
    showError('The server cannot be reached. Try again.');
  } finally {
    button.disabled = false;
  }
});
