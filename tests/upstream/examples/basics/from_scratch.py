# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/basics/from_scratch.py,
# commit 7e2d4231b559); changed:
#   `import flyte` -> `import flyte_nb as flyte`
#   `flyte.init_from_config()` -> `flyte.init()` (the SDK's local run needed it too)
import asyncio

import flyte_nb as flyte

env = flyte.TaskEnvironment(
    "from_scratch",
)


@env.task
async def square(x: int) -> int:
    return x * x


@env.task
async def main(n: int) -> int:
    coros = []
    for i in range(n):
        coros.append(square(i))
    results = await asyncio.gather(*coros)
    return sum(results)


if __name__ == "__main__":
    flyte.init()
    r = flyte.run(main, 10)
    print(r.url)
