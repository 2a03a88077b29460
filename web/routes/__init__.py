"""Every non-/graphql HTTP route of the gateway, one module per group."""
