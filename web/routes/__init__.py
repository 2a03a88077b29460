"""Every HTTP route that is not `/graphql`: sign-in, downloads, exports, webhooks, health,
unsubscribe."""
