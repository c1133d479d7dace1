"""Config validation errors in one line: the key path first, what was expected, the likely fix.

Snakemake's ``validate`` reports the right error but dumps the schema and the whole config (up to
hundreds of lines) with the key path last. This runs the same JSON schema first and, on failure,
names the one error that matters.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from mirtrim.taskdefs import TASK_DEFS


class ConfigError(ValueError):
    pass


def _path(error) -> str:
    parts = [str(p) for p in error.absolute_path]
    return ".".join(parts) if parts else "(top level)"


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _unknown_keys(error) -> str:
    known = sorted(error.schema.get("properties", {}))
    unknown = sorted(set(error.instance) - set(known))
    notes = []
    for key in unknown:
        close = difflib.get_close_matches(key, known, n=1)
        notes.append(f"unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return "; ".join(notes) + (f"; known keys: {', '.join(known)}" if known else "")


def describe(error) -> str:
    """One line for one ``jsonschema.ValidationError``."""
    kind, schema, value = error.validator, error.schema, error.instance
    if kind == "additionalProperties" and isinstance(value, dict):
        what = _unknown_keys(error)
    elif kind == "enum":
        close = difflib.get_close_matches(str(value), [str(v) for v in schema["enum"]], n=1)
        noun = "unknown name " if "propertyNames" in error.schema_path else ""
        what = (f"{noun}{_short(value)}" + ("" if noun else " is not allowed") + (f" (did you mean {close[0]!r}?)" if close else "")
                + f"; expected one of: {', '.join(map(str, schema['enum']))}")
    elif kind == "type":
        what = f"expected {schema['type']}, got {_short(value)}"
    elif kind == "required":
        missing = [k for k in schema["required"] if k not in value]
        what = f"missing key {missing[0]!r}" if missing else error.message
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems",
                  "minProperties", "uniqueItems"):
        bound = schema.get(kind)
        what = f"{_short(value)} violates {kind}" + ("" if bound is True else f" {bound}")
    else:
        what = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return f"config {_path(error)}: {what}"


def check_config(config: dict, schema_file: str | Path, source: str = "the config") -> None:
    """Raise ``ConfigError`` (one line) if ``config`` breaks the schema; the deepest, first error wins."""
    import jsonschema
    import yaml

    schema = yaml.safe_load(Path(schema_file).read_text())
    # the task names are the registry's, not a copy in the schema
    schema["properties"]["tasks"]["propertyNames"] = {"enum": list(TASK_DEFS)}
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: (-len(e.absolute_path), list(map(str, e.path))))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        # best_match prefers shallow errors; the deepest names the key the user mistyped
        chosen = max(errors, key=lambda e: len(e.absolute_path)) if best.validator in ("anyOf", "oneOf") else best
        raise ConfigError(f"{describe(chosen)} (in {source}; every key is documented in "
                          "workflow/schemas/config.schema.yaml)")


def check_yaml(path: str | Path) -> None:
    """Raise ``ConfigError`` naming the file, line and column of a YAML syntax error (Snakemake's own
    message names neither); a missing file is left to Snakemake."""
    import yaml

    path = Path(path)
    if not path.is_file():
        return
    try:
        yaml.safe_load(path.read_text())
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"config {where}: YAML syntax error: {err.problem or err.context}; fix that line "
                          "(YAML needs spaces, not tabs, and closed brackets and quotes)") from None


def given_config(workflow) -> str:
    """The config files this run reads, for error messages: the user's, or the default one."""
    files = [str(f) for f in workflow.overwrite_configfiles] or ["config.yaml"]
    return ", ".join(files) + (" with --config values" if workflow.config_settings.config else "")


def check_cuda() -> None:
    """``device: cuda`` on a machine whose torch sees no GPU: refuse before any job starts."""
    import torch

    if not torch.cuda.is_available():
        raise ConfigError(f"config device: 'cuda', but this torch ({torch.__version__}) sees no CUDA device; "
                          "set device: auto (CUDA when visible, else CPU) or device: cpu")
