# Seed 004: "Real-world example: PyIceberg batch processing", the key pattern, inside a task.
# --- not in the document: a stand-in for a PyIceberg table and the helpers the pattern calls
import asyncio
from dataclasses import dataclass

from .scale import env


@dataclass
class DataFile:
    file_path: str


@dataclass
class FileScanTask:
    file: DataFile


class FakeScan:
    def __init__(self, paths: list[str]) -> None:
        self._paths = paths

    def plan_files(self) -> list[FileScanTask]:
        return [FileScanTask(DataFile(path)) for path in self._paths]


class FakeTable:
    """Answers ``table.scan().plan_files()`` like a pyiceberg Table, with made-up file paths."""

    def __init__(self, paths: list[str]) -> None:
        self._paths = paths

    def scan(self) -> FakeScan:
        return FakeScan(self._paths)


def distribute_files(file_paths: list[str], num_partitions: int) -> list[list[str]]:
    """Round-robin the files over the partitions."""
    return [file_paths[i::num_partitions] for i in range(num_partitions)]


@env.task
async def aggregate_partition(files: list[str], partition_id: int) -> dict:
    return {"partition": partition_id, "files": len(files), "paths": sorted(files)}


@env.task
async def aggregate_table(file_paths_in_table: list[str], num_partitions: int) -> list[dict]:
    table = FakeTable(file_paths_in_table)
    # --- the document's code
    # Instead of loading entire table, get file paths
    file_paths = [task.file.file_path for task in table.scan().plan_files()]

    # Distribute files across partitions (zero-copy!)
    partition_files = distribute_files(file_paths, num_partitions)

    # Process partitions in parallel
    results = await asyncio.gather(*[
        aggregate_partition(files, partition_id)
        for partition_id, files in enumerate(partition_files)
    ])
    # --- not in the document
    return list(results)
