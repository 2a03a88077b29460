"""The Mutation root: one class of mutations per feature, merged into one type."""

from __future__ import annotations

from strawberry.tools import merge_types

# Each feature adds its mutations class to this tuple.
MUTATION_CLASSES: tuple[type, ...] = ()

Mutation = merge_types("Mutation", MUTATION_CLASSES) if MUTATION_CLASSES else None
