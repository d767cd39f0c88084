// How the dashboard writes times and durations: times always with their zone (the browser's own).

const TIME = new Intl.DateTimeFormat('sv-SE', {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  timeZoneName: 'short',
});

/** 2026-12-06 01:52:10 UTC (the browser's zone, named). */
export function time(iso) {
  if (!iso) return '';
  return TIME.format(new Date(iso));
}

/** 850 ms, 1.24 s, 3 m 05 s, 2 h 07 m. */
export function duration(ms) {
  if (ms < 1000) return Math.max(0, Math.round(ms)) + ' ms';
  if (ms < 60_000) return (ms / 1000).toFixed(2) + ' s';
  const s = Math.floor(ms / 1000);
  if (s < 3600) return Math.floor(s / 60) + ' m ' + String(s % 60).padStart(2, '0') + ' s';
  return Math.floor(s / 3600) + ' h ' + String(Math.floor(s / 60) % 60).padStart(2, '0') + ' m';
}

/** The zone times are shown in, for headings. */
export const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
