"""Ingest: turn world and scenario files into typed `World`s and checks, strictly.

Every problem in an input is reported as a located `Issue` (file, line, path), all of them at
once in one `WorldInvalid` (style P9). `yamlsource` parses YAML with positions; `world` loads a
world (a scenario's `world:` or a bare `tenants:` file); `scenario` adds the checks.
"""

from graphmodel.ingest.checks import (
    AccessCheck,
    Check,
    InviteCheck,
    RequestCheck,
    Scenario,
    SignUpCheck,
    WhoCanAccessCheck,
)
from graphmodel.ingest.reason_codes import REASON_CODES
from graphmodel.ingest.scenario import (
    DECISIONS,
    MFA_PLACES,
    discover_scenario_files,
    load_scenario_file,
    load_scenario_file_with_warnings,
    load_scenario_text,
    load_scenario_text_with_warnings,
)
from graphmodel.ingest.world import (
    WARNING_CODES,
    load_world_file,
    load_world_file_with_warnings,
    load_world_text,
    load_world_text_with_warnings,
    parse_world,
)
from graphmodel.ingest.yamlsource import Loc, YamlDocument, line_of, parse_yaml

__all__ = [
    "DECISIONS",
    "MFA_PLACES",
    "REASON_CODES",
    "WARNING_CODES",
    "AccessCheck",
    "Check",
    "InviteCheck",
    "Loc",
    "RequestCheck",
    "Scenario",
    "SignUpCheck",
    "WhoCanAccessCheck",
    "YamlDocument",
    "discover_scenario_files",
    "line_of",
    "load_scenario_file",
    "load_scenario_file_with_warnings",
    "load_scenario_text",
    "load_scenario_text_with_warnings",
    "load_world_file",
    "load_world_file_with_warnings",
    "load_world_text",
    "load_world_text_with_warnings",
    "parse_world",
    "parse_yaml",
]
