"""Every HTTP route that is not `/graphql`: sign-in, downloads, exports, webhooks, health,
the portal web app and GraphiQL, unsubscribe."""
