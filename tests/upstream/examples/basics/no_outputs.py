# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/basics/no_outputs.py,
# commit 7e2d4231b559); changed:
#   `import flyte` -> `import flyte_nb as flyte`
#   `flyte.init_from_config()` -> `flyte.init()` (the SDK's local run needed it too)
import flyte_nb as flyte

env = flyte.TaskEnvironment(name="no_outputs")


@env.task
async def no_outputs_task():
    print("This task does not return any outputs.")


@env.task
async def main():
    await no_outputs_task()
    await no_outputs_task()
    await no_outputs_task()


if __name__ == "__main__":
    flyte.init()
    # flyte.init()
    run = flyte.run(main)
    print(run.url)
