"""How long each notebook in ``notebooks/`` takes to run top to bottom (seconds), with this interpreter as
the kernel. A printed figure, not a test: ``tests/test_notebooks.py`` checks what the notebooks show.

    python benchmarks/bench_notebooks.py [--only 01_quickstart]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nbclient
import nbformat
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[1]
KERNEL = "linkmiskin-bench-venv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="notebook stems to run (default: all)")
    args = ap.parse_args()
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if args.only:
        paths = [p for p in paths if p.stem in args.only]
    with tempfile.TemporaryDirectory() as tmp:
        write_kernel_spec(path=str(Path(tmp) / "kernels" / KERNEL))
        ksm = KernelSpecManager(kernel_dirs=[str(Path(tmp) / "kernels")])
        total = 0.0
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            work = Path(tmp) / path.stem
            work.mkdir()
            client = nbclient.NotebookClient(nb, km=KernelManager(kernel_name=KERNEL, kernel_spec_manager=ksm),
                                             timeout=600, resources={"metadata": {"path": str(work)}})
            t0 = time.perf_counter()
            client.execute()
            seconds = time.perf_counter() - t0
            total += seconds
            print(f"{path.name:45s} {seconds:7.1f} s", flush=True)
        print(f"{'all notebooks':45s} {total:7.1f} s")


if __name__ == "__main__":
    main()
