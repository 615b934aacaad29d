import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { RecipientCandidate } from '../../../client/src';
import { usePrivateMessages, useSend } from '../../../client/src/react';
import { errorText } from './parts';
import { FilePicker, useStagedFiles } from './Attachments';

/*
 * The compose dialog: recipients from the autocomplete (users the sender may write to, as the
 * server's send gate decides), and every refusal shown with its reason.
 */

type Chosen = { type: 'user' | 'role'; id: number; label: string };
const label = (c: RecipientCandidate) => (c.type === 'user' ? (c.username ?? `user ${c.id}`) : `Role: ${c.name}`);

export const Compose = ({ open, onClose, onSent }: { open: boolean; onClose: () => void; onSent: (threadId: string) => void }) => {
  const pm = usePrivateMessages();
  const { send, error, reset } = useSend();
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const [to, setTo] = useState('');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [chosen, setChosen] = useState<Chosen[]>([]);
  const [suggestions, setSuggestions] = useState<RecipientCandidate[]>([]);
  const [active, setActive] = useState(-1);
  const [missing, setMissing] = useState(false);
  const searchSeq = useRef(0);
  const staged = useStagedFiles();

  useEffect(() => {
    if (open && !dialog.current?.open) {
      setTo(''), setSubject(''), setBody(''), setChosen([]), setSuggestions([]), setMissing(false), staged.clear(), reset();
      dialog.current?.showModal();
      input.current?.focus();
    }
    if (!open && dialog.current?.open) dialog.current.close();
  }, [open]); // eslint-disable-line react-hooks/exhaustive-deps

  const search = async (q: string) => {
    setTo(q);
    const seq = ++searchSeq.current;
    if (!q.trim()) return setSuggestions([]);
    const { data } = await pm.recipients.search(q.trim(), { limit: 8 });
    if (seq !== searchSeq.current) return; // an older answer arriving late
    setSuggestions(data);
    setActive(-1);
  };
  const pick = (c: RecipientCandidate) => {
    setChosen((list) => (list.some((x) => x.type === c.type && x.id === c.id) ? list : [...list, { type: c.type, id: c.id, label: label(c) }]));
    setTo('');
    setSuggestions([]);
    input.current?.focus();
  };
  const keys = (e: KeyboardEvent) => {
    if (suggestions.length === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : -1) + suggestions.length) % suggestions.length);
    } else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault();
      pick(suggestions[active]);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setSuggestions([]);
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMissing(chosen.length === 0);
    if (chosen.length === 0) return;
    const attachments = staged.ids.length > 0 ? staged.ids : undefined;
    const sent = await send({ recipients: chosen.map(({ type, id }) => ({ type, id })), subject: subject || undefined, body, attachments });
    if (sent) onSent(sent.thread.id);
  };

  // Each refused recipient with the server's reason (blocked, messaging off, ...).
  const byId = new Map(chosen.map((c) => [`${c.type}:${c.id}`, c.label]));
  const problems = missing
    ? ['Choose at least one recipient.']
    : error
      ? error.refused.length > 0
        ? error.refused.map((r) => `${byId.get(`${r.recipient.type}:${r.recipient.id}`) ?? r.recipient.id}: ${r.message} (${r.code})`)
        : [errorText(error)]
      : [];
  const expanded = suggestions.length > 0;

  return (
    <dialog id="compose" aria-labelledby="compose-title" ref={dialog} onClose={onClose}>
      <form id="compose-form" method="dialog" onSubmit={submit}>
        <h2 id="compose-title">New message</h2>
        <label htmlFor="to">To</label>
        <div className="combo">
          <input
            id="to"
            ref={input}
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={expanded}
            aria-controls="to-options"
            aria-activedescendant={active >= 0 ? `to-option-${active}` : undefined}
            autoComplete="off"
            placeholder="Type a name"
            value={to}
            onChange={(e) => void search(e.target.value)}
            onKeyDown={keys}
            onBlur={() => setSuggestions([])}
          />
          <ul id="to-options" role="listbox" aria-label="Suggestions" hidden={!expanded}>
            {suggestions.map((c, i) => (
              <li key={`${c.type}:${c.id}`} role="option" id={`to-option-${i}`} aria-selected={i === active} onMouseDown={(e) => (e.preventDefault(), pick(c))}>
                {label(c)}
              </li>
            ))}
          </ul>
        </div>
        <ul id="to-chosen" className="chips" aria-label="Recipients">
          {chosen.map((c) => (
            <li key={`${c.type}:${c.id}`}>
              {c.label}{' '}
              <button type="button" aria-label={`Remove ${c.label}`} onClick={() => setChosen((list) => list.filter((x) => x !== c))}>
                ×
              </button>
            </li>
          ))}
        </ul>
        <label htmlFor="subject">Subject</label>
        <input id="subject" maxLength={255} value={subject} onChange={(e) => setSubject(e.target.value)} />
        <label htmlFor="body">Message</label>
        <textarea id="body" rows={5} required value={body} onChange={(e) => setBody(e.target.value)} />
        <FilePicker id="compose-files" staged={staged} />
        <ul id="compose-error" className="error" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
        <div className="row">
          <button type="submit">Send</button>
          <button type="button" id="compose-cancel" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
};
