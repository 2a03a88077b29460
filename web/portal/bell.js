// The notification bell of the top bar: the member's unread count, read again every 30 s
// and on each screen change (a same-origin poll; the CSP allows nothing else), and the way
// to the feed. The feed screen hears the count through the "portal:unread" event.
import { html, useEffect, useState } from "./vendor/htm-preact-standalone-3.1.1.module.js";
import { gql } from "./graphql.js";
import { Link } from "./ui.js";

const UNREAD = `query Unread { viewer { notifications(first: 1) { unreadCount } } }`;
const EVERY_MS = 30_000;

/** Tells the bell (and the feed) the count now, e.g. after marking all read. */
export function announceUnread(count) {
  dispatchEvent(new CustomEvent("portal:unread", { detail: count }));
}

export function Bell({ href }) {
  const [unread, setUnread] = useState(null);
  useEffect(() => {
    const heard = (event) => setUnread(event.detail);
    addEventListener("portal:unread", heard);
    return () => removeEventListener("portal:unread", heard);
  }, []);
  useEffect(() => {
    let live = true;
    const ask = () => gql(UNREAD).then(({ data }) => {
      const count = data?.viewer?.notifications?.unreadCount;
      if (live && count != null && count !== unread) announceUnread(count);
    }, () => {}); // the bell keeps its last count while the portal cannot be reached
    ask();
    const timer = setInterval(() => document.visibilityState === "visible" && ask(), EVERY_MS);
    return () => { live = false; clearInterval(timer); };
  }, [href]);
  const name = unread ? `Notifications, ${unread} unread` : "Notifications";
  return html`<${Link} class="bell" href="/notifications" aria-label=${name}
    aria-current=${href.split("?")[0] === "/notifications" ? "page" : undefined}>
    <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22"><path fill="currentColor"
      d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" /></svg>
    ${unread > 0 && html`<span class="bell-count" aria-hidden="true">${unread > 99 ? "99+" : unread}</span>`}
  </${Link}>`;
}
