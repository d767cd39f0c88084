// The rkj dashboard: pods (live), a pod's timeline, logs and events, the audit trail, the images.
// Plain ES modules, no build step; Preact + htm vendored (vendor/VENDORED says which, and its licence).
import { html, render, useState, useEffect, useRef } from './vendor/htm-preact.js';
import { follow, ndjson } from './stream.js';
import { Timeline } from './timeline.js';
import { time, duration, ZONE } from './format.js';

// ---- the live model: the pods as the event stream leaves them ---------------------------------

const RECENT = 5000; // events kept for the pod pages, newest last
const model = { pods: new Map(), recent: [], status: 'connecting', version: 0, follower: null };
const listeners = new Set();

function changed() {
  model.version++;
  document.body.dataset.lastIndex = String(model.follower ? model.follower.cursor() : '');
  document.body.dataset.repeats = String(model.follower ? model.follower.repeats() : 0);
  listeners.forEach(l => l(model.version));
}

function useModel() {
  const [, set] = useState(0);
  useEffect(() => { listeners.add(set); return () => listeners.delete(set); }, []);
  return model;
}

function keep(pod) {
  if (pod.state === 'deleted') model.pods.delete(pod.name);
  else model.pods.set(pod.name, pod);
}

async function getJson(url, init) {
  const response = await fetch(url, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || body.title || 'HTTP ' + response.status);
  return body;
}

model.follower = follow({
  onReady: async () => {
    // The stream is open at index N; the list is taken after it. A pod an event touched since keeps
    // the event's state (later events keep it current); the others are as the list says.
    const list = await getJson('/v1/pods');
    for (const pod of list.pods) if (!model.pods.has(pod.name)) keep(pod);
    changed();
  },
  onEvent: event => {
    document.body.dataset.lastLagMs = String(Date.now() - Date.parse(event.time)); // journal time to shown, same host
    if (event.pod) keep(event.pod);
    model.recent.push(event);
    if (model.recent.length > RECENT) model.recent.splice(0, model.recent.length - RECENT);
    changed();
  },
  onStatus: status => {
    if (status === 'resync') model.pods.clear(); // the list is read again when the new subscription opens
    model.status = status;
    changed();
  },
});

// ---- routing: #/ pods, #/pod/ID, #/audit, #/images ---------------------------------------------

function useRoute() {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function useNow(ms) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => { const t = setInterval(() => setNow(Date.now()), ms); return () => clearInterval(t); }, [ms]);
  return now;
}

const STATUS_TEXT = { live: 'live', reconnecting: 'reconnecting…', connecting: 'connecting…',
  'logged-out': 'logged out: run rkj dashboard for a new login URL', resync: 'resynchronising…' };

function App() {
  const route = useRoute();
  const m = useModel();
  const main = useRef(null);
  useEffect(() => { if (main.current) main.current.focus(); }, [route]);
  const [, page, arg] = route.match(/^#\/([^/]*)\/?(.*)$/) || [];
  const nav = (href, text) => html`<a href=${href} aria-current=${route === href || (href !== '#/' && route.startsWith(href)) ? 'page' : null}>${text}</a>`;
  return html`
    <header>
      <h1>rkj</h1>
      <nav aria-label="Views">${nav('#/', 'Pods')}${nav('#/audit', 'Audit')}${nav('#/images', 'Images')}</nav>
      <span class="status" id="stream-status" role="status" aria-live="polite" data-state=${m.status}>
        Events: ${STATUS_TEXT[m.status] || m.status}</span>
    </header>
    <main id="main" tabindex="-1" ref=${main}>
      ${page === 'pod' ? html`<${PodPage} id=${decodeURIComponent(arg)} />`
        : page === 'audit' ? html`<${AuditPage} />`
        : page === 'images' ? html`<${ImagesPage} />`
        : html`<${PodsPage} />`}
    </main>`;
}

// ---- pods ---------------------------------------------------------------------------------------

function stateClass(state) {
  return 'state state-' + String(state).replace(/\s+/g, '-');
}

function appsOf(pod) {
  return (pod.apps || []).map(a => a.name).join(', ') || (pod.app_names || []).join(', ');
}

function ipsOf(pod) {
  const nets = pod.networks || pod.ips || [];
  return nets.map(n => (typeof n === 'string' ? n : (n.name ? n.name + ': ' : '') + (n.ip || n.address || ''))).join(', ');
}

function PodsPage() {
  const m = useModel();
  const now = useNow(1000);
  const [filter, setFilter] = useState('');
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const pods = [...m.pods.values()]
    .filter(p => words.every(w => [p.name, p.state, appsOf(p), p.image_name, p.image_id].join(' ').toLowerCase().includes(w)))
    .sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
  const showIps = pods.some(p => ipsOf(p));
  return html`
    <h2>Pods</h2>
    <div class="filters">
      <label>Filter (id, state, app, image)
        <input id="pod-filter" type="search" value=${filter} onInput=${e => setFilter(e.target.value)} /></label>
      <span class="muted">${pods.length} of ${m.pods.size} pods; times in ${ZONE}</span>
    </div>
    <table id="pods">
      <thead><tr><th scope="col">Pod</th><th scope="col">State</th><th scope="col">Apps</th><th scope="col">Image</th>
        <th scope="col">Created</th><th scope="col">Age</th><th scope="col">Exit</th>${showIps && html`<th scope="col">IPs</th>`}</tr></thead>
      <tbody>
        ${pods.map(p => html`<tr key=${p.name} data-pod=${p.name} data-state=${p.state}>
          <td><a class="mono" href=${'#/pod/' + p.name}>${p.name.slice(0, 8)}</a></td>
          <td class=${stateClass(p.state)}>${p.state}</td>
          <td>${appsOf(p)}</td>
          <td>${p.image_name || ''}</td>
          <td>${time(p.created_at)}</td>
          <td>${p.created_at ? duration(now - Date.parse(p.created_at)) : ''}</td>
          <td class=${'exit' + (p.exit_code ? ' failed' : '')}>${p.exit_code ?? ''}</td>
          ${showIps && html`<td>${ipsOf(p)}</td>`}
        </tr>`)}
      </tbody>
    </table>
    ${m.pods.size === 0 && html`<p class="muted">No pods yet.</p>`}`;
}

// ---- one pod: timeline, logs, raw events ------------------------------------------------------------

function PodPage({ id }) {
  const m = useModel();
  const now = useNow(500);
  const [loaded, setLoaded] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setLoaded(null);
    getJson('/v1/journal?aggregate=' + encodeURIComponent(id) + '&limit=1000')
      .then(page => setLoaded(page.events), e => setError(e.message));
  }, [id]);
  const pod = m.pods.get(id) || [...m.pods.values()].find(p => p.name.startsWith(id));
  const podId = pod ? pod.name : id;
  const byIndex = new Map();
  for (const e of loaded || []) byIndex.set(e.index, e);
  for (const e of m.recent) if (e.aggregate === podId) byIndex.set(e.index, e);
  const events = [...byIndex.values()].sort((a, b) => a.index - b.index);
  const running = pod && !['exited', 'aborted prepare', 'garbage', 'deleted'].includes(pod.state);
  return html`
    <h2>Pod <span class="mono">${podId}</span></h2>
    ${error && html`<p class="failed">${error}</p>`}
    ${pod && html`<p>State <span id="pod-state" class=${stateClass(pod.state)}>${pod.state}</span>${' · apps '}${appsOf(pod)}${' · image '}${pod.image_name || ''}${pod.exit_code != null && html`${' · exit status '}<span id="pod-exit">${pod.exit_code}</span>`}${pod.created_at && ' · created ' + time(pod.created_at)}</p>`}
    <h3>Lifecycle</h3>
    <div id="timeline"><${Timeline} events=${events} running=${running} now=${now} /></div>
    <h3>Logs</h3>
    <${Logs} id=${podId} follow=${!!running} />
    <h3>Events</h3>
    <details><summary>${events.length} journal events (raw)</summary>
      <table id="pod-events"><thead><tr><th scope="col">Index</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Payload</th></tr></thead>
        <tbody>${events.map(e => html`<tr key=${e.index}><td>${e.index}</td><td>${time(e.time)}</td><td class="mono">${e.type}</td>
          <td><code>${JSON.stringify(e.payload)}</code></td></tr>`)}</tbody></table>
    </details>`;
}

function Logs({ id, follow }) {
  const [lines, setLines] = useState([]);
  const [note, setNote] = useState('');
  useEffect(() => {
    const controller = new AbortController();
    setLines([]);
    (async () => {
      try {
        const response = await fetch('/v1/pods/' + encodeURIComponent(id) + '/logs' + (follow ? '?follow=true' : ''),
          { signal: controller.signal, headers: { Accept: 'application/x-ndjson' } });
        if (!response.ok) { setNote('no logs: ' + ((await response.json().catch(() => ({}))).detail || response.status)); return; }
        setNote(follow ? 'following' : '');
        await ndjson(response, lines => {
          if (lines.length) setLines(old => old.concat(lines.map(l => JSON.parse(l))).slice(-2000));
        });
        setNote('');
      } catch (e) {
        if (!controller.signal.aborted) setNote('the log stream ended: ' + e.message);
      }
    })();
    return () => controller.abort();
  }, [id, follow]);
  return html`<p class="muted" aria-live="polite">${note}</p>
    <pre class="logs" id="logs" tabindex="0" aria-label="Logs">${lines.map(r =>
      html`<span class=${r.stream}>${r.time ? time(r.time) + ' ' : ''}${r.app}: ${r.text}${r.partial ? '' : '\n'}</span>`)}</pre>`;
}

// ---- audit ------------------------------------------------------------------------------------------

function AuditPage() {
  const [form, setForm] = useState({ aggregate: '', type: '', from: '', to: '', since: '', until: '' });
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const [verify, setVerify] = useState(null);
  const load = async (from) => {
    setError(null);
    const q = new URLSearchParams({ limit: '200' });
    if (form.aggregate) q.set('aggregate', form.aggregate);
    if (form.type) q.set('type', form.type);
    if (from !== undefined && from !== '') q.set('from', from);
    if (form.to) q.set('to', form.to);
    try { setPage(await getJson('/v1/journal?' + q)); } catch (e) { setError(e.message); }
  };
  useEffect(() => { load(form.from); }, []);
  const runVerify = async () => {
    setVerify({ running: true });
    try { setVerify(await getJson('/v1/journal/verify', { method: 'POST' })); } catch (e) { setVerify({ error: e.message }); }
  };
  const since = form.since ? Date.parse(form.since) : null;
  const until = form.until ? Date.parse(form.until) : null;
  const shown = (page ? page.events : []).filter(e => (since === null || Date.parse(e.time) >= since)
    && (until === null || Date.parse(e.time) <= until));
  const field = (name, text, type = 'text') => html`<label>${text}
    <input name=${name} type=${type} value=${form[name]} onInput=${e => setForm({ ...form, [name]: e.target.value })} /></label>`;
  return html`
    <h2>Audit trail</h2>
    <p>Hash chain: <button id="verify" onClick=${runVerify}>Verify the chain</button>
      <span id="verify-result" role="status" aria-live="polite">${verify === null ? ''
        : verify.running ? ' verifying…' : verify.error ? ' cannot verify: ' + verify.error
        : verify.ok ? ' intact: ' + verify.checked + ' events checked'
        : ' BROKEN at index ' + verify.first_broken_index + ': ' + verify.problem}</span></p>
    <form class="filters" onSubmit=${e => { e.preventDefault(); load(form.from); }}>
      ${field('aggregate', 'Pod or image id (prefix)')}
      ${field('type', 'Type (pod.started or pod.started/3)')}
      ${field('from', 'From index', 'number')}
      ${field('to', 'To index', 'number')}
      ${field('since', 'Since (local time, ' + ZONE + ')', 'datetime-local')}
      ${field('until', 'Until (local time, ' + ZONE + ')', 'datetime-local')}
      <button type="submit">Show</button>
    </form>
    ${error && html`<p class="failed">${error}</p>`}
    ${page && html`<p class="muted">${shown.length} events shown (indexes up to ${page.next - 1} read; the journal ends at ${page.end - 1}); times in ${ZONE}
      ${page.next < page.end && html` · <button onClick=${() => load(page.next)}>Next page (from ${page.next})</button>`}</p>
      <table id="audit"><thead><tr><th scope="col">Index</th><th scope="col">Time</th><th scope="col">Aggregate</th>
        <th scope="col">Type</th><th scope="col">Payload</th></tr></thead>
      <tbody>${shown.map(e => html`<tr key=${e.index}><td>${e.index}</td><td>${time(e.time)}</td>
        <td class="mono">${e.aggregate.startsWith('sha512-') ? e.aggregate.slice(0, 19)
          : html`<a href=${'#/pod/' + e.aggregate}>${e.aggregate.slice(0, 8)}</a>`}</td>
        <td class="mono">${e.type}</td><td><code>${JSON.stringify(e.payload)}</code></td></tr>`)}</tbody></table>`}`;
}

// ---- images -----------------------------------------------------------------------------------------

function ImagesPage() {
  const m = useModel();
  const [images, setImages] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { getJson('/v1/images').then(setImages, e => setError(e.message)); }, [m.recent.length]);
  return html`
    <h2>Images in the store</h2>
    ${error && html`<p class="failed">${error}</p>`}
    ${images && html`<table id="images"><thead><tr><th scope="col">Name</th><th scope="col">Labels</th><th scope="col">ID</th>
      <th scope="col">Size</th><th scope="col">Imported (${ZONE})</th><th scope="col">Rendered</th></tr></thead>
      <tbody>${images.map(i => html`<tr key=${i.id}><td>${i.name}</td>
        <td>${Object.entries(i.labels || {}).map(([k, v]) => k + '=' + v).join(', ')}</td>
        <td class="mono">${i.id.slice(0, 19)}</td><td>${(i.size / 1024).toFixed(0)} KiB</td>
        <td>${time(i.import_time)}</td><td>${i.rendered ? 'yes' : 'no'}</td></tr>`)}</tbody></table>`}`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
