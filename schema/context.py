from __future__ import annotations

from typing import TypeAlias

import strawberry

from resolvers.request.context import RequestContext

Info: TypeAlias = strawberry.Info[RequestContext, None]
