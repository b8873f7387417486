"""Where each app declares the personal data it keeps, for the privacy services.

``registrations.services.privacy`` exports and erases a person's data. Data kept by apps above it
(calendar feeds, programme enrolments) is reached through this registry, filled in those apps'
``AppConfig.ready``, so the dependency keeps pointing down.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonalData:
    name: str  # the key in the export and in the erasure counts
    export: Callable[..., list]  # export(user=...) -> JSON-ready list
    erase: Callable[..., int]  # erase(user=...) -> how many rows were erased


_KINDS: dict[str, PersonalData] = {}


def register_personal_data(*, name: str, export: Callable[..., list], erase: Callable[..., int]) -> None:
    _KINDS[name] = PersonalData(name=name, export=export, erase=erase)


def personal_data_kinds() -> list[PersonalData]:
    return list(_KINDS.values())
