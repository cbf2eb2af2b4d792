# Seed 003 "Fanout": the execution patterns and the best-practice snippets.
import asyncio

# --- not in the document: the names its snippets use without defining them
import logging
from typing import List, Tuple

from .fanout import env, my_task

logger = logging.getLogger("fanout")

#: How long the helper tasks take, so parallel and sequential phases can be told apart.
WORK_S = 0.05


@env.task
async def my_async_task(i: int) -> str:
    await asyncio.sleep(WORK_S)
    return f"result {i}"


@env.task
async def fast_task(i: int) -> str:
    await asyncio.sleep(WORK_S)
    return f"fast {i}"


@env.task
async def slow_processing_task(result: str) -> str:
    await asyncio.sleep(WORK_S)
    return f"slow({result})"


@env.task
async def preprocess_task(i: int) -> int:
    await asyncio.sleep(WORK_S)
    return i + 1


@env.task
async def process_task(x: int) -> int:
    await asyncio.sleep(WORK_S)
    return x * 10


@env.task
async def postprocess_task(x: int) -> int:
    await asyncio.sleep(WORK_S)
    return x - 3


@env.task
async def flaky_task(i: int) -> int:
    if i % 3 == 0:
        raise ValueError(f"item {i} failed")
    return i


# --- the document's code: parallel execution (most common)
@env.task
async def parallel_fanout_example(n: int) -> List[str]:
    results = []
    # Collect all task invocations first
    for i in range(n):
        results.append(my_async_task(i))
    # Execute all tasks in parallel
    final_results = await asyncio.gather(*results)
    return final_results

# --- the document's code: sequential execution
@env.task
async def sequential_fanout_example(n: int) -> List[str]:
    results = []
    # Execute tasks one at a time in sequence
    for i in range(n):
        result = await my_async_task(i) # Await each task individually
        results.append(result)
    return results

# --- the document's code: mixed patterns
@env.task
async def mixed_fanout_example(n: int) -> Tuple[List[str], List[str]]:
    # First: parallel execution
    parallel_tasks = []
    for i in range(n):
        parallel_tasks.append(fast_task(i))
    parallel_results = await asyncio.gather(*parallel_tasks)
    # Second: sequential execution using results from parallel phase
    sequential_results = []
    for result in parallel_results:
        processed = await slow_processing_task(result)
        sequential_results.append(processed)
    return parallel_results, sequential_results

# --- the document's code: multi-phase fanout workflows
@env.task
async def multi_phase_workflow(data_size: int) -> List[int]:
    # First phase: data preprocessing
    preprocessed = []
    for i in range(data_size):
        preprocessed.append(preprocess_task(i))
    phase1_results = await asyncio.gather(*preprocessed)
    # Second phase: main processing
    processed = []
    for result in phase1_results:
        processed.append(process_task(result))
    phase2_results = await asyncio.gather(*processed)
    # Third phase: postprocessing
    postprocessed = []
    for result in phase2_results:
        postprocessed.append(postprocess_task(result))
    final_results = await asyncio.gather(*postprocessed)
    return final_results

# --- best practices: each snippet of the document inside a task (the `def` line, the names the
# snippet takes as given, and the return are not in the document; the indented body is)
@env.task
async def batched_fanout(items: list[int]) -> None:
    total_items = len(items)
    # For very large fanouts, consider batching
    batch_size = 100
    for i in range(0, total_items, batch_size):
        batch = items[i:i + batch_size]
        batch_results = []
        for item in batch:
            batch_results.append(process_task(item))
        await asyncio.gather(*batch_results)


@env.task
async def fanout_with_error_handling(n: int) -> List[int]:
    tasks = [flaky_task(i) for i in range(n)]
    # Use return_exceptions=True to handle failures gracefully
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for i, result in enumerate(results):
        if isinstance(result, Exception):
            logger.error(f"Task {i} failed: {result}")
    return [result for result in results if not isinstance(result, Exception)]


@env.task
async def chunked_fanout(total_size: int) -> List[int]:
    # Process in chunks to manage memory
    chunk_size = 1000
    all_results = []
    for chunk_start in range(0, total_size, chunk_size):
        chunk_tasks = []
        for i in range(chunk_start, min(chunk_start + chunk_size, total_size)):
            chunk_tasks.append(my_task(i))
        chunk_results = await asyncio.gather(*chunk_tasks)
        all_results.extend(chunk_results)
    return all_results
