"""Request plumbing that every resolver uses: context, loaders, ids, pages, errors, input,
access."""
