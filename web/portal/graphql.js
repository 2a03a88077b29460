// The portal's one way to its data: the public /graphql endpoint, with the session cookie,
// like any other client. A JSON body keeps cookie-authenticated POSTs safe from CSRF.

const SERVICE_NAMES = {
  stripe: "Billing",
  zendesk: "Support tickets",
  drive: "Documents",
  hubspot: "Account details",
};

export class Unavailable extends Error {}

// Several requests may learn at once that the session ended (a screen's and the bell's):
// navigate once, or the second navigation aborts the first.
let signingIn = false;

export function signInAgain() {
  if (signingIn) return;
  signingIn = true;
  const here = location.pathname + location.search;
  location.assign("/signin" + (here === "/" ? "" : "?next=" + encodeURIComponent(here)));
}

/** {data, errors, services (names of upstreams that failed), stale (field paths)} */
export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new Unavailable("The portal could not be reached. Check your connection.");
  }
  if (!response.ok && response.status !== 200) {
    throw new Unavailable(`The portal answered ${response.status}. Try again in a moment.`);
  }
  const body = await response.json();
  const errors = body.errors || [];
  if (errors.some((e) => e.extensions?.code === "UNAUTHENTICATED")) {
    signInAgain(); // the session ended: sign in, then come back here
    return new Promise(() => {});
  }
  const services = [...new Set(errors.map((e) => e.extensions?.service).filter(Boolean))];
  return {
    data: body.data || null,
    errors,
    services: services.map((s) => SERVICE_NAMES[s] || s),
    stale: body.extensions?.stale || [],
  };
}

/** A query on the chosen account, or on the member's own when none is chosen. */
export function onAccount(accountId, selection, { defs = "", variables = {} } = {}) {
  if (accountId) {
    return {
      query: `query Screen($accountId: ID!${defs}) { account(id: $accountId) { ${selection} } }`,
      variables: { accountId, ...variables },
      account: (data) => data?.account,
    };
  }
  const head = defs ? `query Screen(${defs.replace(/^,\s*/, "")})` : "query Screen";
  return {
    query: `${head} { viewer { account { ${selection} } } }`,
    variables,
    account: (data) => data?.viewer?.account,
  };
}

/** Mutations' `userErrors`, by field name ("" for the whole input). */
export function byField(userErrors) {
  const found = {};
  for (const e of userErrors || []) found[e.field || ""] = e.message;
  return found;
}
