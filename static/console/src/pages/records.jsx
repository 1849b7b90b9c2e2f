// Records: find any provider, service, venue, contact or event, open it, publish
// or unpublish it, flag it for review or clear the flag, and read its change log.
import { useEffect, useState } from 'preact/hooks';
import { gql } from '../api.js';
import { Link, navigate } from '../router.jsx';
import { ErrorNotice, Page, When, announce, useLoad } from '../ui.jsx';
import { show } from './import.jsx';

/** Per type: its list field, GraphQL type, how to search it, and what it allows. */
const TYPES = {
  providers: { label: 'Providers', one: 'provider', type: 'Provider', name: 'name', search: 'search', publish: true },
  services: { label: 'Services', one: 'service', type: 'Service', name: 'name', search: 'search', publish: true },
  venues: { label: 'Venues', one: 'venue', type: 'Venue', name: 'name', search: 'search', publish: false },
  contacts: { label: 'Contacts', one: 'contact', type: 'Contact', name: 'name', search: null, publish: false, plain: true },
  events: { label: 'Events', one: 'event', type: 'Event', name: 'title', search: null, publish: false },
};

function filterFor(kind, text, flagged) {
  const filter = {};
  if (text) {
    if (kind.search) filter.search = text;
    else filter[kind.name] = { contains: text };
  }
  if (flagged) filter.flagged = true;
  return filter;
}

function fieldsOf(kind) {
  return `id ${kind.name} flagged updatedAt version${kind.publish ? ' published' : ''}`;
}

/** The list a node's GraphQL type belongs to, for the types this page shows. */
const BY_TYPENAME = Object.fromEntries(Object.entries(TYPES).map(([key, kind]) => [kind.type, key]));

export function RecordsPage({ viewer, query }) {
  const typeKey = TYPES[query.get('type')] ? query.get('type') : 'services';
  const id = query.get('id');
  if (id && query.get('type') === 'other') {
    return <Page title="One record"><OtherRecord key={id} id={id} viewer={viewer} /></Page>;
  }
  return (
    <Page title={id ? `${TYPES[typeKey].label}: one record` : 'Records'}>
      {id
        ? <RecordView key={id} typeKey={typeKey} id={id} viewer={viewer} />
        : (
          <>
            <Search typeKey={typeKey} text={query.get('q') || ''} flagged={query.get('flagged') === '1'} viewer={viewer} />
            <OpenById viewer={viewer} />
          </>
        )}
    </Page>
  );
}

/** Any record with an id (a cost option, a taxonomy term…), found by that id. */
function OpenById({ viewer }) {
  const [id, setId] = useState('');
  const [error, setError] = useState(null);
  const [missing, setMissing] = useState(false);
  const open = async (event) => {
    event.preventDefault();
    setError(null);
    setMissing(false);
    try {
      const { node } = await gql('query Node($id: ID!) { node(id: $id) { __typename id } }', { id: id.trim() });
      if (!node) { setMissing(true); return; }
      navigate('records', { type: BY_TYPENAME[node.__typename] || 'other', id: node.id });
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <form class="search" onSubmit={open}>
      <h2 class="full">Open a record by its id</h2>
      <div class="field grow">
        <label for="records-id">Id of any record</label>
        <input id="records-id" value={id} onInput={(e) => setId(e.currentTarget.value)} required />
      </div>
      <button type="submit">Open</button>
      {missing && <p class="notice" role="status">No record you can see has the id {id.trim()}.</p>}
      <ErrorNotice error={error} role={viewer.role} />
    </form>
  );
}

/** A record of a type this page does not list: its type and its change log. */
function OtherRecord({ id, viewer }) {
  const [data, error, reload] = useLoad(() => gql('query Node($id: ID!) { node(id: $id) { __typename id } }', { id }), [id]);
  if (error) return <ErrorNotice error={error} onRetry={reload} role={viewer.role} />;
  if (!data) return <p>Loading…</p>;
  if (!data.node) return <p>No record you can see has this id. <Link page="records">Search again</Link>.</p>;
  return (
    <div class="stack">
      <dl class="facts">
        <div><dt>Type</dt><dd>{data.node.__typename}</dd></div>
        <div><dt>Id</dt><dd><code>{data.node.id}</code></dd></div>
      </dl>
      <p>Records of this type are changed through GraphQL, the CLI or an import.</p>
      <ChangeLog id={id} viewer={viewer} />
      <p><Link page="records">Back to records</Link></p>
    </div>
  );
}

function Search({ typeKey, text, flagged, viewer }) {
  const [draft, setDraft] = useState({ typeKey, text, flagged });
  useEffect(() => setDraft({ typeKey, text, flagged }), [typeKey, text, flagged]);
  const kind = TYPES[typeKey];
  const [data, error, reload] = useLoad(
    () => gql(`query Find($filter: ${kind.type}Filter) { ${typeKey}(first: 50, filter: $filter) { totalCount nodes { ${fieldsOf(kind)} } } }`,
      { filter: filterFor(kind, text, flagged) }),
    [typeKey, text, flagged],
  );
  // While another type loads, the last answer is of the type before.
  const result = data?.[typeKey];
  useEffect(() => {
    if (result) announce(`${result.totalCount} ${kind.label.toLowerCase()} found`);
  }, [result]);
  const submit = (event) => {
    event.preventDefault();
    navigate('records', { type: draft.typeKey, q: draft.text.trim(), flagged: draft.flagged ? '1' : null });
  };
  const nodes = result?.nodes || [];
  return (
    <>
      <form class="search" role="search" onSubmit={submit}>
        <div class="field">
          <label for="records-type">Type</label>
          <select id="records-type" value={draft.typeKey} onChange={(e) => setDraft({ ...draft, typeKey: e.currentTarget.value })}>
            {Object.entries(TYPES).map(([key, k]) => <option key={key} value={key}>{k.label}</option>)}
          </select>
        </div>
        <div class="field grow">
          <label for="records-text">Words in the {TYPES[draft.typeKey].name}</label>
          <input id="records-text" type="search" value={draft.text} onInput={(e) => setDraft({ ...draft, text: e.currentTarget.value })} />
        </div>
        <label class="choice"><input type="checkbox" checked={draft.flagged} onChange={(e) => setDraft({ ...draft, flagged: e.currentTarget.checked })} /> Flagged for review only</label>
        <button type="submit" class="primary">Search</button>
      </form>
      <ErrorNotice error={error} onRetry={reload} role={viewer.role} />
      {result && (
        <>
          <p role="status">{result.totalCount} found{result.totalCount > nodes.length ? `; the first ${nodes.length} shown` : ''}.</p>
          <ul class="results">
            {nodes.map((node) => (
              <li key={node.id}>
                <Link page="records" query={{ type: typeKey, id: node.id }}>{node[kind.name]}</Link>
                {kind.publish && !node.published && <span class="badge state-unpublished">unpublished</span>}
                {node.flagged && <span class="badge state-flagged">flagged</span>}
                <span class="muted"> updated <When at={node.updatedAt} /></span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

const CHANGES = `query Changes($id: ID!) {
  changeLog(first: 50, filter: { recordId: $id }) { edges { node { id action field oldValue newValue actor changedAt } } }
}`;

function RecordView({ typeKey, id, viewer }) {
  const kind = TYPES[typeKey];
  const admin = viewer.role === 'ADMIN';
  const [data, error, reload] = useLoad(
    () => gql(`query One($id: ID!) { ${kind.one}(id: $id) { ${fieldsOf(kind)}${kind.plain ? '' : ' description'} } }`, { id }),
    [id],
  );
  const [changesKey, setChangesKey] = useState(0);
  const reloadChanges = () => setChangesKey((k) => k + 1);
  const [actionError, setActionError] = useState(null);
  const record = data?.[kind.one];

  const act = async (verb, done) => {
    setActionError(null);
    try {
      await gql(`mutation Act($id: ID!) { ${verb}${kind.type}(id: $id) { id } }`, { id });
      announce(done);
      reload();
      reloadChanges();
    } catch (failure) {
      setActionError(failure);
    }
  };

  if (error) return <ErrorNotice error={error} onRetry={reload} role={viewer.role} />;
  if (!data) return <p>Loading…</p>;
  if (!record) return <p>There is no {kind.one} with this id (or it is not visible to you). <Link page="records" query={{ type: typeKey }}>Search again</Link>.</p>;
  return (
    <div class="stack">
      <h2>{record[kind.name]}</h2>
      <dl class="facts">
        <div><dt>Id</dt><dd><code>{record.id}</code></dd></div>
        {kind.publish && <div><dt>Published</dt><dd>{record.published ? 'yes: shown to the public' : 'no: seen by signed-in staff only'}</dd></div>}
        <div><dt>Flagged for review</dt><dd>{record.flagged ? 'yes' : 'no'}</dd></div>
        <div><dt>Updated</dt><dd><When at={record.updatedAt} /> (version {record.version})</dd></div>
        {record.description && <div><dt>Description</dt><dd>{record.description}</dd></div>}
      </dl>
      {admin ? (
        <div class="actions">
          {kind.publish && (record.published
            ? <button type="button" onClick={() => act('unpublish', 'Unpublished')}>Unpublish</button>
            : <button type="button" class="primary" onClick={() => act('publish', 'Published')}>Publish</button>)}
          {record.flagged
            ? <button type="button" onClick={() => act('unflag', 'Flag cleared')}>Clear the flag</button>
            : <button type="button" onClick={() => act('flag', 'Flagged for review')}>Flag for review</button>}
        </div>
      ) : (
        <p class="notice" role="status">You are signed in as <strong>{viewer.role.toLowerCase()}</strong>: publishing, flagging and the change log need the <strong>admin</strong> role.</p>
      )}
      <ErrorNotice error={actionError} role={viewer.role} />
      <ChangeLog id={id} viewer={viewer} reloadKey={changesKey} />
      <p><Link page="records" query={{ type: typeKey }}>Back to {kind.label.toLowerCase()}</Link></p>
    </div>
  );
}

/** Every change recorded for the record `id`, newest first (admins). */
function ChangeLog({ id, viewer, reloadKey = 0 }) {
  const admin = viewer.role === 'ADMIN';
  const [changes, changesError, reloadChanges] = useLoad(() => (admin ? gql(CHANGES, { id }) : Promise.resolve(null)), [id, admin, reloadKey]);
  if (!admin) return null;
  return (
    <section aria-labelledby="changes-title">
      <h2 id="changes-title">Change log</h2>
      <ErrorNotice error={changesError} onRetry={reloadChanges} role={viewer.role} />
      {changes && !changes.changeLog.edges.length && <p>No changes recorded.</p>}
      {changes && changes.changeLog.edges.length > 0 && (
        <div class="scroll" tabIndex={0} role="region" aria-label="Changes, newest first">
          <table class="list">
            <thead><tr><th scope="col">When</th><th scope="col">Change</th><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th><th scope="col">Who</th></tr></thead>
            <tbody>
              {changes.changeLog.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td><When at={node.changedAt} /></td>
                  <td>{node.action.toLowerCase()}</td>
                  <td>{node.field || '—'}</td>
                  <td>{show(node.oldValue)}</td>
                  <td>{show(node.newValue)}</td>
                  <td>{node.actor || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
