// Choosing a file and sending it, as the import and dataset pages both do: the
// size is checked in the page before anything is sent (the server's limit comes
// from /admin/config.json), the bytes sent are shown, and a failure keeps the
// chosen file so "Try again" sends it once more.
import { useState } from 'preact/hooks';
import { ErrorNotice, ProgressBar, announce, bytes } from './ui.jsx';

/** `send(file, onProgress)` uploads; the state of one file field around it. */
export function useUpload(limit, send) {
  const [file, setFile] = useState(null);
  const [sent, setSent] = useState(null);
  const [error, setError] = useState(null);
  const tooLarge = Boolean(file && limit && file.size > limit);
  const submit = async (event) => {
    event?.preventDefault();
    if (!file || tooLarge) return;
    setError(null);
    setSent({ done: 0, total: file.size });
    announce(`Uploading ${file.name}`);
    try {
      await send(file, (done, total) => setSent({ done, total }));
    } catch (failure) {
      setSent(null);
      setError(failure);
      announce(`The upload failed: ${failure.message}`);
    }
  };
  const choose = (chosen) => {
    setFile(chosen || null);
    setError(null);
  };
  return { file, choose, tooLarge, sent, error, submit, limit, ready: Boolean(file) && !tooLarge && !sent };
}

/** The file input, its limit, and the refusal of a file over it. */
export function FileField({ id, label, accept, help, upload }) {
  const { file, limit } = upload;
  return (
    <>
      <div class="field">
        <label for={id}>{label}</label>
        <input id={id} type="file" accept={accept} aria-describedby={`${id}-help`}
          onChange={(e) => upload.choose(e.currentTarget.files[0])} />
        <p id={`${id}-help`} class="help">At most {bytes(limit)}.{help ? ` ${help}` : ''}</p>
      </div>
      {upload.tooLarge && (
        <div class="notice error" role="alert">
          <p>{file.name} is {bytes(file.size)}: this server accepts files up to {bytes(limit)}. Split it, or ask an administrator to raise <code>SIGNPOST_IMPORT_MAX_FILE_BYTES</code>.</p>
        </div>
      )}
    </>
  );
}

/** Bytes sent so far, or why sending failed. */
export function UploadStatus({ upload, role }) {
  return (
    <>
      {upload.sent && <ProgressBar label={`Uploading ${upload.file?.name}`} done={upload.sent.done} total={upload.sent.total} />}
      <ErrorNotice error={upload.error} onRetry={upload.submit} role={role} />
    </>
  );
}
