# Seed 004: 5. Optimize data transfer, "Use reference types for large data".
# --- not in the document: the environment it continues from and the `process` it calls
from pathlib import Path

from .scale import env

# --- the document's code (import line changed)
from flyte_nb.io import File, Directory, DataFrame  # noqa: F401 - Directory, DataFrame unused in the document too


def process(local_path: str) -> str:  # not in the document
    source = Path(local_path)
    target = source.with_name(source.name + ".upper")
    target.write_text(source.read_text().upper())
    return str(target)


@env.task
async def process_large_file(input_file: File) -> File:
    """Files passed by reference, not copied."""
    # Download only when needed
    local_path = input_file.download()

    # Process file
    result_path = process(local_path)

    # Upload result
    return File.new_remote(result_path)
