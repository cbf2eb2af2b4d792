# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/basics/union_types.py,
# commit 7e2d4231b559); changed:
#   `import flyte` -> `import flyte_nb as flyte`
#   `flyte.init_from_config()` -> `flyte.init()` (the SDK's local run needed it too)
import flyte_nb as flyte

env = flyte.TaskEnvironment("union_types")


@env.task
def complex_task(data: dict[str, list[str] | None] | None) -> dict[str, list[str] | None] | None:
    return data


if __name__ == "__main__":
    flyte.init()
    run = flyte.run(complex_task, data={"key": ["value1", "value2"]})
    print(run)
    print(run.url)
