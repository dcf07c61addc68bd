"""The import contract in pyproject.toml names every module of the base, so a new base module
cannot escape `lint-imports` (which `make lint` runs)."""

from __future__ import annotations

import tomllib

from khabar.settings import PROJECT_ROOT


def test_contract_lists_every_base_module() -> None:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    contract = config["tool"]["importlinter"]["contracts"][0]
    listed = {name.removeprefix("khabar.") for name in contract["source_modules"]}
    package = PROJECT_ROOT / "khabar"
    base = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    base |= {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert base - {"cli"} == listed, "add new base modules to the first import-linter contract"
    assert set(contract["forbidden_modules"]) == {"ingest", "processors", "khabar.cli"}
