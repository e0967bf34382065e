"""Distributed training on CPU: the trainer's launcher, and our side of data parallelism under gloo.

What coqui-tts-trainer 0.4.0 does with ``python -m trainer.distribute --script <recipe> --gpus 0,1``
on a machine without CUDA:

* ``trainer/distribute.py:44-54`` starts one ``python3 <script> ... --use_ddp=true --rank=<r>`` per id
  in ``--gpus`` (with ``RANK`` and ``CUDA_VISIBLE_DEVICES`` set) and waits for them; it never looks at
  their exit codes, so the launcher exits 0 even when a rank fails.
* The trainer sizes the process group from CUDA: ``num_gpus = torch.cuda.device_count()``
  (``trainer/trainer_utils.py:82``) is 0, so ``use_pt_ddp`` (``trainer/trainer.py:326``,
  ``num_gpus > 1``) is false and no process group is created (``trainer/trainer.py:254-261``).
  Were it created, ``init_distributed`` asserts CUDA (``trainer/utils/distributed.py:59``, then
  ``torch.cuda.set_device`` at :62) and the model is wrapped with ``device_ids=[rank]``
  (``trainer/trainer.py:309``). ``distributed_backend: "gloo"`` in the config changes none of this.
* So on CPU every rank trains on its own, on all the data, without gradient exchange; only rank 0
  writes checkpoints and TensorBoard logs (``RANK``-based ``rank_zero_only``), rank 1 a (nearly
  empty) ``trainer_1_log.txt``. That is what the first test demonstrates.

Our code's part of data parallelism does work on CPU: under an initialised gloo process group
``BaseTTS.get_data_loader`` shards the batches (``ShardedBatchSampler``) and Tacotron2 trains through
``DistributedDataParallel`` with gradients averaged across ranks; the second test runs that with
two processes.
"""

import json
import multiprocessing
import socket

import pytest
import torch
from corpus_utils import (
    TACOTRON2_RECIPE,
    make_ljspeech_corpus,
    run_script,
    toy_args,
    toy_config,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_ljspeech_corpus(tmp_path_factory.mktemp("corpus") / "LJSpeech-1.1")


def test_trainer_launcher_runs_two_cpu_ranks_of_the_recipe(corpus, tmp_path):
    output = tmp_path / "runs"
    quick = toy_args(corpus, output, distributed_backend="gloo", run_eval=False, test_delay_epochs=100)
    result = run_script(None, ["--script", str(TACOTRON2_RECIPE), "--gpus", "0,1", *quick], module="trainer.distribute")
    report = f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-6000:]}"
    assert result.returncode == 0, report
    # the launcher exits 0 whatever its ranks do: check the ranks themselves
    assert "Traceback" not in result.stderr, report
    assert not [line for line in result.stderr.splitlines() if line.startswith("error:")], report
    assert "'--use_ddp=true'" in result.stderr and "'--rank=0'" in result.stderr and "'--rank=1'" in result.stderr
    # each rank built its training loader (6 clips) and trained; each wrote its own trainer log
    assert result.stderr.count("kept 6 of 6 samples") == 2, report
    assert sorted(path.name for path in output.rglob("trainer_*_log.txt")) == ["trainer_0_log.txt", "trainer_1_log.txt"]
    # only rank 0 saves: one checkpoint_2.pth, in the trainer's layout, readable with weights_only
    saved = list(output.rglob("checkpoint_2.pth"))
    assert len(saved) == 1, report
    checkpoint = torch.load(saved[0], map_location="cpu", weights_only=True)
    assert checkpoint["step"] == 2 and checkpoint["epoch"] == 0 and checkpoint["optimizer"]
    assert len(list(output.rglob("events.out.tfevents.*"))) == 1


def _gloo_rank(rank: int, world_size: int, port: int, corpus: str, out: str) -> None:
    """One rank: the sharded training loader of a toy Tacotron2, then DDP updates on its shard."""
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel

    from TTS.config import config_from_dict
    from TTS.tts.datasets import load_tts_samples
    from TTS.tts.models import setup_model
    from TTS.tts.models.base_tts import ShardedBatchSampler

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world_size)
    try:
        data = toy_config(corpus, out)
        data.update(double_decoder_consistency=False, gradual_training=None, r=2, batch_size=1)
        config = config_from_dict(data)
        train_samples, _ = load_tts_samples(config.datasets, eval_split=True, eval_split_size=config.eval_split_size)
        torch.manual_seed(rank)  # different initial weights: DDP must broadcast rank 0's
        model = setup_model(config, train_samples)
        loader = model.get_data_loader(model.config, samples=train_samples, is_eval=False, verbose=False)
        names = [name for batch in loader for name in batch["audio_unique_names"]]

        ddp = DistributedDataParallel(model)  # find_unused_parameters=False: every parameter must get a gradient
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        initial = torch.cat([p.detach().flatten() for p in model.parameters()]).clone()
        for batch in loader:
            batch = model.format_batch(batch)
            outputs = ddp(batch["token_id"], batch["token_id_lengths"], batch["mel"], batch["mel_lengths"])
            loss = sum(outputs[key].abs().mean() for key in ("model_outputs", "stop_tokens", "alignments"))
            optimizer.zero_grad()
            loss.backward()
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


def test_sharded_loader_and_ddp_updates_under_gloo(corpus, tmp_path):
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
