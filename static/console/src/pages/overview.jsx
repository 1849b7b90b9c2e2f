// Overview: how many records of each type, and what imports and ingest runs did
// day by day.
import { gql } from '../api.js';
import { DayChart } from '../chart.jsx';
import { ErrorNotice, Page, count, useLoad } from '../ui.jsx';

const TYPES = [
  ['providers', 'Providers'],
  ['services', 'Services'],
  ['venues', 'Venues'],
  ['contacts', 'Contacts'],
  ['eligibilities', 'Eligibility rules'],
  ['costOptions', 'Cost options'],
  ['events', 'Events'],
  ['taxonomies', 'Taxonomies'],
  ['taxonomyTerms', 'Taxonomy terms'],
];

const COUNTS = `{ ${TYPES.map(([field]) => `${field}(first: 1) { totalCount }`).join(' ')} }`;

const ACTIVITY = `query Activity($days: Int!) {
  activity(days: $days) { day importsCompleted importsFailed rowsImported ingestRunsCompleted ingestRunsFailed filesLoaded }
}`;

export function Overview({ viewer }) {
  const [counts, countsError, reloadCounts] = useLoad(() => gql(COUNTS), []);
  const admin = viewer.role === 'ADMIN';
  const [activity, activityError, reloadActivity] = useLoad(
    () => (admin ? gql(ACTIVITY, { days: 30 }) : Promise.resolve(null)), [admin],
  );
  return (
    <Page title="Overview">
      <h2>Records</h2>
      <ErrorNotice error={countsError} onRetry={reloadCounts} role={viewer.role} />
      {counts && (
        <dl class="counts">
          {TYPES.map(([field, label]) => (
            <div key={field}><dt>{label}</dt><dd>{count(counts[field].totalCount)}</dd></div>
          ))}
        </dl>
      )}
      {!counts && !countsError && <p>Counting…</p>}
      <h2>The last 30 days</h2>
      {!admin && <p class="notice" role="status">Charts of imports and ingest runs need the <strong>admin</strong> role; you are signed in as <strong>{viewer.role.toLowerCase()}</strong>.</p>}
      <ErrorNotice error={activityError} onRetry={reloadActivity} role={viewer.role} />
      {activity && (
        <div class="charts">
          <DayChart id="imports" title="Imports per day" days={activity.activity} series={[
            { key: 'importsCompleted', label: 'completed', className: 'ok' },
            { key: 'importsFailed', label: 'failed', className: 'bad' },
          ]} />
          <DayChart id="rows" title="Rows imported per day" days={activity.activity} series={[
            { key: 'rowsImported', label: 'rows written', className: 'ok' },
          ]} />
          <DayChart id="runs" title="Ingest runs per day" days={activity.activity} series={[
            { key: 'ingestRunsCompleted', label: 'completed', className: 'ok' },
            { key: 'ingestRunsFailed', label: 'failed', className: 'bad' },
          ]} />
          <DayChart id="files" title="Files loaded by ingest per day" days={activity.activity} series={[
            { key: 'filesLoaded', label: 'files loaded', className: 'ok' },
          ]} />
        </div>
      )}
    </Page>
  );
}
