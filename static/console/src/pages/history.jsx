// History: every import, newest first, with who sent it and what it did; each
// opens on its preview, and an earlier import can be applied again (restored).
import { useState } from 'preact/hooks';
import { gql } from '../api.js';
import { Link, navigate } from '../router.jsx';
import { ErrorNotice, Page, StateBadge, When, announce, confirmAction, count, useLoad } from '../ui.jsx';
import { typeLabel } from './imports.js';

const IMPORTS = `query Imports($after: String) {
  imports(first: 50, after: $after) {
    nodes { id state dryRun fileName recordType mode rowsTotal rowsInserted rowsUpdated rowsDeleted rowsRejected submittedBy createdAt restoredFrom confirms confirmedBy }
    pageInfo { hasNextPage endCursor }
  }
}`;
const RESTORE = `mutation Restore($id: ID!) { restoreImport(id: $id) { id } }`;

export function HistoryPage({ viewer }) {
  const [pages, setPages] = useState([]);
  const [after, setAfter] = useState(null);
  const [first, error, reload] = useLoad(() => gql(IMPORTS, { after: null }), []);
  const [moreError, setMoreError] = useState(null);
  const [restoreError, setRestoreError] = useState(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const all = [...(first?.imports.nodes || []), ...pages.flatMap((p) => p.nodes)];
  const last = pages.length ? pages[pages.length - 1].pageInfo : first?.imports.pageInfo;

  const more = async () => {
    if (loadingMore) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const data = await gql(IMPORTS, { after: last.endCursor });
      setPages((earlier) => [...earlier, data.imports]);
      setAfter(data.imports.pageInfo.endCursor);
      announce(`${data.imports.nodes.length} more imports`);
    } catch (failure) {
      setMoreError(failure);
    } finally {
      setLoadingMore(false);
    }
  };
  const reloadAll = () => { setPages([]); reload(); };
  const restore = async (item) => {
    if (!confirmAction(`Apply ${item.fileName} (imported ${new Date(item.createdAt).toLocaleString()}) again? Its rows overwrite what the directory holds now.`)) return;
    setRestoreError(null);
    try {
      const data = await gql(RESTORE, { id: item.id });
      announce(`Restoring ${item.fileName}`);
      navigate('import', { import: data.restoreImport.id });
    } catch (failure) {
      // Restoring is not idempotent: after a lost answer, look before trying again.
      setRestoreError(failure.kind === 'network'
        ? { kind: 'server', message: 'the connection was lost after asking for the restore: it may have been made, so check the list (reloaded below) before restoring again' }
        : failure);
      if (failure.kind === 'network') reloadAll();
    }
  };

  return (
    <Page title="History">
      <p>Every import, newest first. Open one to see its preview and errors; restore applies an earlier file again.</p>
      <ErrorNotice error={error} onRetry={reloadAll} role={viewer.role} />
      <ErrorNotice error={restoreError} role={viewer.role} />
      {first && !all.length && <p>Nothing has been imported yet. <Link page="import">Import a file</Link>.</p>}
      {all.length > 0 && (
        <div class="scroll" tabIndex={0} role="region" aria-label="Imports">
          <table class="list">
            <thead>
              <tr><th scope="col">When</th><th scope="col">File</th><th scope="col">State</th><th scope="col">Inserted</th><th scope="col">Updated</th><th scope="col">Deleted</th><th scope="col">Rejected</th><th scope="col">Who</th><th scope="col">Actions</th></tr>
            </thead>
            <tbody>
              {all.map((item) => (
                <tr key={item.id}>
                  <td><When at={item.createdAt} /></td>
                  <th scope="row">
                    <Link page="import" query={{ import: item.id }}>{item.fileName}</Link>
                    <span class="muted"> {typeLabel(item.recordType)}{item.dryRun ? ', dry run' : ''}{item.restoredFrom ? ', restore' : ''}</span>
                  </th>
                  <td><StateBadge state={item.state} /></td>
                  <td>{count(item.rowsInserted)}</td>
                  <td>{count(item.rowsUpdated)}</td>
                  <td>{count(item.rowsDeleted)}</td>
                  <td>{count(item.rowsRejected)}</td>
                  <td>{item.submittedBy || '—'}</td>
                  <td>
                    {!item.dryRun && item.state === 'COMPLETED' && (
                      <button type="button" onClick={() => restore(item)} aria-label={`Restore ${item.fileName} from ${new Date(item.createdAt).toLocaleString()}`}>Restore</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorNotice error={moreError} onRetry={more} role={viewer.role} />
      {last?.hasNextPage && <button type="button" onClick={more} disabled={loadingMore} data-after={after}>Show older imports</button>}
    </Page>
  );
}
