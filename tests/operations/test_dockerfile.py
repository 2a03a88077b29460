"""The Dockerfile, checked without Docker: its install step builds the project from
pyproject.toml with every module and package the gateway runs from (none left out, nothing
listed by hand), and it keeps the hadolint rules that matter here."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# In pyproject's package list but deliberately not shipped: the sandbox only runs in demos
# and tests (the image's command is `serve --no-sandbox`).
NOT_SHIPPED = {"sandbox"}
INSTALL_PROJECT = re.compile(r"pip install (--no-cache-dir )?\.(\s|$)")


@dataclass(frozen=True)
class Instruction:
    stage: int
    keyword: str
    arguments: str


def instructions(text: str) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    logical = re.sub(r"\\\n", " ", "\n".join(
        line for line in text.splitlines() if not line.lstrip().startswith("#")
    ))  # fmt: skip
    found, stage = [], -1
    for line in logical.splitlines():
        if not line.strip():
            continue
        keyword, _, arguments = line.strip().partition(" ")
        stage += keyword.upper() == "FROM"
        found.append(Instruction(stage, keyword.upper(), " ".join(arguments.split())))
    return found


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return instructions((REPO / "Dockerfile").read_text())


@pytest.fixture(scope="module")
def pyproject() -> dict[str, object]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_the_install_step_installs_the_project_itself(dockerfile: list[Instruction]) -> None:
    runs = [i for i in dockerfile if i.keyword == "RUN" and "pip install" in i.arguments]
    installs = [
        i for i in runs if re.search(r"pip install (--no-cache-dir )?\.(\s|$)", i.arguments)
    ]
    assert len(installs) == 1
    (install,) = installs
    for run in runs:  # DL3013: anything else pip installs is pinned
        for package in re.findall(r"pip install (?:--\S+ )*(\S+)", run.arguments):
            assert package == "." or "==" in package, package
    # `pip install .` resolves exactly pyproject's dependencies: no list to drift from it.
    assert "-r " not in install.arguments and "==" not in install.arguments
    copied = {i.arguments.split()[0] for i in dockerfile[: dockerfile.index(install)]
              if i.keyword == "COPY"}  # fmt: skip
    assert "pyproject.toml" in copied


def test_every_module_and_package_the_gateway_runs_is_copied(
    dockerfile: list[Instruction], pyproject: dict[str, object]
) -> None:
    tool = pyproject["tool"]
    assert isinstance(tool, dict)
    setuptools = tool["setuptools"]
    modules = {f"{m}.py" for m in setuptools["py-modules"]}
    packages = {p.rstrip("*") for p in setuptools["packages"]["find"]["include"]}
    sources = {
        source.rstrip("/")
        for i in dockerfile if i.keyword == "COPY" and "--from" not in i.arguments
        for source in i.arguments.split()[:-1]
    }  # fmt: skip
    assert modules <= sources
    assert packages - NOT_SHIPPED <= sources
    assert not NOT_SHIPPED & sources
    readme = pyproject["project"]
    assert isinstance(readme, dict)
    assert readme["readme"] in sources  # setuptools reads it while building


def test_hadolint_rules(dockerfile: list[Instruction]) -> None:
    froms = [i for i in dockerfile if i.keyword == "FROM"]
    assert len(froms) >= 2, "multi-stage: build tools stay out of the image"
    for instruction in froms:
        image = instruction.arguments.split()[0]
        assert ":" in image and not image.endswith(":latest"), "DL3006/DL3007: pin the tag"
        assert "slim" in image
    assert not [i for i in dockerfile if i.keyword == "ADD"], "DL3020: COPY, not ADD"
    for instruction in dockerfile:
        if instruction.keyword == "RUN" and "pip install" in instruction.arguments:
            assert "--no-cache-dir" in instruction.arguments, "DL3042"
        if instruction.keyword == "RUN" and "apt-get install" in instruction.arguments:
            assert "--no-install-recommends" in instruction.arguments, "DL3015"
        if instruction.keyword == "RUN" and " | " in instruction.arguments:
            pytest.fail("DL4006: set -o pipefail before piping in RUN")
        if instruction.keyword in ("CMD", "ENTRYPOINT"):
            assert instruction.arguments.startswith("["), "DL3025: JSON form"
    final = [i for i in dockerfile if i.stage == froms[-1].stage]
    users = [i.arguments for i in final if i.keyword == "USER"]
    assert users and users[-1] not in ("root", "0"), "DL3002: the last USER is not root"
    assert any(i.keyword == "HEALTHCHECK" and "/healthz" in i.arguments for i in final)
    assert any(i.keyword == "WORKDIR" for i in final), "DL3045: relative paths need a WORKDIR"
    assert "8000" in " ".join(i.arguments for i in final if i.keyword == "EXPOSE")
    assert [i.arguments for i in final if i.keyword == "ENTRYPOINT"] == ['["portal-gateway"]']


def test_the_dockerignore_keeps_secrets_and_the_venv_out() -> None:
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".venv/", ".git/", ".env"} <= set(ignored)
