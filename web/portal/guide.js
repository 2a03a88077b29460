// The first-login guide: the three things members use most, shown once per member. That it
// was closed is kept on the member's HubSpot contact, so it stays closed on every device.
import { html, useState } from "./vendor/htm-preact-standalone-3.1.1.module.js";
import { gql } from "./graphql.js";
import { Link } from "./ui.js";

const DONE = `mutation { completeFirstLoginGuide { member { firstLoginGuideCompletedAt } userErrors { message } } }`;

export function Guide({ member, onDone }) {
  const [busy, setBusy] = useState(false);
  const close = async () => {
    setBusy(true);
    const { data } = await gql(DONE);
    onDone(data?.completeFirstLoginGuide?.member?.firstLoginGuideCompletedAt || new Date().toISOString());
  };
  return html`<section class="card guide" aria-labelledby="guide-title">
    <h2 id="guide-title">Welcome${member.firstName ? ", " + member.firstName : ""}! Three things to start with</h2>
    <ol>
      <li><${Link} href="/documents">Download invoices, contracts and reports</${Link}> — search by name, type or date.</li>
      <li><${Link} href="/tickets">Ask our support team</${Link}> — open a ticket and follow its progress.</li>
      <li><${Link} href="/usage">Check your usage</${Link}> — against what your plan includes.</li>
    </ol>
    <button class="primary" onClick=${close} disabled=${busy}>Got it</button>
  </section>`;
}
