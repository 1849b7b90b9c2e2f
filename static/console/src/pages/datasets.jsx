// Datasets: any CSV kept as a typed, versioned table beside the directory.
// Create one, upload a version, choose its column types from the preview, load
// it and follow it, see every version and restore an earlier one, and see what
// data-flow made of each.
import { useEffect, useState } from 'preact/hooks';
import { gql, upload } from '../api.js';
import { Link, navigate } from '../router.jsx';
import { ErrorNotice, Page, ProgressBar, StateBadge, When, announce, bytes, confirmAction, count, useLoad, usePoll } from '../ui.jsx';
import { FileField, UploadStatus, useUpload } from '../upload.jsx';

const VERSION_FIELDS = `id number state fileName sizeBytes rowsTotal rowsDone error restoredFrom submittedBy createdAt finishedAt
  columns { name type }
  preview { rows missingColumns warnings columns { name inferredType fits samples empty } }
  dataflow { state dagId runId attempts error }`;
const LIST = `{ datasets { id organisation dataset updatedAt currentVersion { number rowsTotal } } }`;
// The list of versions leaves out each one's preview: only the open version needs it.
const ONE = `query One($organisation: String!, $dataset: String!) {
  dataset(organisation: $organisation, dataset: $dataset) {
    id organisation dataset currentVersion { id } columns { name type }
    versions { id number state fileName rowsTotal error submittedBy createdAt dataflow { state } }
  }
}`;
const VERSION = `query Version($id: ID!) { datasetVersion(id: $id) { ${VERSION_FIELDS} } }`;
const CREATE = `mutation Create($organisation: String!, $dataset: String!) { createDataset(organisation: $organisation, dataset: $dataset) { organisation dataset } }`;
const UPLOAD = `mutation Upload($organisation: String!, $dataset: String!, $file: Upload!) { uploadDatasetVersion(organisation: $organisation, dataset: $dataset, file: $file) { id } }`;
const CONFIRM = `mutation Confirm($id: ID!, $columnTypes: [DatasetColumnTypeInput!]!) { confirmDatasetVersion(id: $id, columnTypes: $columnTypes) { id } }`;
const DISCARD = `mutation Discard($id: ID!) { discardDatasetVersion(id: $id) { id } }`;
const RESTORE = `mutation Restore($id: ID!) { restoreDatasetVersion(id: $id) { id } }`;
const BUSY = ['UPLOADED', 'PROCESSING'];

export function DatasetsPage({ viewer, settings, query }) {
  const organisation = query.get('organisation');
  const dataset = query.get('dataset');
  const version = query.get('version');
  const admin = viewer.role === 'ADMIN';
  let body;
  if (organisation && dataset) {
    body = <DatasetView key={`${organisation}/${dataset}/${version}`} organisation={organisation} dataset={dataset}
      versionId={version} admin={admin} role={viewer.role} settings={settings} />;
  } else {
    body = <DatasetList admin={admin} role={viewer.role} />;
  }
  return <Page title={organisation && dataset ? `Dataset ${organisation}/${dataset}` : 'Datasets'}>{body}</Page>;
}

function DatasetList({ admin, role }) {
  const [data, error, reload] = useLoad(() => gql(LIST), []);
  const [names, setNames] = useState({ organisation: '', dataset: '' });
  const [createError, setCreateError] = useState(null);
  const create = async (event) => {
    event.preventDefault();
    setCreateError(null);
    try {
      const made = (await gql(CREATE, names)).createDataset;
      announce(`Dataset ${made.organisation}/${made.dataset} created`);
      navigate('datasets', { organisation: made.organisation, dataset: made.dataset });
    } catch (failure) {
      setCreateError(failure);
    }
  };
  return (
    <div class="stack">
      <ErrorNotice error={error} onRetry={reload} role={role} />
      {data && !data.datasets.length && <p>No datasets yet.</p>}
      {data && data.datasets.length > 0 && (
        <div class="scroll" tabIndex={0} role="region" aria-label="Every dataset">
        <table class="list">
          <thead><tr><th scope="col">Dataset</th><th scope="col">Current version</th><th scope="col">Rows</th><th scope="col">Updated</th></tr></thead>
          <tbody>
            {data.datasets.map((d) => (
              <tr key={d.id}>
                <th scope="row"><Link page="datasets" query={{ organisation: d.organisation, dataset: d.dataset }}>{d.organisation}/{d.dataset}</Link></th>
                <td>{d.currentVersion ? d.currentVersion.number : 'none yet'}</td>
                <td>{d.currentVersion ? count(d.currentVersion.rowsTotal) : '—'}</td>
                <td><When at={d.updatedAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {admin ? (
        <form class="inline-form" onSubmit={create}>
          <h2>New dataset</h2>
          <div class="field"><label for="ds-org">Organisation</label><input id="ds-org" required value={names.organisation} onInput={(e) => setNames({ ...names, organisation: e.currentTarget.value })} /></div>
          <div class="field"><label for="ds-name">Dataset</label><input id="ds-name" required value={names.dataset} onInput={(e) => setNames({ ...names, dataset: e.currentTarget.value })} /></div>
          <button type="submit" class="primary">Create dataset</button>
          <ErrorNotice error={createError} role={role} />
        </form>
      ) : <p class="notice" role="status">Creating datasets and uploading versions need the <strong>admin</strong> role.</p>}
    </div>
  );
}

function DatasetView({ organisation, dataset, versionId, admin, role, settings }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  // Each poll waits for its answer, and a failed one keeps what is shown (and
  // any file being chosen or sent below) with the error beside it.
  const load = async () => {
    try {
      const answer = await gql(ONE, { organisation, dataset });
      setData(answer);
      setError(null);
      return answer.dataset?.versions.some((v) => BUSY.includes(v.state)) ?? false;
    } catch (failure) {
      setError(failure);
      throw failure;
    }
  };
  useEffect(() => { load().catch(() => {}); }, [organisation, dataset]);
  const found = data?.dataset;
  const busy = Boolean(found?.versions.some((v) => BUSY.includes(v.state)));
  usePoll(load, 1500, busy && !versionId && !error);
  const retry = () => { setError(null); load().catch(() => {}); };
  if (!data) return error ? <ErrorNotice error={error} onRetry={retry} role={role} /> : <p>Loading…</p>;
  if (!found) return <p>There is no dataset {organisation}/{dataset}. <Link page="datasets">All datasets</Link></p>;
  return (
    <div class="stack">
      <p><Link page="datasets">All datasets</Link></p>
      <ErrorNotice error={error} onRetry={retry} role={role} />
      {versionId
        ? <VersionView id={versionId} organisation={organisation} dataset={dataset} admin={admin} role={role} />
        : admin && <UploadVersion organisation={organisation} dataset={dataset} settings={settings} role={role} />}
      <h2>Columns of the current version</h2>
      {found.columns.length ? (
        <ul class="columns">{found.columns.map((c) => <li key={c.name}><code>{c.name}</code> {c.type.toLowerCase()}</li>)}</ul>
      ) : <p>No version has been loaded yet.</p>}
      <Versions versions={found.versions} currentId={found.currentVersion?.id} admin={admin} role={role}
        organisation={organisation} dataset={dataset} />
    </div>
  );
}

function UploadVersion({ organisation, dataset, settings, role }) {
  const file = useUpload(settings?.maxUploadBytes, async (chosen, onProgress) => {
    const data = await upload(UPLOAD, { organisation, dataset }, chosen, onProgress);
    announce(`${chosen.name} uploaded; checking every value`);
    navigate('datasets', { organisation, dataset, version: data.uploadDatasetVersion.id });
  });
  return (
    <form class="stack" onSubmit={file.submit} noValidate>
      <h2>Upload a new version</h2>
      <FileField id="dataset-file" label="CSV file" accept=".csv,text/csv" upload={file}
        help="The current version stays in service until the new one has loaded." />
      <UploadStatus upload={file} role={role} />
      <div class="actions"><button type="submit" class="primary" disabled={!file.ready}>Upload and preview</button></div>
    </form>
  );
}

function VersionView({ id, organisation, dataset, admin, role }) {
  const [version, setVersion] = useState(null);
  const [error, setError] = useState(null);
  const [polling, setPolling] = useState(true);
  const [types, setTypes] = useState({});
  const [acting, setActing] = useState(false);
  const [missing, setMissing] = useState(false);
  const load = async () => {
    try {
      const v = (await gql(VERSION, { id })).datasetVersion;
      if (!v) {
        setMissing(true);
        setPolling(false);
        return false;
      }
      setVersion((previous) => {
        if (previous && previous.state !== v.state) announce(`Version ${v.number} ${v.state.toLowerCase()}`);
        return v;
      });
      setError(null);
      const more = Boolean(v) && BUSY.includes(v.state);
      if (!more) setPolling(false);
      return more;
    } catch (failure) {
      setError(failure);
      setPolling(false);
      throw failure;
    }
  };
  usePoll(load, 1000, polling);
  useEffect(() => { load().catch(() => {}); }, [id]);
  /** Runs a mutation on this version; whether it was done. */
  const act = async (mutation, variables, done) => {
    setError(null);
    setActing(true);
    try {
      await gql(mutation, variables);
      announce(done);
      setPolling(true);
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setActing(false);
    }
  };
  if (missing) return <p>No version of this dataset has this id. <Link page="datasets" query={{ organisation, dataset }}>Back to the dataset</Link></p>;
  if (!version) return error ? <ErrorNotice error={error} onRetry={() => setPolling(true)} role={role} /> : <p>Loading the version…</p>;
  const preview = version.preview;
  const chosen = (column) => types[column.name] || column.inferredType;
  const confirm = () => act(CONFIRM, {
    id,
    columnTypes: (preview?.columns || []).filter((c) => chosen(c) !== c.inferredType).map((c) => ({ name: c.name, type: chosen(c) })),
  }, 'Loading the version');
  return (
    <section class="card" aria-labelledby="version-title">
      <h2 id="version-title">Version {version.number}: {version.fileName} <StateBadge state={version.state} /></h2>
      <p class="muted">{bytes(version.sizeBytes)}, uploaded <When at={version.createdAt} /> by {version.submittedBy || 'unknown'}.</p>
      <ErrorNotice error={error} onRetry={() => { setError(null); setPolling(true); }} role={role} />
      {version.state === 'PROCESSING' && <ProgressBar label="Loading rows" done={version.rowsDone} total={version.rowsTotal} />}
      {version.state === 'COMPLETED' && <ProgressBar label="Loaded" done={version.rowsTotal} total={version.rowsTotal || 1} />}
      {version.state === 'FAILED' && <div class="notice error" role="alert"><p>This version failed, and the current version is still served: {version.error}</p></div>}
      {version.dataflow && <p>Data-flow: <StateBadge state={version.dataflow.state} /> {version.dataflow.dagId} {version.dataflow.runId} {version.dataflow.error ? `: ${version.dataflow.error}` : ''}</p>}
      {preview && version.state === 'VERIFIED' && (
        <>
          <p>{count(preview.rows)} rows. Each column's type is the first that every value fits; choose another it also fits if you need.</p>
          {preview.missingColumns.length > 0 && (
            <div class="notice error" role="alert"><p>The current version has columns this file lacks: {preview.missingColumns.join(', ')}. Queries that use them will break.</p></div>
          )}
          {preview.warnings.map((w, i) => <p key={i} class="notice">{w}</p>)}
          <div class="scroll" tabIndex={0} role="region" aria-label="Columns of the new version">
            <table class="list">
              <thead><tr><th scope="col">Column</th><th scope="col">Type</th><th scope="col">Examples</th><th scope="col">Empty</th></tr></thead>
              <tbody>
                {preview.columns.map((c) => (
                  <tr key={c.name}>
                    <th scope="row"><code>{c.name}</code></th>
                    <td>
                      <label class="visually-hidden" for={`type-${c.name}`}>Type of {c.name}</label>
                      <select id={`type-${c.name}`} value={chosen(c)} disabled={!admin} onChange={(e) => setTypes({ ...types, [c.name]: e.currentTarget.value })}>
                        {c.fits.map((t) => <option key={t} value={t}>{t.toLowerCase()}</option>)}
                      </select>
                    </td>
                    <td>{c.samples.slice(0, 3).join(', ')}</td>
                    <td>{count(c.empty)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {admin && (
            <div class="actions">
              <button type="button" class="primary" onClick={confirm} disabled={acting}>Load this version</button>
              <button type="button" disabled={acting} onClick={async () => {
                if (await act(DISCARD, { id }, 'Discarded')) navigate('datasets', { organisation, dataset });
              }}>Discard</button>
            </div>
          )}
        </>
      )}
      {!BUSY.includes(version.state) && version.state !== 'VERIFIED' && (
        <p><Link page="datasets" query={{ organisation, dataset }}>Back to the dataset</Link></p>
      )}
    </section>
  );
}

function Versions({ versions, currentId, admin, role, organisation, dataset }) {
  const [error, setError] = useState(null);
  const restore = async (v) => {
    if (!confirmAction(`Load version ${v.number} (${v.fileName}) again as a new version? It replaces the current version once loaded.`)) return;
    setError(null);
    try {
      const made = (await gql(RESTORE, { id: v.id })).restoreDatasetVersion;
      announce(`Restoring version ${v.number}`);
      navigate('datasets', { organisation, dataset, version: made.id });
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <ErrorNotice error={error} role={role} />
      {!versions.length && <p>No versions yet.</p>}
      {versions.length > 0 && (
        <div class="scroll" tabIndex={0} role="region" aria-label="Every version, newest first">
          <table class="list">
            <thead><tr><th scope="col">Version</th><th scope="col">State</th><th scope="col">File</th><th scope="col">Rows</th><th scope="col">Uploaded</th><th scope="col">Data-flow</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id}>
                  <th scope="row"><Link page="datasets" query={{ organisation, dataset, version: v.id }}>{v.number}</Link>{v.id === currentId ? ' (current)' : ''}</th>
                  <td><StateBadge state={v.state} />{v.error ? <span class="muted"> {v.error}</span> : null}</td>
                  <td>{v.fileName}</td>
                  <td>{count(v.rowsTotal)}</td>
                  <td><When at={v.createdAt} /> {v.submittedBy || ''}</td>
                  <td>{v.dataflow ? <StateBadge state={v.dataflow.state} /> : '—'}</td>
                  <td>{admin && v.state === 'COMPLETED' && v.id !== currentId && (
                    <button type="button" onClick={() => restore(v)} aria-label={`Restore version ${v.number}`}>Restore</button>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
