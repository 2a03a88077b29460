"""Google Drive API v3 sandbox: the subset of `/drive/v3` and `/upload/drive/v3` the portal
uses, with seeded company folders (see seed.py), as google-api-python-client's discovery
document describes it.

Covered: files.list (`q` search language, `fields`, `orderBy`, `pageSize` 1-1000 default 100,
`pageToken`), files.get (metadata; `alt=media` streams the bytes, single `Range` honoured),
files.create (metadata only; `uploadType=multipart` and `media` on /upload), files.update
(metadata: name, description, properties, trashed, starred), files.delete,
changes.getStartPageToken, changes.list, changes.watch, channels.stop.
`supportsAllDrives`/`includeItemsFromAllDrives` are accepted (there are no shared drives).
Not covered: resumable uploads, export, copy, permissions, revisions, comments, drives,
batch requests, sending push notifications (channels are stored; see /_sandbox/channels).

Auth: `Authorization: Bearer <token>` where the token is any RFC 6750 b64token, e.g.
`sandbox-token` (or an `access_token` query parameter). No header: 401 `required`;
any other header: 401 `authError`. Errors are Google's
`{"error": {"code", "message", "errors": [{"message", "domain", "reason", "location"?,
"locationType"?}], "status"}}`; a malformed `q` is 400 `invalid` at location `q`.

Admin routes (JSON, no auth, not logged):
    POST /_sandbox/files                 {"folder_id", "name", "document_type"?, "mime_type"?}
                                         adds a file (PDF by default); 201 with the File;
                                         `"padding": N` makes a PDF about N bytes big
    POST /_sandbox/files/{id}/trash      trashes a file; 200 with the File
    POST /_sandbox/files/{id}/untrash    restores it
    GET  /_sandbox/channels              the channels changes.watch created
    GET  /_sandbox/changes               the change log: [{number, kind, file_id, removed}]
"""

from __future__ import annotations

from sandbox.drive.app import create_app

__all__ = ["create_app"]
