// The portal app: session shell (who, which accounts), router, menu, banners, first-login
// guide. Each screen (screens/*.js, listed in routes.js) says what it queries and draws it.
import { html, render, useEffect, useRef, useState } from "./vendor/htm-preact-standalone-3.1.1.module.js";
import { gql } from "./graphql.js";
import { ROUTES, match } from "./routes.js";
import { Link, navigate } from "./ui.js";
import { applyBranding, Brand } from "./branding.js";
import { Guide } from "./guide.js";
import { Bell } from "./bell.js";

const SHELL = `query Shell { viewer {
  member { id name firstName email role firstLoginGuideCompletedAt }
  accounts { id name branding { logoUrl primaryColor } } } }`;
const ACCOUNT_KEY = "portal.account";
const NOTHING = { data: null, errors: [], services: [], stale: [] };

function useHref() {
  const [href, setHref] = useState(location.pathname + location.search);
  useEffect(() => {
    const changed = () => setHref(location.pathname + location.search);
    addEventListener("popstate", changed);
    return () => removeEventListener("popstate", changed);
  }, []);
  return href;
}

function useShell() {
  const [shell, setShell] = useState(null);
  const [failure, setFailure] = useState(null);
  useEffect(() => {
    FIRST.shell.then(setShell, (e) => setFailure(e.message));
  }, []);
  return [shell, setShell, failure];
}

/** The screen at `href`: its module, and the answer to its query. */
async function fetchScreen(href, accountId) {
  const url = new URL(href, location.origin);
  const { route, params } = match(url.pathname);
  const module = await route.load();
  const request = module.load ? module.load({ accountId, params, search: url.searchParams }) : null;
  const result = request ? await gql(request.query, request.variables) : NOTHING;
  const account = request?.account ? request.account(result.data) : null;
  return { module, route, params, search: url.searchParams, result, account, href, accountId };
}

function useScreen(href, accountId, version) {
  const [view, setView] = useState(null);
  const [failure, setFailure] = useState(null);
  useEffect(() => {
    let live = true;
    const first = version === 0 && href === FIRST.href && accountId === FIRST.accountId;
    (first ? FIRST.screen : fetchScreen(href, accountId))
      .then((found) => live && setView(found), (e) => live && setFailure(e.message));
    return () => { live = false; };
  }, [href, accountId, version]);
  return [view, failure];
}

function outageText(services) {
  if (!services.length) return null;
  const names = services.length === 1 ? services[0]
    : services.slice(0, -1).join(", ") + " and " + services[services.length - 1];
  return `${names} ${services.length === 1 ? "is" : "are"} unavailable right now; the rest is up to date.`;
}

function App() {
  const href = useHref();
  const [shell, setShell, shellFailure] = useShell();
  const [chosen, setChosen] = useState(sessionStorage.getItem(ACCOUNT_KEY));
  const [version, setVersion] = useState(0);
  const [menuOpen, setMenuOpen] = useState(false);
  const [view, screenFailure] = useScreen(href, chosen, version);
  const main = useRef(null);
  const shownBefore = useRef(false);

  const accounts = shell?.data?.viewer?.accounts || [];
  const member = shell?.data?.viewer?.member || null;
  const current = accounts.find((a) => a.id === chosen) || accounts[0] || null;
  useEffect(() => applyBranding(current?.branding), [current?.id]);
  useEffect(() => {
    // An account chosen in this tab by someone who signed in before: not this member's.
    if (shell && chosen && !accounts.some((a) => a.id === chosen)) switchAccount(accounts[0]?.id);
  }, [shell]);
  useEffect(() => setMenuOpen(false), [href]);
  const ready = shell && view && view.href === href && view.accountId === chosen;
  useEffect(() => {
    if (!ready) return;
    document.title = `${view.module.title} · Client portal`;
    performance.mark("portal:shown", { detail: view.href }); // read by bench/portal_browser.py
    if (shownBefore.current) main.current?.focus(); // move to the new screen, not on first load
    shownBefore.current = true;
  }, [ready && view]);

  const switchAccount = (id) => {
    const own = accounts[0]?.id;
    if (id === own) sessionStorage.removeItem(ACCOUNT_KEY);
    else sessionStorage.setItem(ACCOUNT_KEY, id);
    setChosen(id === own ? null : id);
  };
  const failure = shellFailure || screenFailure;
  const services = [...new Set([...(shell?.services || []), ...(ready ? view.result.services : [])])];
  const role = member?.role;
  const session = { member, role, accounts, account: current, accountId: chosen, canEdit: role === "ADMIN" || role === "USER", isAdmin: role === "ADMIN" };
  const Screen = ready ? view.module.Screen : null;

  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="topbar">
      <${Brand} account=${current} />
      ${accounts.length > 1 && html`<div class="switcher">
        <label for="account-switcher">Account</label>
        <select id="account-switcher" value=${current?.id} onChange=${(e) => switchAccount(e.target.value)}>
          ${accounts.map((a) => html`<option value=${a.id}>${a.name}</option>`)}
        </select></div>`}
      ${member && html`<${Bell} href=${href} />`}
      <button class="menu-button" aria-expanded=${menuOpen} aria-controls="menu"
        onClick=${() => setMenuOpen(!menuOpen)}>Menu</button>
    </header>
    <div class="layout">
      <nav id="menu" class=${menuOpen ? "menu open" : "menu"} aria-label="Portal">
        <ul>${ROUTES.filter((r) => r.nav && (!r.roles || r.roles.includes(role))).map((r) => html`
          <li><${Link} href=${r.path} aria-current=${isCurrent(r.path, href) ? "page" : undefined}>${r.nav}</${Link}></li>`)}
        </ul>
        ${member && html`<p class="whoami">${member.name}<br /><span>${member.email} · ${label(role)}</span></p>`}
        <button class="secondary logout" onClick=${logout}>Sign out</button>
      </nav>
      <main id="main" tabindex="-1" ref=${main} aria-busy=${ready ? "false" : "true"}>
        ${services.length > 0 && html`<p class="banner" role="status">${outageText(services)}</p>`}
        ${failure && html`<p class="banner banner-error" role="alert">${failure} <button class="link" onClick=${() => location.reload()}>Try again</button></p>`}
        ${member && !member.firstLoginGuideCompletedAt && html`<${Guide} member=${member}
          onDone=${(at) => setShell({ ...shell, data: { viewer: { ...shell.data.viewer, member: { ...member, firstLoginGuideCompletedAt: at } } } })} />`}
        ${ready ? html`<${Screen} key=${`${view.href} ${chosen} ${version}`} ...${view} data=${view.result.data} stale=${view.result.stale}
            session=${session} reload=${() => setVersion(version + 1)} navigate=${navigate} />`
          : !failure && html`<p class="loading" role="status">Loading…</p>`}
      </main>
    </div>`;
}

function label(role) {
  return { ADMIN: "Admin", USER: "User", READ_ONLY: "Read only" }[role] || "";
}

function isCurrent(path, href) {
  const pathname = href.split("?")[0];
  return path === "/" ? pathname === "/" : pathname === path || pathname.startsWith(path + "/");
}

async function logout() {
  // A JSON POST: a cross-site form cannot send one, so no other site can sign anyone out.
  await fetch("/auth/logout", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" }, body: "{}",
  }).catch(() => {});
  sessionStorage.removeItem(ACCOUNT_KEY);
  location.replace("/signin");
}

// Back to a page kept in the browser's memory (e.g. after signing out): ask the server again.
addEventListener("pageshow", (event) => { if (event.persisted) location.reload(); });

// The first screen's requests leave as soon as this module runs, before anything is drawn.
const FIRST = { href: location.pathname + location.search, accountId: sessionStorage.getItem(ACCOUNT_KEY) };
FIRST.shell = gql(SHELL);
FIRST.screen = fetchScreen(FIRST.href, FIRST.accountId);
FIRST.screen.catch(() => {}); // reported when the app reads it

const root = document.getElementById("app");
root.textContent = ""; // the "Loading…" placeholder of index.html
render(html`<${App} />`, root);
