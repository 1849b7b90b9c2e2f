// Starts the console: reads its settings, finishes a sign-in when the provider
// has just sent the browser back here, then draws the page.
import { render } from 'preact';
import { App } from './app.jsx';
import { CALLBACK_PATH, completeSignIn, loadSettings } from './auth.js';

async function start() {
  let settings = null;
  let startupError = null;
  try {
    settings = await loadSettings();
    if (location.pathname === CALLBACK_PATH) {
      const next = await completeSignIn();
      history.replaceState(null, '', next);
    }
  } catch (error) {
    startupError = new Error(`sign-in failed: ${error.message || error}`);
    if (location.pathname === CALLBACK_PATH) history.replaceState(null, '', '/admin');
  }
  const root = document.getElementById('app');
  root.textContent = '';
  render(<App settings={settings} startupError={startupError} />, root);
}

start();
