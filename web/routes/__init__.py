"""Every HTTP route that is not `/graphql`: sign-in, downloads, exports, webhooks, health,
metrics, the portal web app, GraphiQL and unsubscribe."""
