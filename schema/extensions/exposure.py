"""What the schema tells strangers about itself. In production (Settings.environment),
introspection is refused unless `PORTAL_INTROSPECTION` switches it on, and error messages
carry no "Did you mean ...?" hints, which would spell out the schema field by field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from config import Settings

_SUGGESTION = re.compile(r"\s*Did you mean .*\?$", re.DOTALL)


class SchemaExposure(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        settings = _settings_of(self.execution_context.context)
        if settings is not None and not settings.introspection:
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                NoSchemaIntrospectionCustomRule,
            )
        yield
        result = self.execution_context.result
        if settings is not None and settings.is_production and result is not None:
            for error in getattr(result, "errors", None) or []:
                _drop_suggestions(error)


def _drop_suggestions(error: GraphQLError) -> None:
    error.message = _SUGGESTION.sub("", error.message)


def _settings_of(context: Any) -> Settings | None:
    """The app's settings, from the request the context carries (none outside HTTP)."""
    request = getattr(context, "request", None)
    gateway = getattr(getattr(request, "app", None), "state", None)
    settings = getattr(getattr(gateway, "gateway", None), "settings", None)
    return settings if isinstance(settings, Settings) else None
