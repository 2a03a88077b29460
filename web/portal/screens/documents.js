// Documents and invoices: search by name, filter by type and date, download in one click.
// The filters live in the address, so a filtered list can be reloaded, bookmarked and shared.
import { html, useState } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { gql, onAccount } from "../graphql.js";
import { Empty, Section, Unavailable, bytes, day, isStale, label, navigate } from "../ui.js";

export const title = "Documents";
const TYPES = ["INVOICE", "CONTRACT", "STATEMENT_OF_WORK", "REPORT", "OTHER"];
const PAGE = 20;
const FIELDS = `pageInfo { hasNextPage endCursor } nodes { id name type size createdAt downloadUrl }`;

function filterOf(search) {
  const filter = {};
  if (search.get("q")) filter.nameContains = search.get("q");
  if (TYPES.includes(search.get("type"))) filter.types = [search.get("type")];
  if (search.get("from")) filter.createdFrom = search.get("from") + "T00:00:00Z";
  if (search.get("to")) filter.createdTo = search.get("to") + "T23:59:59Z";
  return filter;
}

export function load({ accountId, search }) {
  return onAccount(accountId, `id documents(first: ${PAGE}, after: $after, filter: $filter) { ${FIELDS} }`, {
    defs: ", $filter: DocumentFilter, $after: String",
    variables: { filter: filterOf(search), after: null },
  });
}

function Filters({ search }) {
  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const params = new URLSearchParams();
    for (const [key, value] of form) if (value) params.set(key, value);
    navigate("/documents" + (params.toString() ? "?" + params : ""));
  };
  return html`<form class="filters" role="search" onSubmit=${submit}>
    <div class="field grow"><label for="doc-q">Name contains</label>
      <input id="doc-q" name="q" type="search" value=${search.get("q") || ""} /></div>
    <div class="field"><label for="doc-type">Type</label>
      <select id="doc-type" name="type" value=${search.get("type") || ""}>
        <option value="">All types</option>
        ${TYPES.map((t) => html`<option value=${t}>${label(t)}</option>`)}
      </select></div>
    <div class="field"><label for="doc-from">From</label>
      <input id="doc-from" name="from" type="date" value=${search.get("from") || ""} /></div>
    <div class="field"><label for="doc-to">To</label>
      <input id="doc-to" name="to" type="date" value=${search.get("to") || ""} /></div>
    <div class="field actions"><button type="submit" class="primary">Search</button>
      ${[...search.keys()].length > 0 && html`<button type="button" class="secondary" onClick=${() => navigate("/documents")}>Clear</button>`}</div>
  </form>`;
}

export function Screen({ account, stale, search, session, result }) {
  const first = account?.documents;
  const [more, setMore] = useState({ nodes: [], pageInfo: null, busy: false });
  const pageInfo = more.pageInfo || first?.pageInfo;
  const nodes = [...(first?.nodes || []), ...more.nodes];
  const loadMore = async () => {
    setMore({ ...more, busy: true });
    const request = load({ accountId: session.accountId, search });
    const next = await gql(request.query, { ...request.variables, after: pageInfo.endCursor });
    const page = request.account(next.data)?.documents;
    setMore({ nodes: [...more.nodes, ...(page?.nodes || [])], pageInfo: page?.pageInfo || null, busy: false });
  };
  const filtered = [...search.keys()].length > 0;
  return html`<h1>Documents and invoices</h1>
    <${Filters} search=${search} />
    <${Section} title=${filtered ? "Matching documents" : "All documents"} stale=${isStale(stale, "documents")}>
      ${first == null ? html`<${Unavailable} what="Documents" />`
        : nodes.length === 0 ? (filtered
          ? html`<${Empty} title="Nothing matches">Try another name, type or date range.</${Empty}>`
          : html`<${Empty} title="No documents yet">Contracts, statements of work, reports and invoice PDFs we share with you appear here.</${Empty}>`)
        : html`<ul class="rows documents">${nodes.map((d) => html`<li>
            <div><span class="doc-name">${d.name}</span><br /><span class="muted">${label(d.type)} · ${day(d.createdAt)}${d.size ? " · " + bytes(d.size) : ""}</span></div>
            <div class="end"><a class="button secondary" href=${d.downloadUrl} download>Download<span class="sr-only"> ${d.name}</span></a></div>
          </li>`)}</ul>
          ${pageInfo?.hasNextPage && html`<button class="secondary" onClick=${loadMore} disabled=${more.busy}>Show more</button>`}`}
    </${Section}>`;
}
