"""The benchmark's experiment patches still apply to the template they were written for."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

VARIANTS = sorted(
    (Path(__file__).resolve().parent.parent / "benchmarks" / "variants").glob("*.patch")
)


def test_there_are_variant_patches() -> None:
    assert VARIANTS, "benchmarks/variants/ holds no patches"


@pytest.mark.parametrize("patch", VARIANTS, ids=[p.stem for p in VARIANTS])
def test_a_variant_patch_applies(patch: Path, template_dir: Path) -> None:
    result = subprocess.run(
        ["git", "apply", "--check", str(patch)],
        cwd=template_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"{patch.name} no longer applies: {result.stderr.strip()}"
