// A pod's lifecycle timeline, drawn from its journal events: one lane per stage, each a span from the
// event that begins the stage to the one that ends it. The stage a pod.stage-failed names ends its lane
// in failure, with the reason.
import { html } from './vendor/htm-preact.js';
import { duration } from './format.js';

export const LANES = ['resolve', 'verify', 'render', 'prepare', 'launch', 'run', 'release'];

/** The lane of each stage of pod.stage-failed (the engine's Stage enum, lower-cased). */
const FAILED_LANE = { fetch: 'resolve', verify: 'verify', unpack: 'render', render: 'render', prepare: 'prepare',
  launch: 'launch', stop: 'run', release: 'release', gc: 'release' };

const kind = e => e.type.split('/')[0];
const at = e => Date.parse(e.time);

/**
 * The lanes of a pod: [{lane, start, end, failed, reason, open}] (times in ms since the epoch; end null
 * while the stage is under way), in LANES order, only those the pod reached.
 */
export function spans(events, running) {
  const first = t => events.find(e => kind(e) === t);
  const last = t => [...events].reverse().find(e => kind(e) === t);
  const created = first('pod.created');
  const resolved = last('pod.image-resolved');
  const verified = last('pod.image-verified');
  const rendered = last('pod.image-rendered');
  const prepared = first('pod.prepared');
  const requested = last('pod.launch-requested');
  const started = first('pod.started');
  const exited = first('pod.exited') || first('pod.lost');
  const release = first('pod.marked-garbage') || first('pod.delete-requested');
  const deleted = first('pod.deleted');
  const launchFrom = prepared && requested ? (at(requested) > at(prepared) ? requested : prepared) : prepared || requested;
  const plan = {
    resolve: [created, resolved],
    verify: [resolved, verified],
    render: [verified || resolved, rendered],
    prepare: [rendered, prepared],
    launch: [launchFrom, started],
    run: [started, exited],
    release: [release, deleted],
  };
  const result = [];
  const failures = events.filter(e => kind(e) === 'pod.stage-failed');
  for (const lane of LANES) {
    const [from, to] = plan[lane];
    const failure = failures.find(f => FAILED_LANE[String(f.payload.stage).toLowerCase()] === lane);
    if (!from && !failure) continue;
    const start = from ? at(from) : at(failure);
    let span = { lane, start, end: to ? at(to) : null, failed: false, reason: null, open: false };
    if (failure && (!to || at(failure) <= at(to))) {
      span = { ...span, end: at(failure), failed: true, reason: failure.payload.reason };
    } else if (lane === 'run' && exited && kind(exited) === 'pod.lost') {
      span = { ...span, failed: true, reason: exited.payload.reason };
    } else if (lane === 'run' && exited && exited.payload.exitCode !== 0) {
      span = { ...span, failed: true, reason: 'exit status ' + exited.payload.exitCode + ' (' + exited.payload.reason + ')' };
    } else if (!to) {
      if (!running && lane !== 'run') continue; // a stage that did not happen (e.g. verify with --insecure-options)
      span = { ...span, open: true };
    }
    result.push(span);
  }
  return result;
}

const WIDTH = 760;
const LABEL = 70;
const ROW = 26;

/** The timeline as SVG, with each lane's duration written beside its bar. */
export function Timeline({ events, running, now }) {
  const lanes = spans(events, running);
  if (lanes.length === 0) return html`<p class="muted">No lifecycle events yet.</p>`;
  const t0 = Math.min(...lanes.map(s => s.start));
  const t1 = Math.max(...lanes.map(s => s.end ?? now), t0 + 1);
  const scale = (WIDTH - LABEL - 120) / (t1 - t0);
  const height = lanes.length * ROW + 8;
  const failures = lanes.filter(s => s.failed);
  return html`
    <svg class="timeline" role="img" width=${WIDTH} height=${height} viewBox="0 0 ${WIDTH} ${height}"
         aria-labelledby="timeline-title">
      <title id="timeline-title">Lifecycle of the pod: ${lanes.map(s => s.lane + ' ' + label(s, now)).join(', ')}</title>
      ${lanes.map((s, i) => {
        const end = s.end ?? now;
        const x = LABEL + (s.start - t0) * scale;
        const w = Math.max(2, (end - s.start) * scale);
        const y = 4 + i * ROW;
        return html`<g class="lane" data-lane=${s.lane} data-start=${s.start} data-ms=${end - s.start}
                       data-failed=${String(s.failed)}>
          <rect class="lane-bg" x=${LABEL} y=${y} width=${WIDTH - LABEL} height=${ROW - 6}></rect>
          <text x="4" y=${y + 15}>${s.lane}</text>
          <rect class=${'bar' + (s.failed ? ' failed' : s.open ? ' open' : '')} x=${x} y=${y + 3} width=${w}
                height=${ROW - 12}><title>${s.lane}: ${label(s, now)}${s.reason ? ' — ' + s.reason : ''}</title></rect>
          <text class="duration" x=${x + w + 6} y=${y + 15}>${label(s, now)}</text>
        </g>`;
      })}
    </svg>
    ${failures.length > 0 && html`<ul class="reasons">${failures.map(s =>
      html`<li data-lane=${s.lane}><strong>${s.lane} failed:</strong> ${s.reason}</li>`)}</ul>`}`;
}

function label(span, now) {
  const text = duration((span.end ?? now) - span.start);
  return span.failed ? text + ' ✕ failed' : span.open ? text + ', under way' : text;
}
