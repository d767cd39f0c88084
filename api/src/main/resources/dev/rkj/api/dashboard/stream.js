// The daemon's event stream (GET /v1/events, newline-delimited JSON), followed for as long as the page
// is open. The cursor is the journal index: after a disconnect or a daemon restart the stream is asked
// again with after=<the last index seen>, so no change is missed and none is delivered twice (an event
// at or below the cursor would be a repeat: it is counted, and dropped).

/** Reads a response of newline-delimited JSON to its end, handing over the lines each chunk completes. */
export async function ndjson(response, onLines) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const lines = buffer.split('\n');
    buffer = lines.pop();
    onLines(lines.filter(Boolean));
  }
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Follows the stream. onReady(index) once the first subscription is open (the cursor it starts at);
 * onEvent(event) for each journal event, in index order; onStatus('live' | 'reconnecting' |
 * 'logged-out' | 'resync'). Returns the follower: {cursor(), repeats(), stop()}.
 */
export function follow({ onReady, onEvent, onStatus }) {
  let cursor = null;
  let repeats = 0;
  let stopped = false;
  let ready = false;
  let controller = null;

  function control(message) {
    if (message.type === 'subscribed' && !ready) {
      cursor = message.index;
      ready = true;
      onReady(cursor);
    } else if (message.type === 'heartbeat' || message.type === 'closed') {
      if (cursor === null || message.index > cursor) cursor = message.index; // unfiltered: nothing skipped
    }
  }

  function line(text) {
    const message = JSON.parse(text);
    if (message.type === 'subscribed' || message.type === 'heartbeat' || message.type === 'closed') {
      control(message);
      return;
    }
    if (cursor !== null && message.index <= cursor) {
      repeats++;
      return;
    }
    cursor = message.index;
    onEvent(message);
  }

  async function once() {
    controller = new AbortController();
    const url = '/v1/events' + (cursor === null ? '' : '?after=' + cursor);
    const response = await fetch(url, { headers: { Accept: 'application/x-ndjson' }, signal: controller.signal });
    if (response.status === 401) {
      onStatus('logged-out');
      stopped = true;
      return;
    }
    if (response.status === 410) { // the journal was pruned past the cursor: start again from now
      cursor = null;
      ready = false;
      onStatus('resync');
      return;
    }
    if (!response.ok) throw new Error('HTTP ' + response.status);
    onStatus('live');
    await ndjson(response, messages => messages.forEach(line));
  }

  (async () => {
    let delay = 200;
    while (!stopped) {
      const began = Date.now();
      try {
        await once();
      } catch (e) {
        // the daemon is gone or restarting: ask again from the cursor
      }
      if (stopped) break;
      onStatus('reconnecting');
      if (Date.now() - began > 5000) delay = 200;
      await sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
  })();

  return {
    cursor: () => cursor,
    repeats: () => repeats,
    stop: () => { stopped = true; if (controller) controller.abort(); },
  };
}
