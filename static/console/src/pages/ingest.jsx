// Ingest: the configured sources, when each runs, its last run; run one now
// (or force it to load every stored file again), and follow its runs and the
// files each registered. A failed file can be ignored so later runs skip it.
import { useRef, useState } from 'preact/hooks';
import { gql } from '../api.js';
import { ErrorNotice, Page, StateBadge, When, announce, bytes, count, useLoad, usePoll } from '../ui.jsx';

const RUN_FIELDS = `id source trigger state force filesSeen filesFetched filesLoaded filesFailed
  errorMessage warnings startedAt finishedAt
  files { id fileName state sizeBytes rowsLoaded errorMessage processedAt }
  dataflow { state dagId runId error }`;
const SOURCES = `{ ingestSources { name loader listing schedule lastRun { id state startedAt finishedAt } } }`;
const RUNS = `query Runs($source: String) { ingestRuns(first: 10, filter: { source: $source }) { nodes { ${RUN_FIELDS} } } }`;
const TRIGGER = `mutation Trigger($source: String!, $force: Boolean!) { triggerIngest(source: $source, force: $force) { id state } }`;
const IGNORE = `mutation Ignore($id: ID!, $ignored: Boolean!) { ignoreDataFile(id: $id, ignored: $ignored) { id state } }`;
const ACTIVE = ['QUEUED', 'RUNNING'];

export function IngestPage({ viewer }) {
  const [sources, error, reload] = useLoad(() => gql(SOURCES), []);
  return (
    <Page title="Ingest">
      <p>Sources fetch files from other systems into the object store; each new file is loaded once.</p>
      <ErrorNotice error={error} onRetry={reload} role={viewer.role} />
      {sources && !sources.ingestSources.length && (
        <p class="notice" role="status">No ingest source is configured. Sources are <code>[[ingest.sources]]</code> in the server's configuration file (see the README).</p>
      )}
      {sources?.ingestSources.map((source) => <Source key={source.name} source={source} role={viewer.role} onRun={reload} />)}
    </Page>
  );
}

function Source({ source, role, onRun }) {
  const [runs, setRuns] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const active = !runs || runs.some((run) => ACTIVE.includes(run.state));
  const wasActive = useRef(false);

  const load = async () => {
    try {
      const data = await gql(RUNS, { source: source.name });
      const nodes = data.ingestRuns.nodes;
      setRuns((previous) => {
        const before = previous?.[0];
        const now = nodes[0];
        if (before && now && before.id === now.id && before.state !== now.state) {
          announce(`${source.name}: run ${now.state.toLowerCase().replace(/_/g, ' ')}`);
        }
        return nodes;
      });
      setError(null);
      const running = nodes.some((run) => ACTIVE.includes(run.state));
      // A run just ended: the source's "last run" changed too.
      if (wasActive.current && !running) onRun?.();
      wasActive.current = running;
      return running;
    } catch (failure) {
      setError(failure);
      throw failure;
    }
  };
  usePoll(load, runs ? 1000 : 10, active && !error);

  const trigger = async (force) => {
    setBusy(true);
    setError(null);
    try {
      await gql(TRIGGER, { source: source.name, force });
      announce(`${source.name}: run queued`);
      wasActive.current = true;
      await load();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const ignore = async (file, ignored) => {
    setError(null);
    try {
      await gql(IGNORE, { id: file.id, ignored });
      announce(ignored ? `${file.fileName} will not be loaded` : `${file.fileName} will be loaded by the next run`);
      await load();
    } catch (failure) {
      setError(failure);
    }
  };

  const headingId = `source-${source.name}`;
  return (
    <section class="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{source.name}</h2>
      <dl class="facts">
        <div><dt>Loads</dt><dd>{source.loader}</dd></div>
        <div><dt>From</dt><dd class="wrap">{source.listing}</dd></div>
        <div><dt>Schedule</dt><dd>{source.schedule ? <code>{source.schedule}</code> : 'only when run from here, the API or the CLI'}{source.schedule ? ' (UTC)' : ''}</dd></div>
        <div><dt>Last run</dt><dd>{source.lastRun ? <><StateBadge state={source.lastRun.state} /> <When at={source.lastRun.startedAt} /></> : 'never'}</dd></div>
      </dl>
      <div class="actions">
        <button type="button" class="primary" disabled={busy} onClick={() => trigger(false)} aria-label={`Run now (${source.name})`}>Run now</button>
        <button type="button" disabled={busy} onClick={() => trigger(true)} aria-label={`Run now and load every file again (${source.name})`}>Run now and load every file again</button>
      </div>
      <ErrorNotice error={error} onRetry={() => { setError(null); load().catch(() => {}); }} role={role} />
      <h3>Runs</h3>
      {runs && !runs.length && <p>No runs yet.</p>}
      {runs?.map((run) => <Run key={run.id} run={run} onIgnore={ignore} />)}
    </section>
  );
}

function Run({ run, onIgnore }) {
  return (
    <details class="run" open={ACTIVE.includes(run.state) || run.state !== 'COMPLETED'}>
      <summary>
        <When at={run.startedAt} /> <StateBadge state={run.state} /> {count(run.filesLoaded)} loaded, {count(run.filesFailed)} failed of {count(run.filesSeen)} listed
        {run.force ? ' (forced)' : ''} · {run.trigger}
      </summary>
      {run.errorMessage && <p class="notice error">{run.errorMessage}</p>}
      {run.warnings.length > 0 && <ul class="warnings">{run.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>}
      {run.dataflow && <p>Data-flow: <StateBadge state={run.dataflow.state} /> {run.dataflow.dagId} {run.dataflow.runId}{run.dataflow.error ? `: ${run.dataflow.error}` : ''}</p>}
      {run.files.length > 0 ? (
        <div class="scroll" tabIndex={0} role="region" aria-label={`Files of the run started ${new Date(run.startedAt).toLocaleString()}`}>
          <table class="list">
            <thead><tr><th scope="col">File</th><th scope="col">State</th><th scope="col">Size</th><th scope="col">Rows loaded</th><th scope="col">Error</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              {run.files.map((file) => (
                <tr key={file.id}>
                  <th scope="row">{file.fileName}</th>
                  <td><StateBadge state={file.state} /></td>
                  <td>{bytes(file.sizeBytes)}</td>
                  <td>{count(file.rowsLoaded)}</td>
                  <td>{file.errorMessage || ''}</td>
                  <td>
                    {file.state === 'FAILED' && <button type="button" onClick={() => onIgnore(file, true)} aria-label={`Ignore ${file.fileName}`}>Ignore</button>}
                    {file.state === 'IGNORED' && <button type="button" onClick={() => onIgnore(file, false)} aria-label={`Load again: ${file.fileName}`}>Load again</button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <p class="muted">No files.</p>}
    </details>
  );
}
