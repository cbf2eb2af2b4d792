# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/basics/determinism.py,
# commit 7e2d4231b559); changed:
#   `import flyte` -> `import flyte_nb as flyte`
#   `import flyte.durable` -> `import flyte_nb as flyte, flyte_nb.durable`
#   `flyte.init_from_config()` -> `flyte.init()` (the SDK's local run needed it too)
import asyncio

import flyte_nb as flyte
import flyte_nb as flyte, flyte_nb.durable

env = flyte.TaskEnvironment("determinism")


@env.task
async def async_variant():
    t = await flyte.durable.time.aio()
    dt = await flyte.durable.now.aio()
    print(f"[async] time={t}, now={dt}")
    await flyte.durable.sleep.aio(1)
    print("[async] done sleeping")


@env.task
def sync_variant():
    t = flyte.durable.time()
    dt = flyte.durable.now()
    print(f"[sync] time={t}, now={dt}")
    flyte.durable.sleep(1)
    print("[sync] done sleeping")


@env.task
async def main():
    await asyncio.gather(async_variant(), sync_variant.aio())


if __name__ == "__main__":
    flyte.init()
    r = flyte.run(main)
    print(r.url)
