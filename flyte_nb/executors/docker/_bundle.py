"""The runtime bundle: the packages an action's container imports, in one compiled folder.

Containers get flyte_nb's runtime without rebuilding images: flyte_nb, cloudpickle and
fsspec (all pure Python) are copied once into a host cache folder, compiled to bytecode
there, and bind-mounted read-only as one volume. One mount instead of one per package
makes a container start faster, and shipped bytecode spares every container compiling
flyte_nb from source. The folder is named by a digest of the sources (paths, sizes,
mtimes) and the Python version, so an edited checkout gets a fresh bundle.
"""

from __future__ import annotations

import compileall
import hashlib
import importlib
import importlib.util
import os
import py_compile
import shutil
import sys
import tempfile
import time

import platformdirs

#: pure-Python packages (and modules) the runtime imports inside the container; nest_asyncio
#: lets a sync task call made from async code wait inside the container as in the kernel
RUNTIME_PACKAGES = ("flyte_nb", "cloudpickle", "fsspec", "nest_asyncio")
#: bundles of other sources unused this long are removed when a new one is made
STALE_AFTER_S = 7 * 24 * 3600

_made: dict[str, str] = {}


def runtime_bundle(extra: tuple[str, ...] = ()) -> str:
    """The host folder holding the runtime's packages (sources and bytecode), plus the
    ``extra`` top-level modules as installed here (a remote store's filesystem package and
    what it needs, compiled extensions included), made on first use."""
    sources = {name: _package_dir(name) for name in RUNTIME_PACKAGES}
    extras = {name: path for name in extra if name not in sources for path in _module_paths(name)}
    digest = _digest(sources, extras)
    if digest in _made and os.path.isdir(_made[digest]):
        return _made[digest]
    cache = os.path.join(platformdirs.user_cache_dir("flyte_nb"), "runtime")
    folder = os.path.join(cache, f"py{sys.version_info[0]}{sys.version_info[1]}-{digest}")
    if not os.path.isdir(folder):
        _build(sources, extras, folder)
        _remove_stale(cache, keep=folder)
    os.utime(folder)  # marks it in use, for _remove_stale
    _made[digest] = folder
    return folder


def _package_dir(name: str) -> str:
    """The package's folder, or the module's file for a single-file module."""
    path = os.path.abspath(importlib.import_module(name).__file__ or "")
    return os.path.dirname(path) if os.path.basename(path) == "__init__.py" else path


def _module_paths(name: str) -> list[str]:
    """Where an installed top-level module lives: its folder(s), or its single file."""
    spec = importlib.util.find_spec(name)
    if spec is None:
        return []
    if spec.submodule_search_locations:
        return list(spec.submodule_search_locations)[:1]
    return [spec.origin] if spec.origin and os.path.isfile(spec.origin) else []


def _sources_of(root: str) -> list[str]:
    if os.path.isfile(root):
        return [root]
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found.extend(os.path.join(folder, f) for f in sorted(files) if not f.endswith((".pyc", ".pyo")))
    return found


def _digest(sources: dict[str, str], extras: dict[str, str]) -> str:
    digest = hashlib.sha256(sys.version.encode())
    for name, root in sorted(sources.items()):
        for path in _sources_of(root):
            stat = os.stat(path)
            digest.update(f"{name}/{os.path.relpath(path, root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    # installed packages change only by (re)installation, which touches their top folder
    for name, path in sorted(extras.items()):
        digest.update(f"extra {name} {path}:{os.stat(path).st_mtime_ns}\n".encode())
    return digest.hexdigest()[:20]


def _build(sources: dict[str, str], extras: dict[str, str], folder: str) -> None:
    """Copy and compile into a temporary folder, then rename it into place: a bundle is
    either whole or absent, whoever else makes the same one at the same time."""
    os.makedirs(os.path.dirname(folder), exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".building-", dir=os.path.dirname(folder))
    try:
        for name, root in sources.items():
            if os.path.isfile(root):
                shutil.copy2(root, os.path.join(staging, os.path.basename(root)))
            else:
                shutil.copytree(
                    root, os.path.join(staging, name), ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
                )
        # a bundle never changes (a new source makes a new bundle), so its bytecode is used
        # without looking at the sources again; quiet=2: no listing
        compileall.compile_dir(staging, quiet=2, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        for name, path in extras.items():  # as installed, with whatever bytecode they have
            if os.path.isfile(path):
                shutil.copy2(path, os.path.join(staging, os.path.basename(path)))
            else:
                shutil.copytree(path, os.path.join(staging, name), symlinks=True)
        os.chmod(staging, 0o755)
        try:
            os.rename(staging, folder)
        except OSError:  # another process made it first
            if not os.path.isdir(folder):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remove_stale(cache: str, *, keep: str) -> None:
    now = time.time()
    for entry in os.scandir(cache):
        if entry.path == keep or not entry.is_dir():
            continue
        try:
            age = now - entry.stat().st_mtime
            # an unfinished build is left alone for an hour: another process may be making it
            if age > STALE_AFTER_S or (entry.name.startswith(".building-") and age > 3600):
                shutil.rmtree(entry.path, ignore_errors=True)
        except FileNotFoundError:
            pass
