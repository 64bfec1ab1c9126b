"""Execute every notebook in notebooks/ top to bottom and check what it shows.

* any cell error fails the test (nbclient raises ``CellExecutionError``);
* no output loads a script from the internet (``cdn.jsdelivr``, ``<script src="http...">``): the notebooks
  must render offline;
* no output shows a full NIK or KK (a run of 15-16 digits): UU PDP;
* the notebooks are stored without outputs.

The kernel is this interpreter (``sys.executable``, i.e. the project's .venv under ``make test``): a
kernelspec pointing to it is written to a temporary folder, so a ``python3`` kernelspec installed elsewhere
on the machine (another Python without linkmiskin) is never used.

How long the notebooks take is a benchmark figure, not a test: ``benchmarks/bench_notebooks.py`` prints it.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

CELL_TIMEOUT = 300

KERNEL_NAME = "linkmiskin-test-venv"
_CHECK_CELL = "import sys as _sys; print('LINKMISKIN_KERNEL_PYTHON=' + _sys.executable)"

_NIK_RUN = re.compile(r"(?<![\d.])\d{15,16}(?![\d])")
_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE)
_CDN = ("cdn.jsdelivr", "unpkg.com", "cdnjs.cloudflare", "require.js", "requirejs")


@pytest.fixture(scope="module")
def kernel_manager_factory(tmp_path_factory):
    """KernelManagers for a kernelspec that runs ``sys.executable -m ipykernel_launcher``."""
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    kdir = tmp_path_factory.mktemp("kernels")
    spec_dir = write_kernel_spec(path=str(kdir / KERNEL_NAME),
                                 overrides={"display_name": "linkmiskin tests (this Python)"})
    argv = json.loads((Path(spec_dir) / "kernel.json").read_text())["argv"]
    assert Path(argv[0]).resolve() == Path(sys.executable).resolve(), argv
    ksm = KernelSpecManager(kernel_dirs=[str(kdir)])

    def make() -> KernelManager:
        return KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ksm)

    return make


def _output_texts(nb) -> list[tuple[int, str]]:
    """(cell index, text) of every output: streams, tracebacks and every text-like mime type."""
    out = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                out.append((i, o.get("text", "")))
            elif o.get("output_type") == "error":
                out.append((i, "\n".join(o.get("traceback", []))))
            else:
                for mime, value in o.get("data", {}).items():
                    if mime.startswith("text/") or mime.endswith(("+xml", "json", "javascript")):
                        out.append((i, value if isinstance(value, str) else json.dumps(value)))
    return out


def test_there_are_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert {"01_quickstart.ipynb", "02_calibrate_thresholds.ipynb",
            "03_households_and_programmes.ipynb", "04_update_the_register.ipynb"} <= set(names), names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_offline_without_showing_nik(path, tmp_path, kernel_manager_factory):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_CHECK_CELL))
    client = nbclient.NotebookClient(nb, km=kernel_manager_factory(), timeout=CELL_TIMEOUT,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError on the first failing cell

    texts = _output_texts(nb)
    kernel_python = [t.split("=", 1)[1].strip() for _, t in texts if "LINKMISKIN_KERNEL_PYTHON=" in t]
    assert kernel_python and Path(kernel_python[0]).resolve() == Path(sys.executable).resolve(), kernel_python

    problems = []
    for i, text in texts:
        for m in _NIK_RUN.finditer(text):
            problems.append(f"cell {i}: a {len(m.group(0))}-digit number is shown unmasked "
                            f"(...{text[max(0, m.start() - 30):m.start()]!r}<{len(m.group(0))} digits>)")
        if _REMOTE_SCRIPT.search(text):
            problems.append(f"cell {i}: an output loads a script from the internet")
        for cdn in _CDN:
            if cdn in text:
                problems.append(f"cell {i}: an output refers to {cdn!r}")
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems[:20])
