# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/advanced/display_names.py,
# commit 7e2d4231b559); changed:
#   `import flyte` -> `import flyte_nb as flyte`
#   `flyte.init_from_config()` -> `flyte.init()` (the SDK's local run needed it too)
import flyte_nb as flyte

env = flyte.TaskEnvironment(
    name="friendly_names",
)


@env.task(short_name="my_task")
async def some_task() -> str:
    """
    This task has a friendly name that will be displayed in the UI.
    """
    return "Hello, Flyte!"


@env.task(short_name="entrypoint")
async def main() -> str:
    """
    This is the entrypoint task that will be displayed in the UI.
    """
    s = await some_task()
    return s + await some_task.override(short_name="my_name")()


if __name__ == "__main__":
    flyte.init()
    r = flyte.run(main)
    print(r.url)
