"""Reference types for large data: :class:`File`, :class:`Directory` and :class:`DataFrame`.

As Flyte 2 advises ("Optimize data transfer"), values over ~10 MB should travel between actions by
reference. Each of these types is a small object naming a place in the run's store (a
URL plus a content hash); passing one to a task moves those few hundred bytes, and the
data itself is read only where the task asks for it::

    from flyte_nb.io import File, Directory, DataFrame

    @env.task
    async def process_large_file(input_file: File) -> File:
        local_path = input_file.download()        # download only when needed
        return File.new_remote(process(local_path))

Uploads go to the current run's store (outside a run: the store ``flyte.init(storage=...)``
or ``$FLYTE_NB_STORAGE`` names) under ``blobs/<sha256>/``, so identical content is stored
once. The names follow the Flyte 2 SDK's ``flyte.io`` (``Dir`` is ``Directory``); methods
that block have the SDK's async form (``await File.from_local(...)``) and sync form
(``File.from_local_sync(...)``). Importing this module loads neither fsspec nor pandas.
"""

from . import _conversions  # noqa: F401 - task inputs and outputs annotated with these types convert
from ._dataframe import PARQUET, DataFrame, DataFrameReader
from ._directory import Dir, Directory, EmptyDir, FileWalk
from ._file import AsyncHandle, File, OpenFile
from ._hashing import HashFunction

__all__ = [
    "PARQUET",
    "AsyncHandle",
    "DataFrame",
    "DataFrameReader",
    "Dir",
    "Directory",
    "EmptyDir",
    "File",
    "FileWalk",
    "HashFunction",
    "OpenFile",
]

# Public names report this package as their home, so reprs and docs say flyte_nb.io.X.
for _obj in (DataFrame, DataFrameReader, Directory, EmptyDir, FileWalk, File, HashFunction, OpenFile, AsyncHandle):
    _obj.__module__ = __name__
del _obj
