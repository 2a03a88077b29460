"""Portal events: what happened to an account, derived from the vendors' webhooks (and the
portal's own writes), each with a stable id so that a vendor's redelivery is no new event."""
