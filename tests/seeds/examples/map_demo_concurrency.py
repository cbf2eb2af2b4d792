# Seed 001: the second example, "Control concurrency so you don't blow up your cluster".
# It redefines `main`, so it lives in its own module next to the first example's env and task.
import flyte_nb as flyte

# --- not in the document: the names it continues from the basic example
from .map_demo import env, process_item

# --- the document's code
@env.task
async def main() -> list[int]:
    results: list[int] = []
    async for r in flyte.map.aio(process_item, range(10_000), concurrency=50):
        if isinstance(r, Exception):
            raise r
        results.append(r)
    return results
