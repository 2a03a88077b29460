from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers import documents
from resolvers.documents import DocumentType
from resolvers.request.download_urls import download_url
from resolvers.request.ids import encode_id
from schema.context import Info
from schema.relay import Node

# The resolvers' enum is the GraphQL enum: one list of document types for both sides.
strawberry.enum(DocumentType)


@strawberry.type(description="A file of the account's Drive folder, or an invoice PDF.")
class Document(Node):
    name: str
    type: DocumentType
    mime_type: str
    size: int | None = strawberry.field(description="Bytes; null where the source omits it.")
    created_at: datetime
    modified_at: datetime

    @strawberry.field(description="A short-lived one-click download link via the gateway.")
    def download_url(self, info: Info) -> str:
        return download_url(info.context, str(self.id))

    @classmethod
    def from_upstream(cls, document: documents.DocumentRecord, account_id: str) -> Document:
        return cls(
            id=strawberry.ID(encode_id("Document", account_id, document.public_upstream_id)),
            name=document.name,
            type=document.type,
            mime_type=document.mime_type,
            size=document.size,
            created_at=document.created_at,
            modified_at=document.modified_at,
        )


@strawberry.input(description="Narrows the documents list; every field is optional.")
class DocumentFilter:
    types: list[DocumentType] | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    name_contains: str | None = None

    def to_resolver(self) -> documents.DocumentCriteria:
        return documents.DocumentCriteria(
            types=frozenset(self.types or ()),
            created_from=self.created_from,
            created_to=self.created_to,
            name_contains=self.name_contains or None,
        )
