// Import: choose a file, see what it would do (a dry run), apply it or discard
// it, and follow it to the end. The import's id is in the address (`?import=`),
// so a reload or a lost connection resumes the same import instead of sending
// the file again, and applying is idempotent on the server (`confirmImport`).
import { useEffect, useState } from 'preact/hooks';
import { gql, upload } from '../api.js';
import { Link, navigate } from '../router.jsx';
import { ErrorNotice, Page, Problems, ProgressBar, StateBadge, When, announce, bytes, count, usePoll } from '../ui.jsx';
import { FileField, UploadStatus, useUpload } from '../upload.jsx';
import { IMPORT_FIELDS, RECORD_TYPES, RUNNING, typeLabel } from './imports.js';

const IMPORT = `query Import($id: ID!) { import(id: $id) { ${IMPORT_FIELDS} } }`;
const CHECK = `mutation Check($file: Upload!, $recordType: RecordType, $mode: ImportMode, $publish: Boolean, $strict: Boolean, $force: Boolean) {
  importCsv(file: $file, recordType: $recordType, mode: $mode, publish: $publish, strict: $strict, force: $force, dryRun: true) { id }
}`;
const CONFIRM = `mutation Confirm($id: ID!) { confirmImport(id: $id) { id } }`;

export function ImportPage({ viewer, settings, query }) {
  const id = query.get('import');
  return (
    <Page title={id ? 'Import' : 'Import a file'}>
      {id ? <ImportView id={id} role={viewer.role} key={id} /> : <UploadForm settings={settings} role={viewer.role} />}
    </Page>
  );
}

function UploadForm({ settings, role }) {
  const [recordType, setRecordType] = useState('');
  const [mode, setMode] = useState('UPSERT');
  const [publish, setPublish] = useState(false);
  const [strict, setStrict] = useState(false);
  const [force, setForce] = useState(false);
  const file = useUpload(settings?.maxUploadBytes, async (chosen, onProgress) => {
    const variables = { recordType: recordType || null, mode, publish, strict, force: mode === 'REPLACE' && force };
    const data = await upload(CHECK, variables, chosen, onProgress);
    announce(`${chosen.name} uploaded; checking every row`);
    navigate('import', { import: data.importCsv.id });
  });

  return (
    <form class="stack" onSubmit={file.submit} noValidate>
      <p>Choose a CSV file of one record type, or a zip of them (an HSDS tabular package). Nothing changes until you have seen what it would do and applied it.</p>
      <FileField id="import-file" label="File" accept=".csv,.zip,text/csv,application/zip" upload={file} />
      <div class="field">
        <label for="import-type">Record type</label>
        <select id="import-type" value={recordType} onChange={(e) => setRecordType(e.currentTarget.value)}>
          <option value="">From the file name (services.csv, organizations.csv, …)</option>
          {RECORD_TYPES.map((t) => <option key={t} value={t}>{typeLabel(t)}</option>)}
        </select>
      </div>
      <fieldset>
        <legend>Records already in the directory</legend>
        <label class="choice"><input type="radio" name="mode" value="UPSERT" checked={mode === 'UPSERT'} onChange={() => setMode('UPSERT')} /> Add new records and update existing ones</label>
        <label class="choice"><input type="radio" name="mode" value="REPLACE" checked={mode === 'REPLACE'} onChange={() => setMode('REPLACE')} /> Replace: also delete the records of this type the file does not name</label>
        {mode === 'REPLACE' && (
          <label class="choice"><input type="checkbox" checked={force} onChange={(e) => setForce(e.currentTarget.checked)} /> Allow deleting more than the server's usual share of them (force)</label>
        )}
      </fieldset>
      <label class="choice"><input type="checkbox" checked={publish} onChange={(e) => setPublish(e.currentTarget.checked)} /> Publish the providers and services it writes</label>
      <label class="choice"><input type="checkbox" checked={strict} onChange={(e) => setStrict(e.currentTarget.checked)} /> Refuse columns Signpost does not store</label>
      <UploadStatus upload={file} role={role} />
      <div class="actions">
        <button type="submit" class="primary" disabled={!file.ready}>Upload and check</button>
      </div>
    </form>
  );
}

function ImportView({ id, role }) {
  const [item, setItem] = useState(null);
  const [error, setError] = useState(null);
  const [polling, setPolling] = useState(true);
  const [busy, setBusy] = useState(false);
  // What "Try again" does after a lost connection: ask for the import again, or
  // apply it again (the server answers the import already made, if it was).
  const [retryApply, setRetryApply] = useState(false);

  const load = async () => {
    try {
      const data = await gql(IMPORT, { id });
      const next = data.import;
      if (!next) {
        setPolling(false);
        setError({ kind: 'missing', message: `no import has the id ${id}` });
        return false;
      }
      setError(null);
      setItem((previous) => {
        if (previous && previous.state !== next.state) announce(`Import ${stateWords(next)}`);
        return next;
      });
      const more = RUNNING.includes(next.state);
      if (!more) setPolling(false);
      return more;
    } catch (failure) {
      setError(failure);
      setPolling(false);
      announce(failure.kind === 'network' ? 'The connection was lost; the import goes on at the server' : failure.message);
      throw failure;
    }
  };
  usePoll(load, 1000, polling);
  useEffect(() => { load().catch(() => {}); }, []);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const data = await gql(CONFIRM, { id });
      announce('Applying the import');
      navigate('import', { import: data.confirmImport.id });
    } catch (failure) {
      setError(failure);
      setRetryApply(failure.kind === 'network');
    } finally {
      setBusy(false);
    }
  };
  const discard = () => {
    announce('Discarded: nothing was changed');
    navigate('import');
  };
  const retry = () => { setError(null); setRetryApply(false); setPolling(true); };

  if (!item) {
    if (error?.kind === 'missing') return <p>No import has this id. <Link page="history">All imports</Link></p>;
    return error ? <ErrorNotice error={error} onRetry={retry} role={role} /> : <p>Loading the import…</p>;
  }
  const running = RUNNING.includes(item.state);
  return (
    <div class="stack">
      <p class="lead">
        <strong>{item.fileName}</strong> ({bytes(item.sizeBytes)}), {typeLabel(item.recordType)}, {item.mode.toLowerCase()}
        {item.dryRun ? ', a dry run' : ''} — <StateBadge state={item.state} />
      </p>
      <p class="muted">Uploaded <When at={item.createdAt} /> by {item.submittedBy || 'unknown'}{item.restoredFrom ? ' (a restore)' : ''}.</p>
      {error?.kind === 'network' && (
        <div class="notice error" role="alert">
          <p>The connection to the server was lost. The import goes on there; nothing will be sent twice.</p>
          <button type="button" onClick={retryApply ? confirm : retry}>Try again</button>
        </div>
      )}
      {error && error.kind !== 'network' && <ErrorNotice error={error} role={role} />}
      {running && (
        <ProgressBar label={item.state === 'APPLYING' ? 'Applying rows' : 'Checking rows'} done={item.rowsDone} total={item.rowsTotal} />
      )}
      {!item.dryRun && item.state === 'COMPLETED' && (
        <ProgressBar label="Applied" done={item.rowsTotal} total={item.rowsTotal || 1} />
      )}
      <Outcome item={item} />
      <Preview preview={item.preview} />
      <Problems title="Errors" kind="errors" problems={item.errors} />
      <Problems title="Warnings" kind="warnings" problems={item.warnings} />
      {item.dryRun && item.state === 'VALIDATED' && !item.confirmedBy && (
        <div class="actions">
          <button type="button" class="primary" onClick={confirm} disabled={busy}>Apply these changes</button>
          <button type="button" onClick={discard} disabled={busy}>Discard</button>
        </div>
      )}
      {item.confirmedBy && <p>This dry run was applied as <Link page="import" query={{ import: item.confirmedBy }}>another import</Link>.</p>}
      {item.confirms && <p>This import applied <Link page="import" query={{ import: item.confirms }}>a dry run</Link> (its preview).</p>}
      {!running && (
        <p><Link page="import">Import another file</Link> · <Link page="history">All imports</Link></p>
      )}
    </div>
  );
}

function stateWords(item) {
  switch (item.state) {
    case 'VALIDATED': return item.dryRun ? 'checked: see what it would do' : 'checked';
    case 'APPLYING': return 'being applied';
    case 'COMPLETED': return 'completed';
    case 'FAILED': return `failed: ${item.errors.length} errors`;
    default: return item.state.toLowerCase();
  }
}

function Outcome({ item }) {
  if (item.state === 'FAILED') {
    return (
      <div class="notice error" role="alert">
        <p>{item.dryRun ? 'The file was checked and refused' : 'The import failed'}: nothing in the directory was changed. {item.errors.length ? `${count(item.errors.length)} errors below, each with its row and column.` : ''}</p>
      </div>
    );
  }
  if (item.state === 'COMPLETED') {
    return (
      <div class="notice ok" role="status">
        <p>Done: {count(item.rowsInserted)} inserted, {count(item.rowsUpdated)} updated, {count(item.rowsDeleted)} deleted.</p>
      </div>
    );
  }
  if (item.state === 'VALIDATED' && item.dryRun) {
    return <p class="notice ok" role="status">Every row was checked and nothing was changed yet.</p>;
  }
  return null;
}

/** What each file would do, and its first rows. */
function Preview({ preview }) {
  if (!Array.isArray(preview) || !preview.length) return null;
  return (
    <div class="preview">
      <h2>What it does</h2>
      <div class="scroll" tabIndex={0} role="region" aria-label="What each file does">
      <table>
        <thead><tr><th scope="col">File</th><th scope="col">Type</th><th scope="col">Rows</th><th scope="col">Inserts</th><th scope="col">Updates</th><th scope="col">Deletes</th></tr></thead>
        <tbody>
          {preview.map((file) => (
            <tr key={file.file}><th scope="row">{file.file}</th><td>{file.record_type}</td><td>{count(file.rows)}</td><td>{count(file.inserts)}</td><td>{count(file.updates)}</td><td>{count(file.deletes)}</td></tr>
          ))}
        </tbody>
      </table>
      </div>
      {preview.filter((file) => file.sample?.length).map((file) => <Sample key={file.file} file={file} />)}
    </div>
  );
}

function Sample({ file }) {
  const columns = [...new Set(file.sample.flatMap((row) => Object.keys(row)))].slice(0, 12);
  return (
    <div class="scroll" tabIndex={0} role="region" aria-label={`First rows of ${file.file}`}>
      <table>
        <caption>First rows of {file.file}</caption>
        <thead><tr>{columns.map((c) => <th scope="col" key={c}>{c}</th>)}</tr></thead>
        <tbody>
          {file.sample.map((row, i) => (
            <tr key={i}>{columns.map((c) => <td key={c}>{shorten(show(row[c]))}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A long value cut to its first words, so a row of the preview stays readable. */
function shorten(text) {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

export function show(value) {
  if (value == null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
