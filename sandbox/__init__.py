"""The client-portal gateway's sandbox: local stand-ins for the four vendors."""
