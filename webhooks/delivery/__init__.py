"""Deliveries of portal events, each a job on the one queue (SAQ on Redis): mail, SMS, the
in-app feed and clients' webhook endpoints; at least once, idempotent per event x recipient."""
