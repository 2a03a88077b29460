// Team: the people of the account who can use the portal.
import { html } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { onAccount } from "../graphql.js";
import { Badge, Empty, Section, Unavailable, isStale, label } from "../ui.js";

export const title = "Team";

export function load({ accountId }) {
  return onAccount(accountId, `id team(first: 100) { totalCount nodes { id name email jobTitle role status } }`);
}

export function Screen({ account, stale }) {
  const team = account?.team;
  return html`<h1>Team</h1>
    <${Section} title=${team?.totalCount != null ? `${team.totalCount} people` : "People"} stale=${isStale(stale, "team")}>
      ${team == null ? html`<${Unavailable} what="The team" />`
        : team.nodes.length === 0 ? html`<${Empty} title="No one here yet">The people of your company who can use this portal are listed here.</${Empty}>`
        : html`<ul class="rows">${team.nodes.map((m) => html`<li>
            <div><strong>${m.name}</strong><br /><span class="muted">${[m.jobTitle, m.email].filter(Boolean).join(" · ")}</span></div>
            <div class="end">${label(m.role)}<br /><${Badge} value=${m.status} /></div></li>`)}</ul>`}
    </${Section}>`;
}
