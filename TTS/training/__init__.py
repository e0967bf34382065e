"""Glue between the models and the ``trainer`` package: layer freezing schedules and distributed training helpers.

``freeze`` (``freeze_layers`` / ``unfreeze_schedule`` of a config applied to a model's parameters) and
``distributed`` (joining the launcher's process group, averaging gradients). ``BaseTTS`` uses both.
"""
