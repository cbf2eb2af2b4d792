"""What crosses a process boundary, defined once: every builder and reader of these
messages goes through the dataclasses here (each with one ``to_dict``/``from_dict`` pair).

- ``_job.py``: the job an executor sends for one attempt (``Job``, ``CallbackAddress``);
- ``_outcome.py``: what the job leaves when it ends (``Outcome``, ``Failure``);
- ``_calls.py``: task calls from a container to the kernel and the kernel's answers;
- ``_pool.py``: a worker pool's orders to its reusable workers and their replies;
- ``_secrets.py``: an action's secret as it receives it (in a Dask job, with a pool's order);
- ``_environment.py``: what the kernel tells a container through its environment;
- ``_framing.py`` (length-prefixed pickles) and ``_handshake.py`` (who may talk at all).

The kernel and its containers always run the same flyte_nb (the runtime is mounted from the
kernel's own), so a format only has to agree with itself within one version. ``wire``
imports nothing of flyte_nb but ``errors``.
"""
