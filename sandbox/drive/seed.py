"""The seeded Drive: one folder per company (id `Company.drive_folder_id`) holding exactly
`Company.file_count` untrashed files — contracts, statements of work and reports, typed by
`appProperties.document_type`, a few untyped — plus two trashed files in the first company's
folder and an internal folder whose one file belongs to no company.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from datetime import datetime, timedelta

from sandbox.accounts import SEED, Backbone, Company, token
from sandbox.drive.content import blob_of
from sandbox.drive.files import (
    DOCX_MIME,
    EXTENSIONS,
    FOLDER_MIME,
    PDF_MIME,
    XLSX_MIME,
    StoredFile,
    new_file_id,
)
from sandbox.drive.state import Clock, DriveState

RNG_OFFSET = 4
DOCUMENT_TYPE = "document_type"
DOCUMENT_TYPES = ("contract", "statement_of_work", "report")
INTERNAL_FOLDER_NAME = "Internal — Finance"
INTERNAL_FILE_NAME = "Board Minutes — Confidential.pdf"
FIRST_CHANGE = 1_000
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PROJECTS = (
    "Data Platform", "Onboarding", "Integration Services", "Analytics Rollout",
    "Security Review", "Cloud Migration", "Training Programme", "Support Uplift",
)  # fmt: skip
_OTHER_TITLES = (
    "Client's Onboarding Checklist", "Security Questionnaire", "Kickoff Notes",
    "Org Chart", "Brand Guidelines",
)  # fmt: skip
# One file in twenty has no document_type: the portal shows it as OTHER.
_UNTYPED_EVERY = 20


def build_state(backbone: Backbone) -> DriveState:
    rng = random.Random(SEED + RNG_OFFSET)
    root_id = "0A" + token(rng, 17, string.ascii_letters + string.digits) + "Uk9PVA"
    state = DriveState(
        root_id=root_id, clock=Clock(backbone.now), first_change=FIRST_CHANGE, id_source=rng
    )
    oldest = min(c.created_at for c in backbone.companies)
    state.load([_folder(root_id, "My Drive", (), oldest)])
    for company in backbone.companies:
        folder = _folder(company.drive_folder_id, company.name, (root_id,), company.created_at)
        state.load([folder, *_company_files(rng, backbone, company)])
    state.load(_trashed_files(rng, backbone, backbone.companies[0]))
    internal = _folder(new_file_id(rng), INTERNAL_FOLDER_NAME, (root_id,), oldest)
    board_minutes = _document(
        rng, backbone, internal.id, INTERNAL_FILE_NAME, PDF_MIME, "report", _created(rng, backbone)
    )
    state.load([internal, board_minutes])
    return state


def _folder(folder_id: str, name: str, parents: tuple[str, ...], created: datetime) -> StoredFile:
    return StoredFile(folder_id, name, FOLDER_MIME, parents, created, created)


def _company_files(
    rng: random.Random, backbone: Backbone, company: Company
) -> Iterator[StoredFile]:
    taken: set[str] = set()
    for index in range(company.file_count):
        kind = _kind(rng, index)
        created = _created(rng, backbone)
        title, mime_type = _title(rng, kind, created, index)
        name = _unique(f"{company.name} — {title}", EXTENSIONS[mime_type], taken)
        yield _document(rng, backbone, company.drive_folder_id, name, mime_type, kind, created)


def _trashed_files(
    rng: random.Random, backbone: Backbone, company: Company
) -> Iterator[StoredFile]:
    drafts = (
        ("Draft MSA (superseded).pdf", PDF_MIME, "contract"),
        ("Old Usage Report.xlsx", XLSX_MIME, "report"),
    )
    for title, mime_type, kind in drafts:
        created = _created(rng, backbone)
        file = _document(
            rng, backbone, company.drive_folder_id, f"{company.name} — {title}", mime_type, kind,
            created,
        )  # fmt: skip
        file.trashed = True
        file.trashed_time = file.modified_time
        yield file


def _unique(stem: str, extension: str, taken: set[str]) -> str:
    """`stem.extension`, or `stem v2.extension` and so on when a folder already has it."""
    name, version = f"{stem}.{extension}", 1
    while name in taken:
        version += 1
        name = f"{stem} v{version}.{extension}"
    taken.add(name)
    return name


def _kind(rng: random.Random, index: int) -> str | None:
    if index < len(DOCUMENT_TYPES):  # every folder starts with one of each type
        return DOCUMENT_TYPES[index]
    if index % _UNTYPED_EVERY == _UNTYPED_EVERY - 1:
        return None
    return rng.choices(DOCUMENT_TYPES, weights=(3, 2, 5))[0]


def _title(rng: random.Random, kind: str | None, created: datetime, index: int) -> tuple[str, str]:
    year, month = created.year, created.month
    if kind == "contract":
        titles = (
            f"Master Services Agreement {year}", f"Data Processing Agreement {year}",
            f"Order Form {1000 + index} {year}", f"Mutual NDA {year}",
            f"Renewal Agreement {year}", f"Amendment No. {1 + index % 7} to MSA",
        )  # fmt: skip
        title = titles[0] if index == 0 else rng.choice(titles)
        return title, rng.choices((PDF_MIME, DOCX_MIME), weights=(85, 15))[0]
    if kind == "statement_of_work":
        title = f"Statement of Work #{index + 1} — {rng.choice(_PROJECTS)}"
        return title, rng.choices((PDF_MIME, DOCX_MIME), weights=(80, 20))[0]
    if kind == "report":
        quarter = (month - 1) // 3 + 1
        choices = (
            (f"Quarterly Business Review Q{quarter} {year}", PDF_MIME),
            (f"Monthly Service Report {_MONTHS[month - 1]} {year}", PDF_MIME),
            (f"Uptime Report {_MONTHS[month - 1]} {year}", PDF_MIME),
            (f"Usage Report {year}-{month:02d}", XLSX_MIME),
        )
        return rng.choices(choices, weights=(3, 3, 2, 2))[0]
    return rng.choice(_OTHER_TITLES), rng.choice((DOCX_MIME, PDF_MIME))


def _created(rng: random.Random, backbone: Backbone) -> datetime:
    """A moment in the two years before yesterday, to the millisecond."""
    seconds_back = rng.uniform(86_400, 730 * 86_400)
    moment = backbone.now - timedelta(seconds=seconds_back)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _document(
    rng: random.Random,
    backbone: Backbone,
    parent: str,
    name: str,
    mime_type: str,
    kind: str | None,
    created: datetime,
) -> StoredFile:
    room = (backbone.now - created).total_seconds() - 3_600
    edited = timedelta(seconds=rng.uniform(0, min(room, 60 * 86_400)))
    file = StoredFile(
        id=new_file_id(rng),
        name=name,
        mime_type=mime_type,
        parents=(parent,),
        created_time=created,
        modified_time=created + edited // timedelta(milliseconds=1) * timedelta(milliseconds=1),
        app_properties={DOCUMENT_TYPE: kind} if kind else {},
        padding=int(min(1_500_000, max(4_000, rng.lognormvariate(11, 0.9)))),
    )
    file.size = blob_of(file).size
    return file
