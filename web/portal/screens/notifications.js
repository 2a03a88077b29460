// Notifications: the member's in-app feed, newest first; a new one shows at the top as the
// bell's live stream hears of it. "Mark all as read" clears the bell.
import { html, useEffect, useRef, useState } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { gql } from "../graphql.js";
import { announceUnread } from "../bell.js";
import { Empty, Link, Section, Unavailable } from "../ui.js";

export const title = "Notifications";
const FEED = `query Feed($after: String) { viewer { notifications(first: 20, after: $after) {
  unreadCount pageInfo { hasNextPage endCursor } nodes { id type title path occurredAt read } } } }`;
const MARK_READ = `mutation MarkRead { markNotificationsRead { readAt unreadCount } }`;

export function load() {
  return { query: FEED, variables: { after: null } };
}

function when(iso) {
  return new Date(iso).toLocaleString(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });
}

export function Screen({ data }) {
  const [feed, setFeed] = useState(data?.viewer?.notifications || null);
  const [more, setMore] = useState([]); // older pages, as the member asked for them
  const [busy, setBusy] = useState(false);
  // The count the feed shows, at once (a render comes later): the bell's next count is news
  // only when it differs.
  const shownCount = useRef(feed?.unreadCount);
  const refresh = async () => {
    const { data: fresh } = await gql(FEED, { after: null });
    if (fresh?.viewer?.notifications) {
      shownCount.current = fresh.viewer.notifications.unreadCount;
      setFeed(fresh.viewer.notifications);
      setMore([]);
    }
  };
  useEffect(() => {
    // One arrived on the bell's stream: on top, as the feed would list it.
    const arrived = ({ detail: added }) => {
      if (shownCount.current == null) return;
      if (!added.read) shownCount.current += 1;
      setFeed((shown) => shown && {
        ...shown,
        unreadCount: shown.unreadCount + (added.read ? 0 : 1),
        nodes: [added, ...shown.nodes.filter((n) => n.id !== added.id)],
      });
    };
    // The bell heard of another count: read elsewhere, or something came while its stream
    // was down.
    const heard = (event) => { if (shownCount.current != null && event.detail !== shownCount.current) refresh(); };
    addEventListener("portal:notification", arrived);
    addEventListener("portal:unread", heard);
    return () => {
      removeEventListener("portal:notification", arrived);
      removeEventListener("portal:unread", heard);
    };
  }, []);
  const markRead = async () => {
    setBusy(true);
    const { data: done } = await gql(MARK_READ);
    setBusy(false);
    if (done?.markNotificationsRead) {
      shownCount.current = done.markNotificationsRead.unreadCount; // refreshed just below
      announceUnread(done.markNotificationsRead.unreadCount);
      await refresh();
    }
  };
  const older = async () => {
    const last = more.length ? more[more.length - 1] : feed;
    const { data: page } = await gql(FEED, { after: last.pageInfo.endCursor });
    if (page?.viewer?.notifications) setMore([...more, page.viewer.notifications]);
  };
  const items = feed ? [feed, ...more].flatMap((p) => p.nodes) : [];
  const lastPage = more.length ? more[more.length - 1] : feed;
  return html`<h1>Notifications</h1>
    <p class="lede">What changed on your account's invoices, tickets, documents and subscription, as it happens.</p>
    <${Section} title="Feed" action=${feed?.unreadCount > 0 && html`<button class="secondary" onClick=${markRead} disabled=${busy}>Mark all as read</button>`}>
      ${feed == null ? html`<${Unavailable} what="Notifications" />`
        : items.length === 0 ? html`<${Empty} title="No notifications yet">New invoices, ticket replies, documents and renewals show here and on the bell at the top, without reloading the page. Choose what reaches you by email or text message in My profile.</${Empty}>`
        : html`<ul class="rows feed">${items.map((n) => html`<li class=${n.read ? "" : "unread"}>
            <div><${Link} href=${n.path}>${n.title}</${Link}>${!n.read && html` <span class="badge badge-new">New</span>`}
              <br /><span class="muted">${when(n.occurredAt)}</span></div>
          </li>`)}</ul>`}
      ${lastPage?.pageInfo?.hasNextPage && html`<p><button class="secondary" onClick=${older}>Show older</button></p>`}
    </${Section}>`;
}
