# Seed 004: "Example: Optimizing a data pipeline", before optimization.
# --- not in the document: the imports it continues from, and an environment of its own (the
# "after" version brings the reusable one)
import asyncio

import flyte_nb as flyte

env = flyte.TaskEnvironment("unoptimized-pipeline")

# --- the document's code
@env.task
async def process_item(item: dict) -> dict:
    # Very fast operation (~100ms)
    return {"processed": item["id"]}

@env.task
async def process_dataset(items: list[dict]) -> list[dict]:
    # Create 1M tasks
    results = await asyncio.gather(*[process_item(item) for item in items])
    return results
