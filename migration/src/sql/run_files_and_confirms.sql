-- What the admin console follows (docs/data-model.md): the ingest run that last
-- registered or loaded each data file, and the dry run an import confirms (one
-- import per dry run, however many times it is confirmed), with the encoding an
-- import declared so that confirming or restoring it reads the file the same way.

ALTER TABLE data_files ADD COLUMN run_id {uuid};
CREATE INDEX data_files_run_idx ON data_files (run_id, id);

ALTER TABLE imports ADD COLUMN confirms {uuid};
CREATE UNIQUE INDEX imports_confirms_idx ON imports (confirms);
ALTER TABLE imports ADD COLUMN encoding TEXT;
