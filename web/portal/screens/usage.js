// Usage: each metered feature, used against included, with a daily chart drawn as inline SVG.
import { html } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { onAccount } from "../graphql.js";
import { Empty, Section, Unavailable, day, isStale } from "../ui.js";

export const title = "Usage";

export function load({ accountId }) {
  return onAccount(accountId, `id name usage { key name unit periodStart periodEnd
    quantityUsed includedQuantity percentUsed daily { date quantity } }`);
}

const number = (n) => new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(n);

export function UsageBar({ metric }) {
  const percent = metric.percentUsed;
  const width = Math.min(100, percent ?? 0);
  const over = percent != null && percent > 100;
  return html`<div class="usage">
    <div class="usage-head"><span>${metric.name}</span>
      <span>${number(metric.quantityUsed)}${metric.includedQuantity != null && ` of ${number(metric.includedQuantity)}`} ${units(metric.includedQuantity ?? metric.quantityUsed, metric.unit)}</span></div>
    ${percent != null && html`<div class="bar" role="img" aria-label=${`${metric.name}: ${number(percent)}% of the included quantity`}>
      <span class=${over ? "fill over" : "fill"} style=${{ width: width + "%" }}></span></div>
      ${over && html`<p class="muted">Over the included quantity (${number(percent)}%).</p>`}`}
  </div>`;
}

function Chart({ metric }) {
  const points = metric.daily;
  if (!points.length) return html`<p class="muted">No usage recorded yet this period.</p>`;
  const width = 320, height = 120, gap = 2;
  const top = Math.max(...points.map((p) => p.quantity), 1);
  const barWidth = width / points.length;
  const total = number(points.reduce((sum, p) => sum + p.quantity, 0));
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${width} ${height}`} role="img" aria-labelledby=${"chart-" + metric.key}>
      <title id=${"chart-" + metric.key}>${`${metric.name} per day, ${day(points[0].date)} to ${day(points[points.length - 1].date)}: ${total} ${units(2, metric.unit)} in total, at most ${number(top)} a day`}</title>
      ${points.map((p, i) => {
        const h = Math.max(1, (p.quantity / top) * (height - 4));
        return html`<rect x=${i * barWidth + gap / 2} y=${height - h} width=${Math.max(1, barWidth - gap)} height=${h}><title>${`${day(p.date)}: ${number(p.quantity)}`}</title></rect>`;
      })}
    </svg>
    <figcaption class="muted">${day(points[0].date)} – ${day(points[points.length - 1].date)}, per day</figcaption>
  </figure>`;
}

export function Screen({ account, stale }) {
  return html`<h1>Usage</h1>
    ${account?.usage == null ? html`<${Unavailable} what="Usage" />`
      : account.usage.length === 0 ? html`<${Empty} title="No metered usage">Features billed by use (API calls, storage…) show here against what your plan includes.</${Empty}>`
      : account.usage.map((m) => html`<${Section} title=${m.name} id=${"usage-" + m.key} stale=${isStale(stale, "usage")}>
          <p class="muted">${day(m.periodStart)} – ${day(m.periodEnd)}</p>
          <${UsageBar} metric=${m} />
          <${Chart} metric=${m} />
        </${Section}>`)}`;
}

// Stripe's unit labels are singular ("call", "seat", "GB"): "10,000,000 calls" reads right.
function units(count, unit) {
  return count === 1 || /s$/.test(unit) || unit === unit.toUpperCase() ? unit : unit + "s";
}
