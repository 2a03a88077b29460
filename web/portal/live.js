// Live updates: a GraphQL subscription read as GraphQL over SSE. The stream is a POST (a
// JSON body, like every other request of the app), which EventSource cannot send, so fetch
// reads it. Each open stream holds one of the 6 HTTP/1.1 connections a browser keeps per
// origin: the bell has one, a screen at most one more.
import { html, useEffect, useRef } from "./vendor/htm-preact-standalone-3.1.1.module.js";
import { signInAgain } from "./graphql.js";

const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 60_000;
// The gateway sends a heartbeat every 15 s (Strawberry's SSE default). Three missed: the
// connection died without a word (a phone changed networks), so drop it and open another.
const QUIET_MS = 45_000;
// Errors another try would meet again (another account's id, a document the gateway does
// not trust, no Redis behind it): the stream stops. Any other (an upstream down, an error
// without a code) leaves it open, or opens it again after a pause.
const FINAL = new Set([
  "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "GRAPHQL_PARSE_FAILED", "TRUSTED_DOCUMENT_REQUIRED",
  "PERSISTED_QUERY_INVALID", "PERSISTED_QUERY_NOT_FOUND", "PERSISTED_QUERY_HASH_MISMATCH",
]);

/** Why a stream closed; `final` when it will not be opened again. */
export class LiveError extends Error {
  constructor(message, { code = null, final = false } = {}) {
    super(message);
    this.code = code;
    this.final = final;
  }
}

/**
 * Streams `query` until the returned function is called.
 * onData(data): each event. onOpen(reopened): each time the stream opens; `reopened` after a
 * drop, when events may have been missed. onMissed(LiveError): an event the gateway could not
 * read (its upstream down); the stream goes on. onError(LiveError): each drop, and the last.
 */
export function subscribe(name, query, variables, { onData, onOpen = () => {}, onMissed = () => {}, onError = () => {} }) {
  const controller = new AbortController();
  const { signal } = controller;
  const run = async () => {
    let failures = 0;
    let opened = false;
    let isOpen = false;
    while (!signal.aborted) {
      try {
        await stream(query, variables, signal, {
          open: () => { isOpen = true; shownOpen(name, true); onOpen(opened); opened = true; },
          data: (data) => { failures = 0; onData(data); },
          missed: onMissed, // no proof the stream works: a refusal may follow (RATE_LIMITED)
          alive: () => { failures = 0; }, // a heartbeat: this stream lived, a drop is news
        });
        throw new LiveError("The portal ended the live updates."); // it completed: open again
      } catch (error) {
        if (isOpen) shownOpen(name, false);
        isOpen = false;
        if (signal.aborted) return;
        const reported = error instanceof LiveError ? error : new LiveError("The portal could not be reached.");
        onError(reported);
        if (reported.final) {
          // Said once, for whoever looks: the screen still works, only without live updates.
          if (reported.code !== "UNAUTHENTICATED") console.warn(`Live updates (${name}) stopped: ${reported.message}`);
          return;
        }
      }
      await pause(backoff(failures++), signal);
    }
  };
  run();
  return () => controller.abort();
}

/**
 * `subscribe` while the component is shown (`variables` null: nothing to subscribe to).
 * `catchUp()` reads again what events would have said, and resolves true once it could:
 * at once after a drop, after a pause when the gateway could not read an event's record,
 * and again after longer pauses until a read succeeds.
 */
export function useLive(name, query, variables, onData, catchUp = async () => true) {
  const latest = useRef({ onData, catchUp });
  latest.current = { onData, catchUp };
  const key = variables && JSON.stringify(variables);
  useEffect(() => {
    if (!key) return undefined;
    const gone = new AbortController();
    const readAgain = untilRead(() => latest.current.catchUp(), gone.signal);
    const stop = subscribe(name, query, variables, {
      onData: (data) => latest.current.onData(data),
      onOpen: (reopened) => reopened && readAgain({ wait: false }),
      onMissed: () => readAgain({ wait: true }),
    });
    return () => { gone.abort(); stop(); };
  }, [name, query, key]);
}

/** `read()` until it resolves true, one run at a time, with growing pauses between tries. */
function untilRead(read, signal) {
  let running = false;
  return async ({ wait }) => {
    if (running) return;
    running = true;
    for (let tries = 0; !signal.aborted; tries++) {
      if (wait || tries > 0) await pause(backoff(tries), signal);
      if (signal.aborted || (await read().catch(() => false))) break;
    }
    running = false;
  };
}

/** Says what changed on the screen to screen readers, without taking their focus. */
export function Announcement({ text }) {
  return html`<p class="sr-only" role="status" aria-live="polite">${text || ""}</p>`;
}

/** One try: resolves when the server ends the stream, throws a LiveError when it fails. */
async function stream(query, variables, signal, on) {
  // Its own controller: a try that ends on an error frees its connection at once.
  const attempt = new AbortController();
  const stop = () => attempt.abort();
  signal.addEventListener("abort", stop);
  let quiet = null;
  const heard = () => { clearTimeout(quiet); quiet = setTimeout(stop, QUIET_MS); };
  try {
    heard(); // the answer's headers, too, come within that time or not at all
    await read(query, variables, attempt.signal, { ...on, heard });
  } finally {
    clearTimeout(quiet);
    signal.removeEventListener("abort", stop);
    attempt.abort();
  }
}

async function read(query, variables, signal, on) {
  const response = await fetch("/graphql", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  if (response.status === 429 || response.status >= 500) {
    throw new LiveError(`The portal answered ${response.status}.`);
  }
  if (!(response.headers.get("content-type") || "").startsWith("text/event-stream")) {
    // Refused before any stream began: a GraphQL answer with its errors, or not even that.
    const answer = await response.json().catch(() => null);
    if (answer?.errors?.length) throw errorOf(answer);
    throw new LiveError(`The portal answered ${response.status} without live updates.`, { final: true });
  }
  on.open();
  await readEvents(response.body, (event, data) => {
    if (event === "next") received(JSON.parse(data), on);
    else if (event === "complete") throw new LiveError("The portal ended the live updates.");
  }, on);
}

/** One `next` payload: data to the screen, an event the gateway could not read, or the
 * refusal that ends the stream. */
function received(payload, on) {
  if (payload.data) return on.data(payload.data);
  const error = errorOf(payload);
  if (error.final) throw error;
  on.missed(error);
}

/** What a payload's errors mean here; an ended session is sent to sign in again. */
function errorOf(payload) {
  const codes = (payload.errors || []).map((e) => e.extensions?.code || null);
  if (codes.includes("UNAUTHENTICATED")) {
    signInAgain(); // the session ended: sign in, then come back here
    return new LiveError("Signed out.", { code: "UNAUTHENTICATED", final: true });
  }
  const code = codes.find((c) => FINAL.has(c)) ?? codes.find(Boolean) ?? null;
  const message = payload.errors?.[0]?.message || "Live updates stopped.";
  return new LiveError(message, { code, final: FINAL.has(code) });
}

/** Calls `dispatch(event, data)` per server-sent event, `on.alive()` per comment (a
 * heartbeat) and `on.heard()` per chunk of any kind. */
async function readEvents(body, dispatch, on) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let event = "message";
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    on.heard();
    buffer += value;
    const lines = buffer.split("\n");
    buffer = lines.pop(); // an unfinished line waits for the rest
    for (const raw of lines) {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line === "") {
        if (data.length) dispatch(event, data.join("\n"));
        event = "message";
        data = [];
      } else if (line.startsWith(":")) {
        on.alive();
      } else {
        const [field, ...rest] = line.split(":");
        const text = rest.join(":").replace(/^ /, "");
        if (field === "event") event = text;
        else if (field === "data") data.push(text);
      }
    }
  }
}

/** The wait before try number `failures + 1`: doubling, capped, jittered so that many
 * browsers dropped at once (a replica restarting) do not come back at once. */
function backoff(failures) {
  const ceiling = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** failures);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Waits `ms`, less when the browser comes back online, none once `signal` aborts. */
function pause(ms, signal) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      removeEventListener("online", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    addEventListener("online", done);
    signal.addEventListener("abort", done);
  });
}

// The names of the open streams, on <html data-live="…">: for a person debugging the page,
// and for the browser tests, which wait for a stream before they change something upstream.
const openStreams = new Map();

function shownOpen(name, isOpen) {
  openStreams.set(name, (openStreams.get(name) || 0) + (isOpen ? 1 : -1));
  if (openStreams.get(name) <= 0) openStreams.delete(name);
  document.documentElement.dataset.live = [...openStreams.keys()].sort().join(" ");
}
