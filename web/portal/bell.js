// The notification bell of the top bar: the member's unread count, raised the moment a
// notification arrives on the bell's live stream (`notificationAdded`), and the way to the
// feed. The feed screen hears of each new one through the "portal:notification" event, and
// of the count through "portal:unread".
import { html, useEffect, useRef, useState } from "./vendor/htm-preact-standalone-3.1.1.module.js";
import { gql } from "./graphql.js";
import { subscribe } from "./live.js";
import { Link } from "./ui.js";

const UNREAD = `query Unread { viewer { notifications(first: 1) { unreadCount } } }`;
const ADDED = `subscription NotificationAdded { notificationAdded { id type title path occurredAt read } }`;
// Only while the stream is down (dropped and retrying, or refused for good): a slow poll,
// so that the count still moves; while it is live, the stream says everything sooner.
const FALLBACK_POLL_MS = 5 * 60_000;

/** Tells the bell (and the feed) the count now, e.g. after marking all read. */
export function announceUnread(count) {
  dispatchEvent(new CustomEvent("portal:unread", { detail: count }));
}

/** The count, and how to ask for it; a ref keeps it current between renders, for the stream. */
function useUnreadCount() {
  const [unread, setUnread] = useState(null);
  const count = useRef(null);
  useEffect(() => {
    const heard = (event) => { count.current = event.detail; setUnread(event.detail); };
    addEventListener("portal:unread", heard);
    return () => removeEventListener("portal:unread", heard);
  }, []);
  const ask = () => gql(UNREAD).then(({ data }) => {
    const found = data?.viewer?.notifications?.unreadCount;
    if (found != null && found !== count.current) announceUnread(found);
  }, () => {}); // the bell keeps its last count while the portal cannot be reached
  const added = () => announceUnread((count.current || 0) + 1);
  return [unread, ask, added];
}

/** "connecting", "live" or "down"; each new notification also goes out as "portal:notification". */
function useNotificationStream(ask, added) {
  const [state, setState] = useState("connecting");
  useEffect(() => subscribe("NotificationAdded", ADDED, {}, {
    onData: ({ notificationAdded: found }) => {
      dispatchEvent(new CustomEvent("portal:notification", { detail: found })); // the feed first:
      if (!found.read) added(); // then the count it already shows
    },
    onOpen: () => { setState("live"); ask(); }, // what came while it was not open
    onMissed: ask, // one came that the gateway could not send: the count still says it
    onError: () => setState("down"),
  }), []);
  return state;
}

export function Bell({ href }) {
  const [unread, ask, added] = useUnreadCount();
  const stream = useNotificationStream(ask, added);
  useEffect(() => {
    if (stream !== "down") return undefined;
    ask(); // and at each screen change, while nothing better tells the count
    const timer = setInterval(() => document.visibilityState === "visible" && ask(), FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [stream, href]);
  const name = unread ? `Notifications, ${unread} unread` : "Notifications";
  return html`<${Link} class="bell" href="/notifications" aria-label=${name}
    aria-current=${href.split("?")[0] === "/notifications" ? "page" : undefined}>
    <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22"><path fill="currentColor"
      d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" /></svg>
    ${unread > 0 && html`<span class="bell-count" aria-hidden="true">${unread > 99 ? "99+" : unread}</span>`}
  </${Link}>`;
}
