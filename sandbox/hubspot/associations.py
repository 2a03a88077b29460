"""Associations between records, stored in both directions as HubSpot reports them."""

from __future__ import annotations

from sandbox.hubspot.catalog import association_type, default_association

# (from type, to type) -> from id -> to id -> association type ids
_Edges = dict[tuple[str, str], dict[str, dict[str, set[int]]]]


class AssociationStore:
    def __init__(self) -> None:
        self._edges: _Edges = {}

    def add(self, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int) -> None:
        """Adds a typed association and its inverse, plus the unlabeled type HubSpot adds
        alongside every labelled one. The caller has checked that `type_id` exists."""
        kind = association_type(from_type, to_type, type_id)
        unlabeled = default_association(from_type, to_type)
        assert kind is not None and unlabeled is not None
        for type_ in {kind, unlabeled}:
            self._link(from_type, from_id, to_type, to_id, type_.type_id)
            self._link(to_type, to_id, from_type, from_id, type_.inverse_id)

    def remove(self, from_type: str, from_id: str, to_type: str, to_id: str) -> bool:
        """Removes every association between two records; says whether there was one."""
        forward = self._edges.get((from_type, to_type), {}).get(from_id, {})
        backward = self._edges.get((to_type, from_type), {}).get(to_id, {})
        found = forward.pop(to_id, None) is not None
        backward.pop(from_id, None)
        return found

    def targets(self, from_type: str, from_id: str, to_type: str) -> list[tuple[str, set[int]]]:
        """The records `from_id` is associated with, by ascending id, with the type ids."""
        links = self._edges.get((from_type, to_type), {}).get(from_id, {})
        return sorted(links.items(), key=lambda item: int(item[0]))

    def drop_record(self, object_type: str, object_id: str) -> None:
        """Forgets every association of an archived record."""
        for (from_type, to_type), by_from in self._edges.items():
            if from_type == object_type:
                for to_id in by_from.pop(object_id, {}):
                    self._edges.get((to_type, from_type), {}).get(to_id, {}).pop(object_id, None)

    def _link(self, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int) -> None:
        by_from = self._edges.setdefault((from_type, to_type), {})
        by_from.setdefault(from_id, {}).setdefault(to_id, set()).add(type_id)
