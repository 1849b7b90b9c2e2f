// The console's frame: sign-in, navigation, who is signed in and with what role,
// and the page for the current path.
import { useEffect, useState } from 'preact/hooks';
import { currentSession, onSessionChange, signIn, signOut } from './auth.js';
import { gql } from './api.js';
import { Link, useRoute } from './router.jsx';
import { ErrorNotice, Page, capitalise } from './ui.jsx';
import { Overview } from './pages/overview.jsx';
import { ImportPage } from './pages/import.jsx';
import { HistoryPage } from './pages/history.jsx';
import { IngestPage } from './pages/ingest.jsx';
import { RecordsPage } from './pages/records.jsx';
import { DatasetsPage } from './pages/datasets.jsx';

/** Pages, in menu order, with the least role that can use each. */
export const PAGES = [
  { page: 'overview', title: 'Overview', role: 'READER', view: Overview },
  { page: 'import', title: 'Import', role: 'ADMIN', view: ImportPage },
  { page: 'history', title: 'History', role: 'ADMIN', view: HistoryPage },
  { page: 'ingest', title: 'Ingest', role: 'ADMIN', view: IngestPage },
  { page: 'records', title: 'Records', role: 'READER', view: RecordsPage },
  { page: 'datasets', title: 'Datasets', role: 'EXPORTER', view: DatasetsPage },
];

const RANK = { ANONYMOUS: 0, READER: 1, EXPORTER: 2, ADMIN: 3 };
export const allows = (role, needed) => (RANK[role] ?? 0) >= RANK[needed];

function useSession() {
  const [session, setSession] = useState(currentSession);
  useEffect(() => onSessionChange(setSession), []);
  return session;
}

export function App({ settings, startupError }) {
  const session = useSession();
  const route = useRoute();
  const [viewer, setViewer] = useState(null);
  const [viewerError, setViewerError] = useState(null);
  const signedIn = Boolean(session?.accessToken || session?.expired);

  const [viewerTry, setViewerTry] = useState(0);
  useEffect(() => {
    if (!session?.accessToken || viewer) return;
    setViewerError(null);
    gql('{ viewer { subject role } }').then(({ viewer: v }) => setViewer(v), setViewerError);
  }, [session?.accessToken, viewerTry]);

  if (startupError) {
    return <Shell><ErrorNotice error={startupError} /><p><a href="/admin">Start again</a></p></Shell>;
  }
  if (!signedIn) return <Shell><SignIn settings={settings} /></Shell>;
  if (!viewer) {
    return <Shell>{viewerError ? <ErrorNotice error={viewerError} onRetry={() => setViewerTry((n) => n + 1)} /> : <p>Checking your role…</p>}</Shell>;
  }
  const entry = PAGES.find((p) => p.page === route.page);
  return (
    <Shell viewer={viewer} session={session} current={route.page}>
      {session?.expired && <Expired />}
      {!entry && <NotFound />}
      {entry && (allows(viewer.role, entry.role)
        ? <entry.view viewer={viewer} settings={settings} query={route.query} />
        : <Lacking entry={entry} viewer={viewer} />)}
    </Shell>
  );
}

function Shell({ viewer, session, current, children }) {
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <p class="brand"><Link page="overview">Signpost admin</Link></p>
        {viewer && (
          <nav aria-label="Console">
            <ul>
              {PAGES.map((p) => (
                <li key={p.page}>
                  <Link page={p.page} aria-current={p.page === current ? 'page' : undefined}>{p.title}</Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {viewer && (
          <div class="who">
            <span>{session?.user || viewer.subject} · <span class="role">{viewer.role.toLowerCase()}</span></span>
            <button type="button" class="link" onClick={() => signOut()}>Sign out</button>
          </div>
        )}
      </header>
      <main id="main">{children}</main>
      <div id="announcer" class="visually-hidden" aria-live="polite" aria-atomic="true" />
    </>
  );
}

function SignIn({ settings }) {
  const [error, setError] = useState(null);
  if (!settings?.issuer) {
    return (
      <section>
        <h1>Signpost admin</h1>
        <div class="notice" role="status">
          <p>Single sign-on is not configured on this server, so nobody can sign in here.</p>
          <p>Set <code>SIGNPOST_OIDC_ISSUER</code> and <code>SIGNPOST_OIDC_CLIENT_ID</code> (and the JWT settings for the same provider): see the README.</p>
        </div>
      </section>
    );
  }
  return (
    <section>
      <h1>Signpost admin</h1>
      <p>Sign in with your organisation's account to manage the directory.</p>
      <button type="button" class="primary" onClick={() => signIn().catch(setError)}>Sign in</button>
      <ErrorNotice error={error} />
    </section>
  );
}

function Expired() {
  const [error, setError] = useState(null);
  return (
    <div class="notice error" role="alert">
      <p>Your sign-in has expired. What is on this page is kept, but nothing more can be sent until you sign in again.</p>
      <button type="button" onClick={() => signIn().catch(setError)}>Sign in again</button>
      {error && <p>{capitalise(error.message)}</p>}
    </div>
  );
}

function Lacking({ entry, viewer }) {
  return (
    <Page title={entry.title}>
      <div class="notice" role="status">
        <p>
          You are signed in as <strong>{viewer.role.toLowerCase()}</strong>. {capitalise(entry.title)} needs
          the <strong>{entry.role.toLowerCase()}</strong> role: ask an administrator of your sign-in
          provider to grant it.
        </p>
      </div>
    </Page>
  );
}

function NotFound() {
  return (
    <Page title="Page not found">
      <p>There is no such page in the console. <Link page="overview">Go to the overview</Link>.</p>
    </Page>
  );
}
