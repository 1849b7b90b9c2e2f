// Pieces every page uses: headings that take focus, announcements for screen
// readers, dates in the reader's locale, errors that say what to do next.
import { useEffect, useRef, useState } from 'preact/hooks';
import { currentSession, signIn } from './auth.js';

/** A page: its heading takes focus when the page opens, so keyboard and screen
 * reader users start there, and the document title follows it. */
export function Page({ title, children }) {
  const heading = useRef(null);
  // Every navigation, also between two pages of the same title (an import and
  // the import that applied it), starts at the heading.
  const here = location.pathname + location.search;
  useEffect(() => {
    document.title = `${title} · Signpost admin`;
    heading.current?.focus();
  }, [title, here]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1} ref={heading}>{title}</h1>
      {children}
    </section>
  );
}

let announcer = null;
/** Says `text` to screen readers through the page's polite live region. */
export function announce(text) {
  if (!announcer) announcer = document.getElementById('announcer');
  if (!announcer) return;
  announcer.textContent = '';
  setTimeout(() => { announcer.textContent = text; }, 50);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const number = new Intl.NumberFormat();

/** A timestamp in the reader's locale and time zone. */
export function When({ at }) {
  if (!at) return <span class="muted">—</span>;
  const date = new Date(at);
  return <time dateTime={date.toISOString()}>{dateTime.format(date)}</time>;
}

export function formatDay(day) {
  return dateOnly.format(new Date(`${day}T00:00:00Z`));
}

export function count(n) {
  return number.format(n ?? 0);
}

export function bytes(n) {
  if (n == null) return '—';
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** An error, with the way forward its kind allows. */
export function ErrorNotice({ error, onRetry, role }) {
  const [signInError, setSignInError] = useState(null);
  if (!error) return null;
  // The banner at the top says the sign-in expired, once for the whole page.
  if (error.kind === 'auth' && currentSession()?.expired) return null;
  const retryable = (error.kind === 'network' || error.kind === 'server') && onRetry;
  let help = null;
  if (retryable) {
    help = <button type="button" onClick={onRetry}>Try again</button>;
  } else if (error.kind === 'auth') {
    help = <button type="button" onClick={() => signIn().catch(setSignInError)}>Sign in again</button>;
  } else if (error.kind === 'forbidden') {
    help = <span> You are signed in as <strong>{(role || 'anonymous').toLowerCase()}</strong>.</span>;
  }
  return (
    <div class="notice error" role="alert">
      <p>{capitalise(error.message)}{error.kind === 'network' && onRetry ? ': nothing was lost.' : ''}</p>
      {help}
      {signInError && <p>{capitalise(signInError.message)}</p>}
    </div>
  );
}

export function capitalise(text) {
  const s = String(text ?? '');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A labelled progress bar that also says its percentage in words. */
export function ProgressBar({ label, done, total }) {
  const known = total > 0;
  const percent = known ? Math.min(100, Math.floor((done / total) * 100)) : null;
  return (
    <div class="progress">
      <label>
        <span>{label}{known ? `: ${percent}%` : ''}</span>
        <progress max={known ? total : undefined} value={known ? done : undefined} aria-valuetext={known ? `${percent}% (${count(done)} of ${count(total)})` : 'starting'} />
      </label>
      {known && <span class="muted">{count(done)} of {count(total)} rows</span>}
    </div>
  );
}

/** Loads `load()` when `deps` change; `[data, error, reload]`. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ data: s.data, error: null }));
    load().then(
      (data) => live && setState({ data, error: null }),
      (error) => live && setState({ data: null, error }),
    );
    return () => { live = false; };
  }, [...deps, tick]);
  return [state.data, state.error, () => setTick((t) => t + 1)];
}

/** Calls `step()` every `ms` while `active`, stopping on the first error. */
export function usePoll(step, ms, active) {
  const saved = useRef(step);
  saved.current = step;
  useEffect(() => {
    if (!active) return undefined;
    let timer = null;
    let live = true;
    const tick = async () => {
      try {
        const more = await saved.current();
        if (live && more !== false) timer = setTimeout(tick, ms);
      } catch { /* the step shows its own error */ }
    };
    timer = setTimeout(tick, ms);
    return () => { live = false; clearTimeout(timer); };
  }, [active, ms]);
}

export function StateBadge({ state }) {
  const text = String(state || '').toLowerCase().replace(/_/g, ' ');
  return <span class={`badge state-${text.replace(/ /g, '-')}`}>{text}</span>;
}

/** Every problem of an import: file, row and column, message. */
export function Problems({ title, problems, kind }) {
  if (!problems?.length) return null;
  return (
    <div class={`problems ${kind}`}>
      <h3>{title} ({problems.length})</h3>
      <div class="scroll" tabIndex={0} role="region" aria-label={title}>
      <table>
        <thead><tr><th scope="col">File</th><th scope="col">Row</th><th scope="col">Column</th><th scope="col">Message</th></tr></thead>
        <tbody>
          {problems.map((p, i) => (
            <tr key={i}><td>{p.file || '—'}</td><td>{p.row ?? '—'}</td><td>{p.column || '—'}</td><td>{p.message}</td></tr>
          ))}
        </tbody>
      </table>
      </div>
    </div>
  );
}

/** Asks before something that cannot be undone with a click. */
export function confirmAction(text) {
  // The browser's own dialog: modal, keyboard-operable and announced everywhere.
  return window.confirm(text);
}
