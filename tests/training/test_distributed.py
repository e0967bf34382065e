"""Distributed training on CPU with the trainer's launcher, and our side of data parallelism under gloo.

What coqui-tts-trainer 0.4.0 does with ``python -m trainer.distribute --script <recipe> --gpus 0,1``:

* ``trainer/distribute.py:44-54`` starts one ``python3 <script> ... --use_ddp=true --rank=<r>`` per id
  in ``--gpus`` (with ``RANK`` and ``CUDA_VISIBLE_DEVICES`` set) and never looks at their exit codes.
* The trainer sizes its process group from CUDA (``trainer/trainer_utils.py:82``), so on a CPU machine
  it forms none, and even with CUDA it trains the unwrapped model (``trainer/trainer.py:310``), so
  gradients are never exchanged.

Our models close that gap (``TTS/training/distributed.py``): ``BaseTTS.on_init_start`` joins a gloo group
sized from the launcher's rank list, every rank starts from rank 0's weights, ``get_data_loader`` gives
each rank its own share of the batches and ``before_gradient_clipping`` averages the gradients.
"""

import json
import multiprocessing
import socket

import pytest
import torch
from helpers.corpus import (
    TACOTRON2_RECIPE,
    run_script,
    toy_args,
    toy_config,
)

pytestmark = pytest.mark.slow





def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_trainer_launcher_trains_one_model_on_two_cpu_ranks(corpus, tmp_path):
    output = tmp_path / "runs"
    quick = toy_args(
        corpus,
        output,
        distributed_backend="gloo",
        distributed_url=f"tcp://127.0.0.1:{_free_port()}",
        run_eval=False,
        test_delay_epochs=100,
        epochs=2,
        save_step=2,
    )
    result = run_script(None, ["--script", str(TACOTRON2_RECIPE), "--gpus", "0,1", *quick], module="trainer.distribute")
    report = f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-6000:]}"
    assert result.returncode == 0, report
    # the launcher exits 0 whatever its ranks do: check the ranks themselves
    assert "Traceback" not in result.stderr, report
    assert not [line for line in result.stderr.splitlines() if line.startswith("error:")], report
    assert "rank 0 of 2 joined the gloo process group" in result.stderr, report
    assert "rank 1 of 2 joined the gloo process group" in result.stderr, report
    assert sorted(path.name for path in output.rglob("trainer_*_log.txt")) == ["trainer_0_log.txt", "trainer_1_log.txt"]
    # with run_eval off all 8 clips train, in batches of 2: 4 batches, two per rank and epoch, so each
    # epoch is two steps ("STEP: 1/1") where one process alone would take four
    log = next(output.rglob("trainer_0_log.txt")).read_text()
    assert log.count("STEP: 1/1") == 2 and "STEP: 2/" not in log, log[-3000:]
    # only rank 0 saves (one run folder), in the trainer's layout, readable with weights_only
    saved = sorted(output.rglob("*.pth"))
    assert saved and all(path.parent == saved[0].parent for path in saved), report
    checkpoints = [torch.load(path, map_location="cpu", weights_only=True) for path in saved]
    assert all(checkpoint["optimizer"] and checkpoint["step"] >= 1 for checkpoint in checkpoints)
    assert len(list(output.rglob("events.out.tfevents.*"))) == 1


def _gloo_rank(rank: int, world_size: int, port: int, corpus: str, out: str) -> None:
    """One rank: the sharded training loader of a toy Tacotron2, then updates with averaged gradients."""
    import torch.distributed as dist

    from TTS.config import config_from_dict
    from TTS.tts.datasets import load_tts_samples
    from TTS.tts.models import setup_model
    from TTS.tts.models.base_tts import ShardedBatchSampler
    from TTS.training.distributed import broadcast_from_rank_zero

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world_size)
    try:
        data = toy_config(corpus, out)
        data.update(double_decoder_consistency=False, gradual_training=None, r=2, batch_size=1)
        config = config_from_dict(data)
        train_samples, _ = load_tts_samples(config.datasets, eval_split=True, eval_split_size=config.eval_split_size)
        torch.manual_seed(rank)  # different initial weights: rank 0's must be broadcast
        model = setup_model(config, train_samples)
        broadcast_from_rank_zero(model)
        loader = model.get_data_loader(model.config, samples=train_samples, is_eval=False, verbose=False)
        names = [name for batch in loader for name in batch["audio_unique_names"]]

        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        initial = torch.cat([p.detach().flatten() for p in model.parameters()]).clone()
        for batch in loader:
            batch = model.format_batch(batch)
            outputs = model(batch["token_id"], batch["token_id_lengths"], batch["mel"], batch["mel_lengths"])
            loss = sum(outputs[key].abs().mean() for key in ("model_outputs", "stop_tokens", "alignments"))
            optimizer.zero_grad()
            loss.backward()
            model.before_gradient_clipping()  # the trainer's hook: averages gradients over the ranks
            optimizer.step()
        weights = torch.cat([p.detach().flatten() for p in model.parameters()])
        result = {
            "sampler": type(loader.batch_sampler).__name__,
            "sharded": isinstance(loader.batch_sampler, ShardedBatchSampler),
            "names": names,
            "changed": float((weights - initial).abs().max()),
            "weights": weights.tolist(),
        }
        with open(f"{out}/rank{rank}.json", "w", encoding="utf-8") as f:
            json.dump(result, f)
    finally:
        dist.destroy_process_group()


def test_sharded_loader_and_averaged_gradients_under_gloo(corpus, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    context = multiprocessing.get_context("spawn")
    ranks = [context.Process(target=_gloo_rank, args=(rank, 2, port, str(corpus), str(tmp_path))) for rank in range(2)]
    for process in ranks:
        process.start()
    for process in ranks:
        process.join(timeout=240)
    assert [process.exitcode for process in ranks] == [0, 0]

    results = [json.loads((tmp_path / f"rank{rank}.json").read_text()) for rank in range(2)]
    assert all(result["sharded"] for result in results), [result["sampler"] for result in results]
    # 6 training clips, batch size 1: 3 batches per rank, disjoint, together all of them
    names = [set(result["names"]) for result in results]
    assert [len(result["names"]) for result in results] == [3, 3]
    assert not names[0] & names[1] and len(names[0] | names[1]) == 6
    # the ranks saw different data but hold the same weights: gradients were averaged
    assert results[0]["changed"] > 0
    assert results[0]["weights"] == pytest.approx(results[1]["weights"], abs=1e-6)
