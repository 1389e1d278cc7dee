"""Every setting is documented where docs/configuration.md and .env.example promise it is."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from zoomaudit.settings import Settings

ALIASES = sorted(str(field.alias) for field in Settings.model_fields.values())


@pytest.mark.parametrize("alias", ALIASES)
def test_every_setting_is_in_the_configuration_docs_and_the_example(alias: str) -> None:
    assert f"`{alias}`" in (ROOT / "docs" / "configuration.md").read_text()
    assert f"\n{alias}=" in (ROOT / ".env.example").read_text()
