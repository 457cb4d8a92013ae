"""Which stage a value names: by code, name in either language, or the CRM's own words.

Bitrix24 writes "C1:NEW" for stage NEW of pipeline 1; Pipedrive may write
"Qualified (Sales pipeline)"; every CRM has its own words for won and lost. An unknown
stage is a bad row whatever wrote the file (a portal's own stages, "C1:UC_X1Y2", are not
guessed at: add the stage, or fix the file).
"""

from __future__ import annotations

import re

from dealterm.core.importing.lookups import Lookups, StageInfo
from dealterm.core.importing.preset_model import FAILURE, GLOBAL_STAGES, SUCCESS, Preset
from dealterm.core.importing.values import norm_value
from dealterm.core.models import Semantics

__all__ = ["StageFinder"]

_STAGE_PREFIX = re.compile(r"C\d+:(.+)", re.IGNORECASE)
_IN_PARENS = re.compile(r"(.+?)\s*\((.+)\)")


class StageFinder:
    """Finds stages of the database's pipelines; remembers what it found."""

    def __init__(self, lookups: Lookups, preset: Preset) -> None:
        self.lookups = lookups
        self.preset = preset
        self.cache: dict[tuple[int, str], StageInfo | str] = {}

    def semantic(self, pipeline_id: int, kind: str) -> StageInfo | None:
        wanted = Semantics.SUCCESS if kind == SUCCESS else Semantics.FAILURE
        return next(
            (s for s in self.lookups.stage_list(pipeline_id) if s.semantics == wanted), None
        )

    def first_stage(self, pipeline_id: int) -> StageInfo | None:
        stages = self.lookups.stage_list(pipeline_id)
        return next((s for s in stages if s.semantics == Semantics.PROCESS), None)

    def _find_stage(self, pipeline_id: int, text: str) -> StageInfo | None:
        keys = self.lookups.stage_keys.get(pipeline_id, {})
        key = norm_value(text)
        if key in keys:
            return keys[key]
        prefixed = _STAGE_PREFIX.fullmatch(text)  # Bitrix24 "C1:NEW"
        if prefixed and norm_value(prefixed.group(1)) in keys:
            return keys[norm_value(prefixed.group(1))]
        if text.isdigit():
            found = next(
                (s for s in self.lookups.stage_list(pipeline_id) if s.id == int(text)), None
            )
            if found is not None:
                return found
        alias = self.preset.stages.get(key) or GLOBAL_STAGES.get(key)
        if alias in (SUCCESS, FAILURE):
            return self.semantic(pipeline_id, alias)
        if alias is not None:
            return keys.get(norm_value(alias))
        return None

    def stage(self, pipeline_id: int, text: str) -> StageInfo | str:
        """The stage ``text`` names in the pipeline, or the reason it names none."""
        cache_key = (pipeline_id, text)
        if cache_key in self.cache:
            return self.cache[cache_key]
        found = self._find_stage(pipeline_id, text)
        if found is None:
            inner = _IN_PARENS.fullmatch(text)  # Pipedrive "Qualified (Sales pipeline)"
            if inner:
                found = self._find_stage(pipeline_id, inner.group(1))
        result: StageInfo | str
        if found is not None:
            result = found
        else:
            known = ", ".join(s.name for s in self.lookups.stage_list(pipeline_id))
            name = self.lookups.pipelines.get(pipeline_id, "?")
            result = f"unknown stage {text!r} in pipeline {name!r} (known: {known})"
        self.cache[cache_key] = result
        return result
