# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/basics/arbitrary_data.py,
# commit 7e2d4231b559); changed:
#   `import flyte` -> `import flyte_nb as flyte`
#   `flyte.init_from_config()` -> `flyte.init()` (the SDK's local run needed it too)
import flyte_nb as flyte

env = flyte.TaskEnvironment("data_passing")


class MyObject:
    def __init__(self, name: str, value: int):
        self.name = name
        self.value = value

    def __repr__(self):
        return f"MyObject(name={self.name}, value={self.value})"


@env.task
async def downstream_task(data: MyObject) -> dict[str, MyObject]:
    return {data.name: data}


@env.task
async def upstream_task(data: MyObject) -> dict[str, MyObject]:
    data.value += 10
    obj = await downstream_task(data)
    return obj


if __name__ == "__main__":
    flyte.init()
    obj = MyObject(name="example", value=5)
    r = flyte.run(upstream_task, data=obj)
    print(r.url)
