// The GraphQL an import's pages share.
export const IMPORT_FIELDS = `id state dryRun fileName sizeBytes recordType mode force strict
  rowsTotal rowsDone rowsInserted rowsUpdated rowsDeleted rowsRejected
  errors { file row column message } warnings { file row column message }
  preview submittedBy createdAt finishedAt confirms confirmedBy restoredFrom`;

export const RUNNING = ['UPLOADED', 'VALIDATING', 'APPLYING'];

export const RECORD_TYPES = [
  'PROVIDERS', 'SERVICES', 'VENUES', 'SERVICE_VENUES', 'CONTACTS', 'ELIGIBILITIES',
  'SERVICE_ELIGIBILITIES', 'COST_OPTIONS', 'EVENTS', 'TAXONOMIES', 'TAXONOMY_TERMS',
  'TAXONOMY_REFS', 'PROGRAMS', 'PHONES', 'SCHEDULES', 'ADDRESSES', 'LANGUAGES',
  'ACCESSIBILITY', 'SERVICE_AREAS', 'FUNDING', 'REQUIRED_DOCUMENTS', 'ORGANIZATION_IDENTIFIERS',
];

export const typeLabel = (type) => (type ? type.toLowerCase().replace(/_/g, ' ') : 'from the file name');
