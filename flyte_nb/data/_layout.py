"""Every store key flyte_nb writes, in one place: the layout of a store.

A store (``file://`` folder, ``memory://``, ``s3://`` bucket prefix) looks like this::

    <root>/
      runs/<run>/                          one run (Run.url points here; Run.page_url at index.html)
        run.json                           its record: phase, task, start, counts, groups, semaphores,
                                           errors ("running" while it runs, refreshed every few seconds)
        actions.jsonl                      one JSON line per action: state, times, attempts, error,
                                           traces, report key, log tail (written when it ends)
        index.html                         the run page (header, groups, timeline, errors, reports)
        inputs, outputs                    the entry action's inputs and outputs, sealed
        errors/<action>-<task>.txt         traceback of each failed action
        logs/<action>-<task>.txt           what each action printed
        actions/<action>/report.html       the action's report (flyte.report.flush), a page of HTML
        actions/<action>/attempt-<n>/      one attempt of one action (a container's job)
          job                              the job (function, arguments), sealed
          checkpoint                       flyte.ctx().checkpoint's object (bytes, a file or a tar)
          job.output                       its offloaded return value
          job.result                       its outcome, sealed
          inputs/<name>                    offloaded arguments
          outputs                          offloaded return value (the kernel's side)
        callbacks/<nonce>/                 one task call made from inside a container
          arg-<i>, kwarg-<name>, output    its offloaded arguments and output
        traces/<action path>/<name>-<call>-<inputs hash>   @flyte.trace checkpoints
        files/<nonce>/<name>               File.new_remote() inside a run
      cache/<task>/<key>                   cache="auto" entries (content addressed)
      blobs/<sha256>/<name>                File / Directory / DataFrame uploads
      files/<nonce>/<name>                 File.new_remote() outside a run
      doctor/<nonce>                       ``flyte-nb doctor``'s probe (removed at once)

Keys are ``/``-separated and relative to the root. A key under ``runs/<run>/`` belongs to
that run: its seal is made with the run's own key (see :func:`run_of`), so a container
holding one run's key can neither forge nor read another run's entries. Nothing else in
flyte_nb spells a key; existing stores keep working because these spellings never change.
"""

from __future__ import annotations

__all__ = [
    "BLOBS",
    "CACHE",
    "CONTAINER_RUN_FOLDERS",
    "CONTAINER_STORE_FOLDERS",
    "DOCTOR",
    "FILES",
    "RUNS",
    "TOP_FOLDERS",
    "action_folder",
    "action_of_report",
    "attempt_folder",
    "blob_key",
    "blob_prefix",
    "cache_key",
    "callback_arg_key",
    "callback_folder",
    "callback_kwarg_key",
    "callback_output_key",
    "checkpoint_key",
    "doctor_key",
    "input_key",
    "job_key",
    "job_output_key",
    "job_result_key",
    "output_key",
    "report_key",
    "run_actions_key",
    "run_cache_use_key",
    "run_error_key",
    "run_folder",
    "run_inputs_key",
    "run_log_key",
    "run_logs_folder",
    "run_of",
    "run_page_key",
    "run_outputs_key",
    "run_record",
    "run_root",
    "scratch_key",
    "trace_key",
]

RUNS = "runs"
CACHE = "cache"
BLOBS = "blobs"
FILES = "files"
DOCTOR = "doctor"
#: The folders at a store's root that flyte_nb writes in (the stale-temporaries sweep
#: walks these and never the rest of a root that may hold other data).
TOP_FOLDERS = (RUNS, CACHE, BLOBS, FILES, DOCTOR)

_ACTIONS = "actions"
_CALLBACKS = "callbacks"
_TRACES = "traces"
_ERRORS = "errors"
_LOGS = "logs"
#: Folders of a run (under ``runs/<run>/``) that its containers create entries in.
CONTAINER_RUN_FOLDERS = (_ACTIONS, _CALLBACKS, _TRACES, FILES)
#: Folders at the store's root that containers create entries in (flyte.io uploads).
CONTAINER_STORE_FOLDERS = (BLOBS,)


# ---------------------------------------------------------------------- runs
def run_root(run: str) -> str:
    """``runs/<run>``: everything of one run."""
    return f"{RUNS}/{run}"


def run_of(key: str) -> str | None:
    """The run a key belongs to (``runs/<run>/<anything>``), None for keys outside runs."""
    parts = key.split("/", 2)
    return parts[1] if len(parts) == 3 and parts[0] == RUNS else None


def run_record(run: str) -> str:
    """``runs/<run>/run.json``: the ended run's record."""
    return f"{run_root(run)}/run.json"


def run_actions_key(run: str) -> str:
    """``runs/<run>/actions.jsonl``: the ended run's actions, one JSON line each (not sealed:
    it is read as JSON, never unpickled)."""
    return f"{run_root(run)}/actions.jsonl"


def run_cache_use_key(run: str) -> str:
    """``runs/<run>/cache.json``: the cache entries the ended run wrote and hit (JSON, keys
    relative to ``cache/``); none when it used no cache entry."""
    return f"{run_root(run)}/cache.json"


def run_page_key(run: str) -> str:
    """``runs/<run>/index.html``: the ended run's page, self-contained HTML (not sealed)."""
    return f"{run_root(run)}/index.html"


def run_outputs_key(run: str) -> str:
    """``runs/<run>/outputs``: the ended run's entry action outputs (a tuple), sealed."""
    return f"{run_root(run)}/outputs"


def run_inputs_key(run: str) -> str:
    """``runs/<run>/inputs``: the run's entry action inputs by name (a dict), sealed."""
    return f"{run_root(run)}/inputs"


def run_error_key(run: str, label: str) -> str:
    """``runs/<run>/errors/<label>.txt``: a failed action's traceback."""
    return f"{run_root(run)}/{_ERRORS}/{label}.txt"


def run_log_key(run: str, label: str) -> str:
    """``runs/<run>/logs/<label>.txt``: what an action printed."""
    return f"{run_root(run)}/{_LOGS}/{label}.txt"


def run_logs_folder(run: str) -> str:
    """``runs/<run>/logs``: what each action printed, one text file per action."""
    return f"{run_root(run)}/{_LOGS}"


def run_folder(run: str, folder: str) -> str:
    """``runs/<run>/<folder>`` (one of :data:`CONTAINER_RUN_FOLDERS`)."""
    return f"{run_root(run)}/{folder}"


# ---------------------------------------------------------------------- actions
def action_folder(run: str, action: int | str) -> str:
    """``runs/<run>/actions/<action>``: every attempt of one action."""
    return f"{run_root(run)}/{_ACTIONS}/{action}"


def attempt_folder(run: str, action: int | str, attempt: int) -> str:
    """``runs/<run>/actions/<action>/attempt-<n>``."""
    return f"{action_folder(run, action)}/attempt-{attempt}"


def report_key(run: str, action: int | str) -> str:
    """``runs/<run>/actions/<action>/report.html``: the action's report, plain HTML (not sealed:
    it is read as text, never unpickled)."""
    return f"{action_folder(run, action)}/report.html"


def action_of_report(key: str) -> str:
    """The action (its id, as text) whose report is at ``key`` (see :func:`report_key`)."""
    return key.rsplit("/", 2)[-2]


def checkpoint_key(run: str, action: int | str, attempt: int) -> str:
    """``runs/<run>/actions/<action>/attempt-<n>/checkpoint``: the attempt's ``flyte.ctx().checkpoint``."""
    return f"{attempt_folder(run, action, attempt)}/checkpoint"


def job_key(run: str, action: int | str, attempt: int) -> str:
    """The job a container (or pool worker, or Dask task) runs for one attempt."""
    return f"{attempt_folder(run, action, attempt)}/job"


def job_result_key(job: str) -> str:
    """Where the runtime writes the outcome of the job at key ``job``."""
    return job + ".result"


def job_output_key(job: str) -> str:
    """Where the runtime offloads the return value of the job at key ``job``."""
    return job + ".output"


def input_key(run: str, action: int | str, attempt: int, name: str) -> str:
    """An offloaded argument of one attempt."""
    return f"{attempt_folder(run, action, attempt)}/inputs/{name}"


def output_key(run: str, action: int | str, attempt: int) -> str:
    """The offloaded return value of one attempt (the kernel's side)."""
    return f"{attempt_folder(run, action, attempt)}/outputs"


# ---------------------------------------------------------------------- calls from containers
def callback_folder(run: str, nonce: str) -> str:
    """``runs/<run>/callbacks/<nonce>``: one task call made from inside a container."""
    return f"{run_root(run)}/{_CALLBACKS}/{nonce}"


def callback_arg_key(folder: str, index: int) -> str:
    return f"{folder}/arg-{index}"


def callback_kwarg_key(folder: str, name: str) -> str:
    return f"{folder}/kwarg-{name}"


def callback_message_key(run: str, nonce: str) -> str:
    """A task call too large for a Dask scheduler event, sent through the store instead."""
    return f"{callback_folder(run, nonce)}/message"


def callback_output_key(run: str, nonce: str) -> str:
    """The offloaded output of a call made from inside a container (the kernel's answer)."""
    return f"{callback_folder(run, nonce)}/output"


# ---------------------------------------------------------------------- traces, files
def trace_key(run: str, action_path: str, name: str, call: int, inputs_hash: str) -> str:
    """An @flyte.trace checkpoint (``name`` already made safe for a key)."""
    return f"{run_root(run)}/{_TRACES}/{action_path}/{name}-{call}-{inputs_hash}"


def scratch_key(run: str | None, nonce: str, name: str) -> str:
    """A fresh key for a File written in place: under the run when in one."""
    base = f"{run_root(run)}/{FILES}" if run is not None else FILES
    return f"{base}/{nonce}/{name}"


# ---------------------------------------------------------------------- outside runs
def cache_key(task: str, key: str) -> str:
    """``cache/<task>/<key>`` (``task`` already made safe for a key)."""
    return f"{CACHE}/{task}/{key}"


def blob_prefix(sha: str, name: str) -> str:
    """``blobs/<sha256>/<name>``: a content-addressed upload (a file, or a folder's prefix)."""
    return f"{BLOBS}/{sha}/{name}"


def blob_key(sha: str, name: str) -> str:
    """The key of one uploaded file."""
    return blob_prefix(sha, name)


def doctor_key(nonce: str) -> str:
    """A probe ``flyte-nb doctor`` writes, reads back and removes."""
    return f"{DOCTOR}/{nonce}"
