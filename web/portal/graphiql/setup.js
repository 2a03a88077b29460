// GraphiQL on /graphql with the browser's session cookie, opened on the portal's dashboard
// query. Everything it loads comes from this gateway (vendored files), so it works offline.
import { DASHBOARD_QUERY } from "../queries/dashboard.js";

const fetcher = window.GraphiQL.createFetcher({
  url: "/graphql",
  // Same origin: the session cookie goes along; a JSON body keeps the POST CSRF-safe.
  fetch: (url, options) => fetch(url, { ...options, credentials: "same-origin" }),
});

const root = window.ReactDOM.createRoot(document.getElementById("graphiql"));
root.render(window.React.createElement(window.GraphiQL, {
  fetcher,
  defaultQuery: DASHBOARD_QUERY,
  defaultEditorToolsVisibility: false,
  isHeadersEditorEnabled: true,
}));
