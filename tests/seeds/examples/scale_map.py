# Seed 004: 7. Parallelize with flyte.map. It redefines `process_item`, so it has its own module.
import flyte_nb as flyte

# --- not in the document: an environment of its own, so its process_item does not clash with
# the one of scale.py in the same environment
env = flyte.TaskEnvironment("parallel-processing")

# --- the document's code
@env.task
async def process_item(item: dict) -> dict:
    return {"processed": item}

@env.task
async def parallel_processing(items: list[dict]) -> list[dict]:
    """Process items in parallel using map."""
    results = await flyte.map(process_item, items)
    return results
