"""The benchmark's experiment patches still apply to the template they were written for."""

from __future__ import annotations

import py_compile
import subprocess
import sys
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


BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.parametrize("script", ["anchors.py", "worker_throughput.py"])
def test_a_benchmark_script_starts(script: str) -> None:
    # --help imports the script and what it shares (anchors.py uses worker_throughput.py's
    # renderings, venvs and client), so a rename in one breaks here, not after a long run.
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--redis-url" in result.stdout and "--db-prefix" in result.stdout


WORKER_SIDE = sorted((BENCHMARKS / "worker_side").glob("*.py"))


@pytest.mark.parametrize("module", WORKER_SIDE, ids=[p.stem for p in WORKER_SIDE])
def test_a_worker_side_module_compiles(module: Path) -> None:
    # They run in the benchmark's own environments (the peers' libraries are not installed
    # here), so this only proves they are valid Python for this interpreter.
    py_compile.compile(str(module), doraise=True)
