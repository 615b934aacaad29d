import { isPrivateMessagesError, type PrivateMessagesClient, type RecipientCandidate } from '../../../client/src';
import { $, el, errorText, when } from './dom';

/*
 * The compose dialog: recipients from the autocomplete (users the sender may write to, as the
 * server's send gate decides), and every refusal shown with its reason.
 */

type Chosen = { type: 'user' | 'role'; id: number; label: string };

export const setupCompose = (pm: PrivateMessagesClient, opened: (threadId: string) => Promise<unknown>) => {
  const dialog = $<HTMLDialogElement>('#compose');
  const input = $<HTMLInputElement>('#to');
  const options = $('#to-options');
  const errors = $('#compose-error');
  let chosen: Chosen[] = [];
  let suggestions: RecipientCandidate[] = [];
  let active = -1;

  const label = (c: RecipientCandidate) => (c.type === 'user' ? (c.username ?? `user ${c.id}`) : `Role: ${c.name}`);
  const renderChosen = () =>
    $('#to-chosen').replaceChildren(
      ...chosen.map((c) => {
        const remove = el('button', { type: 'button', 'aria-label': `Remove ${c.label}` }, ['×']);
        remove.addEventListener('click', () => ((chosen = chosen.filter((x) => x !== c)), renderChosen()));
        return el('li', {}, [c.label, ' ', remove]);
      })
    );
  const close = () => {
    options.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const pick = (c: RecipientCandidate) => {
    if (!chosen.some((x) => x.type === c.type && x.id === c.id)) chosen.push({ type: c.type, id: c.id, label: label(c) });
    input.value = '';
    close();
    renderChosen();
    input.focus();
  };
  const renderOptions = () => {
    options.replaceChildren(
      ...suggestions.map((c, i) => {
        const option = el('li', { role: 'option', id: `to-option-${i}`, 'aria-selected': String(i === active) }, [label(c)]);
        option.addEventListener('mousedown', (e) => (e.preventDefault(), pick(c)));
        return option;
      })
    );
    options.hidden = suggestions.length === 0;
    input.setAttribute('aria-expanded', String(suggestions.length > 0));
    if (active >= 0) input.setAttribute('aria-activedescendant', `to-option-${active}`);
  };

  let searchSeq = 0;
  when('#to', 'input', async () => {
    const q = input.value.trim();
    const seq = ++searchSeq;
    if (!q) return close();
    const { data } = await pm.recipients.search(q, { limit: 8 });
    if (seq !== searchSeq) return; // an older answer arriving late
    suggestions = data;
    active = -1;
    renderOptions();
  });
  when<KeyboardEvent>('#to', 'keydown', (e) => {
    if (options.hidden) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : -1) + suggestions.length) % suggestions.length;
      renderOptions();
    } else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault();
      pick(suggestions[active]);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  });
  when('#to', 'blur', () => close());

  when('#compose-open', 'click', () => {
    chosen = [];
    renderChosen();
    errors.replaceChildren();
    for (const id of ['#subject', '#body', '#to']) $<HTMLInputElement>(id).value = '';
    dialog.showModal();
    input.focus();
  });
  when('#compose-cancel', 'click', () => dialog.close());
  when('#compose-form', 'submit', async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    if (chosen.length === 0) return void errors.append(el('li', {}, ['Choose at least one recipient.']));
    try {
      const { data } = await pm.threads.create({
        recipients: chosen.map(({ type, id }) => ({ type, id })),
        subject: $<HTMLInputElement>('#subject').value || undefined,
        body: $<HTMLTextAreaElement>('#body').value,
      });
      dialog.close();
      await opened(data.thread.id);
    } catch (err) {
      // Each refused recipient with the server's reason (blocked, messaging off, ...).
      const byId = new Map(chosen.map((c) => [`${c.type}:${c.id}`, c.label]));
      const lines =
        isPrivateMessagesError(err) && err.refused.length > 0
          ? err.refused.map((r) => `${byId.get(`${r.recipient.type}:${r.recipient.id}`) ?? r.recipient.id}: ${r.message} (${r.code})`)
          : [errorText(err)];
      errors.replaceChildren(...lines.map((l) => el('li', {}, [l])));
    }
  });
};
