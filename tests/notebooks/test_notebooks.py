"""Every notebook in notebooks/ runs top to bottom on a headless kernel (nbclient), without errors."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Run a notebook once per test module: ``executed(path) -> (notebook with outputs, its working folder)``."""
    runs = {}

    def run(path: Path):
        if path not in runs:
            workdir = tmp_path_factory.mktemp(path.stem)
            notebook = nbformat.read(path, as_version=4)
            NotebookClient(
                notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
            ).execute()  # raises CellExecutionError naming the cell on the first error
            runs[path] = notebook, workdir
        return runs[path]

    return run


def outputs_of(notebook: nbformat.NotebookNode):
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]


def test_the_walkthrough_is_there():
    assert "inference_walkthrough.ipynb" in [path.name for path in NOTEBOOKS]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs(path, executed):
    notebook, _ = executed(path)
    assert not [output for output in outputs_of(notebook) if output.get("output_type") == "error"]
    assert all(cell.get("execution_count") for cell in notebook.cells if cell.cell_type == "code")


@pytest.mark.slow
def test_walkthrough_plots_and_plays_audio(executed):
    notebook, workdir = executed(next(path for path in NOTEBOOKS if path.name == "inference_walkthrough.ipynb"))
    outputs = outputs_of(notebook)
    assert any("image/png" in output.get("data", {}) for output in outputs)
    assert any("<audio" in output.get("data", {}).get("text/html", "") for output in outputs)
    assert not list(workdir.iterdir())  # the notebook cleans up after itself


@pytest.mark.slow
def test_finetuning_notebook_shows_the_restore_report_the_schedule_alignments_and_audio(executed):
    notebook, _ = executed(next(path for path in NOTEBOOKS if path.name == "finetune_new_language.ipynb"))
    outputs = outputs_of(notebook)
    text = "".join(output.get("text", "") for output in outputs if output.get("output_type") == "stream")
    assert "restore: embedding.weight: symbols carried over by name" in text
    assert "'ɲ' <- 'n' 'j'" in text
    assert "frozen at step 0" in text and "step 9 unfreezes" in text and "step 18 unfreezes" in text
    images = [output for output in outputs if "image/png" in output.get("data", {})]
    assert len(images) >= 2  # the alignment before, and before/after side by side
    assert sum("<audio" in output.get("data", {}).get("text/html", "") for output in outputs) >= 2
    changed = float(text.split("alignment changed by ")[1].split()[0])
    assert changed > 0  # 24 steps moved the attention
