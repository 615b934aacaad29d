import { useEffect, useRef, useState } from 'react';
import type { Attachment } from '../../../client/src';
import { usePrivateMessages } from '../../../client/src/react';
import { errorText } from './parts';

/*
 * Files on messages. Their URLs need the reader's credentials (they are never public links), so
 * the inbox fetches thumbnails and files through the client and shows them as object URLs.
 */

/** The files staged for the message being written: pick, upload at once, remove before sending. */
export const useStagedFiles = () => {
  const pm = usePrivateMessages();
  const [files, setFiles] = useState<Attachment[]>([]);
  const [error, setError] = useState('');
  const [uploading, setUploading] = useState(false);
  const add = async (list: FileList | null) => {
    if (!list || list.length === 0) return;
    setUploading(true);
    setError('');
    try {
      const { data } = await pm.attachments.upload([...list]);
      setFiles((current) => [...current, ...data]);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setUploading(false);
    }
  };
  return {
    files,
    ids: files.map((f) => f.id),
    error,
    uploading,
    add,
    remove: (id: string) => setFiles((current) => current.filter((f) => f.id !== id)),
    clear: () => (setFiles([]), setError('')),
  };
};

export const FilePicker = ({ id, staged }: { id: string; staged: ReturnType<typeof useStagedFiles> }) => {
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="files">
      <label htmlFor={id}>Attach files</label>
      <input id={id} ref={input} type="file" multiple onChange={(e) => void staged.add(e.target.files).then(() => input.current && (input.current.value = ''))} />
      {staged.uploading && <p className="muted">Uploading…</p>}
      <ul className="chips" aria-label="Attached files">
        {staged.files.map((f) => (
          <li key={f.id}>
            {f.name}{' '}
            <button type="button" aria-label={`Remove ${f.name}`} onClick={() => staged.remove(f.id)}>
              ×
            </button>
          </li>
        ))}
      </ul>
      {staged.error && <p className="error" role="alert">{staged.error}</p>}
    </div>
  );
};

/** A Blob fetched with the reader's credentials, as an object URL freed when no longer shown. */
const useObjectUrl = (load: () => Promise<Blob>, key: string) => {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let made: string | null = null;
    let live = true;
    load()
      .then((blob) => {
        if (!live) return;
        made = URL.createObjectURL(blob);
        setUrl(made);
      })
      .catch(() => {});
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps
  return url;
};

const Thumbnail = ({ file }: { file: Attachment }) => {
  const pm = usePrivateMessages();
  const url = useObjectUrl(() => pm.attachments.thumbnail(file.id), file.id);
  return url ? <img className="thumb" src={url} alt={file.name} width={Math.min(160, file.width ?? 160)} /> : <span className="thumb muted">{file.name}</span>;
};

const kb = (size: number) => (size < 1024 * 1024 ? `${Math.max(1, Math.round(size / 1024))} KB` : `${(size / 1024 / 1024).toFixed(1)} MB`);

export const AttachmentList = ({ files }: { files: Attachment[] }) => {
  const pm = usePrivateMessages();
  if (files.length === 0) return null;
  const open = async (file: Attachment) => {
    const url = URL.createObjectURL(await pm.attachments.content(file.id));
    const a = document.createElement('a');
    a.href = url;
    a.download = file.name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <ul className="attachments" aria-label="Attachments">
      {files.map((f) => (
        <li key={f.id}>
          <button type="button" className="link" onClick={() => void open(f)} title={`Download ${f.name}`}>
            {f.thumbnailUrl ? <Thumbnail file={f} /> : null}
            <span>{`${f.name} (${kb(f.size)})`}</span>
          </button>
        </li>
      ))}
    </ul>
  );
};
