"""A sandbox of Twilio's Programmable Messaging API (2010-04-01 Messages resource)."""

from sandbox.twilio.app import create_app

__all__ = ["create_app"]
