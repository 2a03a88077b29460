"""Flat exports of an account's data for BI tools: `GET /export/{table}.{format}`."""
