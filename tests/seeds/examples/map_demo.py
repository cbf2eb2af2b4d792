# Seed 001 "Fan Out Tasks Like a Pro with Map Tasks": the basic example.
import flyte_nb as flyte

env = flyte.TaskEnvironment(name="map_demo")

@env.task
async def process_item(x: int) -> int:
    # imagine this is a heavy computation: feature extraction, inference, etc.
    return x ** 2

@env.task
async def main(n: int) -> list[int]:
    results: list[int] = []
    async for result in flyte.map.aio(process_item, range(n), return_exceptions=True):
        if isinstance(result, Exception):
            raise result
        results.append(result)
    return results
