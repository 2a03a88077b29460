"""Routes of the HTTP edge other than /graphql."""
