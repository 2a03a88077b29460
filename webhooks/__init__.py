"""Signed webhooks from the four upstreams: each is verified, then evicts what changed."""
