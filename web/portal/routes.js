// The portal's screens: one ES module each under screens/, loaded when first shown.
// A new screen is a file in screens/ and one line here. `nav` puts it in the menu;
// `roles` limits who sees it there (the API decides what anyone may actually do).
// A screen module exports `title`, `load(ctx)` → {query, variables, account} (optional),
// and `Screen(props)`.

export const ROUTES = [
  { path: "/", nav: "Dashboard", load: () => import("./screens/dashboard.js") },
  { path: "/documents", nav: "Documents", load: () => import("./screens/documents.js") },
  { path: "/tickets", nav: "Support", load: () => import("./screens/tickets.js") },
  { path: "/tickets/:id", load: () => import("./screens/ticket.js") },
  { path: "/usage", nav: "Usage", load: () => import("./screens/usage.js") },
  { path: "/subscription", nav: "Subscription", load: () => import("./screens/subscription.js") },
  { path: "/team", nav: "Team", load: () => import("./screens/team.js") },
  { path: "/account", nav: "Account details", load: () => import("./screens/account.js") },
  { path: "/profile", nav: "My profile", load: () => import("./screens/profile.js") },
  { path: "/notifications", load: () => import("./screens/notifications.js") },
  {
    path: "/settings/webhooks", nav: "Webhooks", roles: ["ADMIN"],
    load: () => import("./screens/webhooks.js"),
  },
  {
    path: "/api-tokens", nav: "API tokens", roles: ["ADMIN"],
    load: () => import("./screens/api-tokens.js"),
  },
];

export const NOT_FOUND = { path: "*", load: () => import("./screens/not-found.js") };

/** The route of `pathname` and its parameters, or the not-found route. */
export function match(pathname) {
  const have = pathname.split("/").filter(Boolean);
  for (const route of ROUTES) {
    const want = route.path.split("/").filter(Boolean);
    if (want.length !== have.length) continue;
    const params = {};
    const fits = want.every((part, i) => {
      if (!part.startsWith(":")) return part === have[i];
      params[part.slice(1)] = decodeURIComponent(have[i]);
      return true;
    });
    if (fits) return { route, params };
  }
  return { route: NOT_FOUND, params: {} };
}
