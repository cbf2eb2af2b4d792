# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/basics/repeated_tasks.py,
# commit 7e2d4231b559); changed:
#   `import flyte` -> `import flyte_nb as flyte`
#   `flyte.init_from_config()` -> `flyte.init()` (the SDK's local run needed it too)
import asyncio

import flyte_nb as flyte

env = flyte.TaskEnvironment(name="repeated_tasks")


@env.task
async def repeated_task() -> int:
    return 42


@env.task
async def main_task() -> int:
    repeater = []
    for _ in range(110):
        repeater.append(repeated_task())
    vals = await asyncio.gather(*repeater)
    return sum(vals)


if __name__ == "__main__":
    flyte.init()

    run = flyte.run(main_task)
    print(run)
