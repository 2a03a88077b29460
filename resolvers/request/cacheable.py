"""The types a shared cache may rebuild: every record and enum our connectors, the viewer
and the resolvers define. Anything else a resolver caches stays in-process (and is logged),
so forgetting a type here costs a round trip, never a wrong answer."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from enum import Enum
from types import ModuleType

import auth.viewer
import cache.responses
import connectors
import resolvers


def cacheable_types() -> list[type]:
    modules = [auth.viewer, cache.responses, *_modules_of(connectors), *_modules_of(resolvers)]
    return [cls for module in modules for cls in _defined_in(module)]


def _modules_of(package: ModuleType) -> list[ModuleType]:
    """Every module of the package, those of its subpackages (e.g. `resolvers.request`) too."""
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}.")
    ]


def _defined_in(module: ModuleType) -> list[type]:
    return [
        value for value in vars(module).values()
        if isinstance(value, type) and value.__module__ == module.__name__
        and (dataclasses.is_dataclass(value) or issubclass(value, Enum))
    ]  # fmt: skip
