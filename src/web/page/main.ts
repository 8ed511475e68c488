/**
 * Signpost's file browser: one small script, no framework. Talks to the gateway on its own
 * origin (with `Authorization: Bearer` when signed in) and to storage directly for the bytes
 * (presigned URLs, never with the Authorization header). See docs/web.md.
 */
import { describeError, formatSize, joinKey, keyPath, listingPath, parseHash, hashFor } from './util';

interface Config { mounts: string[]; multipartThreshold: number }
interface Entry { name: string; key: string; size: number; lastModified: string }
interface Folder { name: string; prefix: string }
interface Listing { prefix: string; entries: Entry[]; folders: Folder[]; cursor: string | null }
interface Ticket { method: string; url: string; headers: Record<string, string> }
/** `etag` is present when storage answers a part without one (Azure's Put Block). */
interface PartUrl { partNumber: number; size: number; url: string; etag?: string }
interface MultipartCreate { uploadId: string; parts: PartUrl[]; next?: string }

const TOKEN_KEY = 'signpost.token';
const PARALLEL_PARTS = 4;

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
};
function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

const config = readConfig();
const state = { mount: config.mounts[0] ?? '/files', prefix: '', cursor: null as string | null };

function readConfig(): Config {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="signpost-config"]');
  try {
    const parsed = JSON.parse(meta?.content ?? '{}') as Partial<Config>;
    return { mounts: Array.isArray(parsed.mounts) && parsed.mounts.length > 0 ? parsed.mounts : ['/files'], multipartThreshold: parsed.multipartThreshold ?? 64 * 1024 * 1024 };
  } catch {
    return { mounts: ['/files'], multipartThreshold: 64 * 1024 * 1024 };
  }
}

// ---- the gateway (same origin only) ----

const token = (): string | null => sessionStorage.getItem(TOKEN_KEY);

class GatewayError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** fetch to the gateway: relative paths only, so the token never leaves this origin. */
async function gw(path: string, init: RequestInit = {}): Promise<Response> {
  if (!path.startsWith('/') || path.startsWith('//')) throw new Error('gateway paths must be relative');
  const headers = new Headers(init.headers);
  const t = token();
  if (t) headers.set('Authorization', `Bearer ${t}`);
  return fetch(path, { ...init, headers, credentials: 'same-origin' });
}

async function gwJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await gw(path, init);
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

async function errorOf(res: Response): Promise<GatewayError> {
  let code = 'error';
  let message = '';
  try {
    const body = (await res.json()) as { error?: string; message?: string };
    code = body.error ?? code;
    message = body.message ?? '';
  } catch {
    // not JSON (storage XML, or empty)
  }
  return new GatewayError(res.status, code, message);
}

const explain = (err: unknown): string => {
  if (err instanceof GatewayError) return describeError(err.status, err.message, token() !== null);
  if (err instanceof StorageError) return `Storage refused the transfer (${err.status}${err.detail ? `: ${err.detail}` : ''}).`;
  if (err instanceof TypeError) return 'Network error: the gateway or storage could not be reached.';
  return err instanceof Error ? err.message : String(err);
};

// ---- storage (presigned URLs, XHR for upload progress) ----

class StorageError extends Error {
  constructor(readonly status: number, readonly detail: string) {
    super(`storage answered ${status}`);
  }
}

function putToStorage(url: string, headers: Record<string, string>, body: Blob, onProgress: (loaded: number) => void): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(body.size);
        resolve(xhr.getResponseHeader('ETag'));
      } else {
        const code = /<Code>([^<]*)<\/Code>/.exec(xhr.responseText)?.[1] ?? '';
        reject(new StorageError(xhr.status, code));
      }
    };
    xhr.onerror = () => reject(new TypeError('network error'));
    xhr.send(body);
  });
}

// ---- uploads ----

interface Row { li: HTMLLIElement; bar: HTMLProgressElement; pct: HTMLElement; msg: HTMLElement }

function uploadRow(name: string): Row {
  const bar = h('progress', { max: '100', value: '0', 'aria-label': `Upload progress of ${name}` });
  const pct = h('span', { class: 'pct' }, '0 %');
  const msg = h('span', { class: 'msg' }, 'Waiting…');
  // Grid (fixed height, no layout shift): name | percent, then the bar, then the message.
  const li = h('li', { 'data-state': 'waiting', 'data-name': name }, h('span', { class: 'name', title: name }, name), pct, bar, msg);
  $('uploads').prepend(li);
  return { li, bar, pct, msg };
}

function setProgress(row: Row, done: number, total: number): void {
  const p = total === 0 ? 100 : Math.min(100, Math.floor((done / total) * 100));
  row.bar.value = p;
  row.pct.textContent = `${p} %`;
}

async function upload(file: File, mount: string, prefix: string): Promise<void> {
  const key = joinKey(prefix, file.name);
  const row = uploadRow(file.name);
  row.li.dataset.state = 'uploading';
  row.msg.textContent = `Uploading to ${key}…`;
  try {
    if (file.size >= config.multipartThreshold) await multipartUpload(file, mount, key, row);
    else await ticketUpload(file, mount, key, row, false);
    setProgress(row, 1, 1);
    row.li.dataset.state = 'done';
    row.msg.textContent = `Uploaded to ${key} (${formatSize(file.size)})`;
    if (mount === state.mount && prefix === state.prefix) void refresh();
  } catch (err) {
    row.li.dataset.state = 'error';
    row.msg.textContent = explain(err);
    row.msg.title = row.msg.textContent;
  }
}

function describeHeaders(file: File, createOnly: boolean): Record<string, string> {
  const headers: Record<string, string> = { 'X-Upload-Length': String(file.size) };
  if (file.type) headers['X-Upload-Content-Type'] = file.type;
  if (createOnly) headers['If-None-Match'] = '*';
  return headers;
}

async function ticketUpload(file: File, mount: string, key: string, row: Row, createOnly: boolean): Promise<void> {
  let ticket: Ticket;
  try {
    ticket = await gwJson<Ticket>(`${keyPath(mount, key)}?upload`, { method: 'POST', headers: describeHeaders(file, createOnly) });
  } catch (err) {
    // A create-only folder: ask again for a create-only ticket (storage then refuses an overwrite with 412).
    if (err instanceof GatewayError && err.status === 428 && !createOnly) return ticketUpload(file, mount, key, row, true);
    throw err;
  }
  try {
    await putToStorage(ticket.url, ticket.headers, file, (n) => setProgress(row, n, file.size));
  } catch (err) {
    if (err instanceof StorageError && err.status === 412) throw new GatewayError(412, 'precondition_failed', '');
    throw err;
  }
}

async function multipartUpload(file: File, mount: string, key: string, row: Row, createOnly = false): Promise<void> {
  const base = keyPath(mount, key);
  let created: MultipartCreate;
  try {
    created = await gwJson<MultipartCreate>(`${base}?uploads`, { method: 'POST', headers: describeHeaders(file, createOnly) });
  } catch (err) {
    if (err instanceof GatewayError && err.status === 428 && !createOnly) return multipartUpload(file, mount, key, row, true);
    throw err;
  }
  const id = encodeURIComponent(created.uploadId);
  try {
    const parts = [...created.parts];
    let next = created.next;
    while (next !== undefined) {
      const page = await gwJson<{ parts: PartUrl[]; next?: string }>(`${base}?uploadId=${id}&parts=${next}`, { headers: { 'X-Upload-Length': String(file.size) } });
      parts.push(...page.parts);
      next = page.next;
    }
    const loaded = new Map<number, number>();
    const report = () => setProgress(row, [...loaded.values()].reduce((a, b) => a + b, 0), file.size);
    const etags: { partNumber: number; etag: string }[] = [];
    let offset = 0;
    const jobs = parts.map((p) => {
      const start = offset;
      offset += p.size;
      return { part: p, start };
    });
    let i = 0;
    const worker = async (): Promise<void> => {
      while (i < jobs.length) {
        const job = jobs[i++];
        if (!job) return;
        const answered = await putToStorage(job.part.url, {}, file.slice(job.start, job.start + job.part.size), (n) => {
          loaded.set(job.part.partNumber, n);
          report();
        });
        const etag = job.part.etag ?? answered;
        if (!etag) throw new Error('storage did not expose the ETag header (check the bucket CORS ExposeHeaders)');
        etags.push({ partNumber: job.part.partNumber, etag });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, jobs.length) }, worker));
    etags.sort((a, b) => a.partNumber - b.partNumber);
    row.msg.textContent = 'Finishing…';
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Upload-Length': String(file.size) };
    if (createOnly) headers['If-None-Match'] = '*';
    await gwJson(`${base}?uploadId=${id}`, { method: 'POST', headers, body: JSON.stringify({ parts: etags }) });
  } catch (err) {
    void gw(`${base}?uploadId=${id}`, { method: 'DELETE' }).catch(() => undefined);
    throw err;
  }
}

function uploadAll(files: Iterable<File>): void {
  for (const f of files) void upload(f, state.mount, state.prefix);
}

// ---- listing ----

function setStatus(text: string, bad = false): void {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('bad', bad);
}

function renderCrumbs(): void {
  const nav = $('crumbs');
  const parts = state.prefix.split('/').filter((p) => p !== '');
  const items: Node[] = [];
  const crumb = (label: string, prefix: string, current: boolean) =>
    current ? h('span', { 'aria-current': 'page' }, label) : navButton(label, prefix);
  items.push(crumb(state.mount.replace(/^\//, '') || '/', '', parts.length === 0));
  parts.forEach((p, i) => {
    items.push(h('span', { 'aria-hidden': 'true' }, '/'));
    items.push(crumb(p, `${parts.slice(0, i + 1).join('/')}/`, i === parts.length - 1));
  });
  nav.replaceChildren(...items);
}

function navButton(label: string, prefix: string, cls?: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: cls });
  b.textContent = label;
  b.addEventListener('click', () => go(state.mount, prefix));
  return b;
}

function go(mount: string, prefix: string): void {
  location.hash = hashFor(mount, prefix);
}

async function refresh(append = false): Promise<void> {
  const { mount, prefix } = state;
  try {
    const listing = await gwJson<Listing>(listingPath(mount, prefix, append ? state.cursor : null), { headers: { Accept: 'application/json' } });
    if (mount !== state.mount || prefix !== state.prefix) return;
    state.cursor = listing.cursor;
    renderRows(listing, append);
    setStatus(listing.entries.length + listing.folders.length === 0 && !append ? 'This folder is empty. Upload files to create it.' : '');
  } catch (err) {
    if (mount !== state.mount || prefix !== state.prefix) return;
    $('rows').replaceChildren();
    state.cursor = null;
    $('more').hidden = true;
    setStatus(`Cannot list this folder: ${explain(err)}`, true);
  }
}

function renderRows(listing: Listing, append: boolean): void {
  const rows: HTMLTableRowElement[] = [];
  for (const f of listing.folders) {
    rows.push(h('tr', { 'data-folder': f.name }, h('td', {}, navButton(`${f.name}/`, f.prefix, 'link')), h('td', { class: 'num' }, '—'), h('td', { class: 'when' }), h('td')));
  }
  for (const e of listing.entries) rows.push(fileRow(e));
  if (append) $('rows').append(...rows);
  else $('rows').replaceChildren(...rows);
  $('more').hidden = listing.cursor === null;
}

function fileRow(e: Entry): HTMLTableRowElement {
  const mount = state.mount;
  const note = h('span', { class: 'note', role: 'status' });
  const nameCell = h('td');
  if (token() === null) {
    nameCell.append(h('a', { href: `${keyPath(mount, e.key)}?download`, download: e.name }, e.name));
  } else {
    const b = h('button', { type: 'button', class: 'link' }, e.name);
    b.addEventListener('click', () => void signedInDownload(mount, e, note));
    nameCell.append(b);
  }
  nameCell.append(note);
  const share = h('button', { type: 'button' }, 'Share');
  share.setAttribute('aria-label', `Copy a share link to ${e.name}`);
  share.addEventListener('click', () => void shareLink(mount, e, nameCell, note));
  const del = h('button', { type: 'button' }, 'Delete');
  del.setAttribute('aria-label', `Delete ${e.name}`);
  const tr = h('tr', { 'data-key': e.key }, nameCell, h('td', { class: 'num' }, formatSize(e.size)), h('td', { class: 'when' }, new Date(e.lastModified).toLocaleString()), h('td', {}, h('div', { class: 'actions' }, share, del)));
  del.addEventListener('click', () => void remove(mount, e, tr, note));
  return tr;
}

function showNote(note: HTMLElement, text: string, bad: boolean): void {
  note.textContent = text;
  note.classList.toggle('err', bad);
}

/**
 * Signed in, a plain link cannot carry the Authorization header. Ask for a 60-second share link
 * and navigate to it (`&download`): the browser follows the 307 to storage without credentials.
 * Without the `share` permission, fetch the file (Authorization goes to the gateway only; the
 * browser drops it on the cross-origin redirect) and save it from memory.
 */
async function signedInDownload(mount: string, e: Entry, note: HTMLElement): Promise<void> {
  showNote(note, 'Preparing download…', false);
  try {
    const link = await gwJson<{ path: string }>(`${keyPath(mount, e.key)}?share&ttl=60`, { method: 'POST' });
    location.assign(`${link.path}&download`);
    showNote(note, '', false);
  } catch (err) {
    if (!(err instanceof GatewayError && err.status === 403)) return showNote(note, explain(err), true);
    try {
      const res = await gw(`${keyPath(mount, e.key)}?download`);
      if (!res.ok) throw res.status >= 300 && res.url.startsWith(location.origin) ? await errorOf(res) : new StorageError(res.status, '');
      const url = URL.createObjectURL(await res.blob());
      const a = h('a', { href: url, download: e.name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      showNote(note, '', false);
    } catch (err2) {
      showNote(note, explain(err2), true);
    }
  }
}

async function shareLink(mount: string, e: Entry, cell: HTMLElement, note: HTMLElement): Promise<void> {
  try {
    const link = await gwJson<{ url?: string; path: string; expiresAt: string }>(`${keyPath(mount, e.key)}?share`, { method: 'POST' });
    const url = new URL(link.path, location.origin).href;
    let field = cell.querySelector<HTMLInputElement>('input.share');
    if (!field) {
      field = h('input', { class: 'share', readonly: '', 'aria-label': `Share link to ${e.name}` });
      cell.append(field);
    }
    field.value = url;
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch {
      // no clipboard permission (or not a secure context): the field is the fallback
    }
    field.select();
    showNote(note, `${copied ? 'Share link copied' : 'Copy the share link below'} (valid until ${new Date(link.expiresAt).toLocaleString()}).`, false);
  } catch (err) {
    showNote(note, explain(err), true);
  }
}

async function remove(mount: string, e: Entry, tr: HTMLTableRowElement, note: HTMLElement): Promise<void> {
  if (!confirm(`Delete ${e.key}? This cannot be undone.`)) return;
  showNote(note, 'Deleting…', false);
  try {
    // The gateway answers 307 to a presigned DELETE on storage; fetch follows it (and drops Authorization).
    const res = await gw(keyPath(mount, e.key), { method: 'DELETE', redirect: 'follow' });
    if (!res.ok) throw new URL(res.url).origin === location.origin ? await errorOf(res) : new StorageError(res.status, '');
    tr.remove();
    setStatus(`Deleted ${e.name}.`);
  } catch (err) {
    showNote(note, explain(err), true);
  }
}

// ---- wiring ----

function applyHash(): void {
  const { mount, prefix } = parseHash(location.hash, config.mounts);
  state.mount = mount;
  state.prefix = prefix;
  state.cursor = null;
  $<HTMLSelectElement>('mount').value = mount;
  renderCrumbs();
  setStatus('Loading…');
  void refresh();
}

function renderAuth(): void {
  const signedIn = token() !== null;
  $('signin').hidden = signedIn;
  $('signedin').hidden = !signedIn;
}

function init(): void {
  const select = $<HTMLSelectElement>('mount');
  for (const m of config.mounts) select.append(h('option', { value: m }, m));
  $('mount-switch').hidden = config.mounts.length < 2;
  select.addEventListener('change', () => go(select.value, ''));

  $('signin').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = $<HTMLInputElement>('token');
    const value = input.value.trim().replace(/^Bearer\s+/i, '');
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    input.value = '';
    renderAuth();
    void refresh();
  });
  $('signout').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    renderAuth();
    void refresh();
  });

  const pick = $<HTMLInputElement>('pick');
  pick.addEventListener('change', () => {
    if (pick.files) uploadAll([...pick.files]);
    pick.value = '';
  });
  $('newfolder').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = $<HTMLInputElement>('foldername');
    const name = input.value.trim().replace(/^\/+|\/+$/g, '');
    if (!name || name.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      setStatus('Folder names cannot be empty, "." or "..".', true);
      return;
    }
    input.value = '';
    go(state.mount, `${state.prefix}${name}/`);
  });

  const drop = $('drop');
  const over = (on: boolean) => (ev: DragEvent) => {
    ev.preventDefault();
    drop.classList.toggle('over', on);
  };
  document.addEventListener('dragover', over(true));
  document.addEventListener('dragleave', over(false));
  document.addEventListener('drop', (ev) => {
    over(false)(ev);
    if (ev.dataTransfer?.files.length) uploadAll([...ev.dataTransfer.files]);
  });
  $('more').addEventListener('click', () => void refresh(true));

  window.addEventListener('hashchange', applyHash);
  renderAuth();
  applyHash();
}

init();
