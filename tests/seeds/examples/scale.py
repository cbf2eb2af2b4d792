# Seed 004 "Scale your workflows": optimization strategies 1 to 6 (they share `env`); the reference
# types example of 5 is in scale_reference_io.py, 7 in scale_map.py.
import flyte_nb as flyte
from datetime import timedelta

# --- not in the document: names its later blocks use without showing where they come from
import asyncio


class FakeResponse:
    """What the fake HTTP client returns: an object with ``.json()``, like httpx's response."""

    def __init__(self, url: str) -> None:
        self.url = url

    def json(self) -> dict:
        return {"url": self.url, "status": 200}


class FakeHttpClient:
    """An async HTTP client that answers every GET without a network and counts the calls."""

    def __init__(self) -> None:
        self.requested: list[str] = []

    async def get(self, url: str) -> FakeResponse:
        self.requested.append(url)
        await asyncio.sleep(0)
        if "unreachable" in url:
            raise ConnectionError(f"cannot reach {url}")
        return FakeResponse(url)


http_client = FakeHttpClient()


async def process_single_item(item: dict) -> dict:
    """The per-item work of a batch: plain code inside the batch's action, not an action."""
    return {"processed": item["id"]}


# --- the document's code: 1. Use reusable containers for concurrency
# Define reusable environment
env = flyte.TaskEnvironment(
    name="high-throughput",
    reuse_policy=flyte.ReusePolicy(
        replicas=(2, 10),           # Auto-scale from 2 to 10 replicas
        concurrency=5,              # 5 tasks per replica = 50 max concurrent
        scaledown_ttl=timedelta(minutes=10),
        idle_ttl=timedelta(hours=1)
    )
)

@env.task
async def process_item(item: dict) -> dict:
    # Process individual item
    return {"processed": item["id"]}

# --- the document's code: 2. Batch workloads to reduce overhead
@env.task
async def process_batch(items: list[dict]) -> list[dict]:
    """Process a batch of items in a single task."""
    results = []
    for item in items:
        result = await process_single_item(item)
        results.append(result)
    return results

@env.task
async def process_large_dataset(dataset: list[dict]) -> list[dict]:
    """Process 1M items with batching."""
    batch_size = 1000  # Adjust based on overhead calculation
    batches = [dataset[i:i + batch_size] for i in range(0, len(dataset), batch_size)]

    # Process batches in parallel (1000 tasks instead of 1M)
    results = await asyncio.gather(*[process_batch(batch) for batch in batches])

    # Flatten results
    return [item for batch_result in results for item in batch_result]

# --- the document's code: 3. Use traces for lightweight operations
@flyte.trace
async def fetch_data(url: str) -> dict:
    """Traced function for API call."""
    response = await http_client.get(url)
    return response.json()

@flyte.trace
async def transform_data(data: dict) -> dict:
    """Traced function for transformation."""
    return {"transformed": data}

@env.task
async def process_workflow(urls: list[str]) -> list[dict]:
    """Orchestrate using traces instead of tasks."""
    results = []
    for url in urls:
        data = await fetch_data(url)
        transformed = await transform_data(data)
        results.append(transformed)
    return results

# --- the document's code: 4. Limit fanout for system stability
@env.task
async def process_million_items(items: list[dict]) -> list[dict]:
    """Process 1M items with controlled fanout."""
    # Target 10k tasks, each processing 100 items
    batch_size = 100
    max_fanout = 10000  # noqa: F841 - unused in the document too

    batches = [items[i:i + batch_size] for i in range(0, len(items), batch_size)]

    # Use flyte.map for parallel execution
    results = await flyte.map(process_batch, batches)

    return [item for batch in results for item in batch]

# --- the document's code: 5. Optimize data transfer, "Use inline types for small data"
@env.task
async def process_metadata(metadata: dict) -> dict:
    """Small dicts passed inline efficiently."""
    return {"processed": metadata}

# --- the document's code: 6. Leverage caching
@env.task(cache="auto")
async def expensive_computation(input_data: dict) -> dict:
    """Automatically cached based on inputs."""
    # Expensive operation
    result = {"sum": sum(input_data.values())}  # not in the document, which leaves `result` undefined
    return result
