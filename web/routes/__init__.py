"""Every HTTP route other than /graphql, one module per group."""
