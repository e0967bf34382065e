"""Data parallelism for CPU runs started by ``python -m trainer.distribute``.

coqui-tts-trainer 0.4.0 forms a process group only when it sees CUDA devices, and
even then it trains the unwrapped model, so gradients are never exchanged. A model
calls ``join_launcher_process_group`` when the trainer starts and
``average_gradients`` before every optimizer step; with ``ShardedBatchSampler``
(each rank its own share of the batches) that makes ranks train one model together.
"""

import logging
import os

import torch
import torch.distributed as dist

logger = logging.getLogger(__name__)


def launcher_world_size() -> int:
    """Number of ranks ``trainer.distribute`` started (it lists them in ``CUDA_VISIBLE_DEVICES``)."""
    ids = [item for item in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",") if item.strip()]
    return len(ids)


def join_launcher_process_group(*, use_ddp: bool, rank: int, init_method: str, module: torch.nn.Module) -> bool:
    """Join a gloo process group when launched for DDP on a machine without CUDA.

    All ranks start from rank 0's weights. Returns whether a group was formed here.
    """
    world_size = launcher_world_size()
    if not use_ddp or world_size < 2 or torch.cuda.is_available() or not dist.is_available() or dist.is_initialized():
        return False
    dist.init_process_group("gloo", init_method=init_method, world_size=world_size, rank=rank)
    broadcast_from_rank_zero(module)
    logger.info("rank %d of %d joined the gloo process group (%s)", rank, world_size, init_method)
    return True


def broadcast_from_rank_zero(module: torch.nn.Module) -> None:
    """Give every rank rank 0's parameters and buffers."""
    with torch.no_grad():
        for tensor in list(module.parameters()) + list(module.buffers()):
            dist.broadcast(tensor, src=0)


def average_gradients(module: torch.nn.Module) -> None:
    """Average the gradients of ``module`` over all ranks (no-op outside a multi-process group).

    Parameters without a gradient keep none: they are summed as zeros so that every rank sends
    tensors of the same size.
    """
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() < 2:
        return
    params = [p for p in module.parameters() if p.requires_grad]
    flat = torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1) for p in params])
    dist.all_reduce(flat)
    flat /= dist.get_world_size()
    offset = 0
    for p in params:
        count = p.numel()
        if p.grad is not None:
            p.grad.copy_(flat[offset : offset + count].view_as(p))
        offset += count
