# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/advanced/forward_tasks.py,
# commit 7e2d4231b559); changed:
#   `import flyte` -> `import flyte_nb as flyte`
#   `flyte.init_from_config()` -> `flyte.init()` (the SDK's local run needed it too)
from collections.abc import Coroutine

import flyte_nb as flyte

env = flyte.TaskEnvironment("forward-tasks")


@env.task
async def inner_task(x: int) -> int:
    return x + 1


@env.task
async def outer_task(x: int) -> int:
    # you can invoke any task function, directly without invoking on remote using .forward() method
    v = await inner_task.forward(x=10)
    assert not isinstance(v, Coroutine)  # awaiting forward on an async task yields the value
    return await inner_task(v)


@env.task
def sync_inner_task(x: int) -> int:
    return x + 1


@env.task
def sync_outer_task(x: int) -> int:
    v = sync_inner_task.forward(x=10)
    assert not isinstance(v, Coroutine)  # forward on a sync task returns the value directly
    return sync_inner_task(v)


if __name__ == "__main__":
    flyte.init()
    r = flyte.run(outer_task, 10)
    print(r.url)
    r = flyte.run(sync_outer_task, 10)
    print(r.url)
